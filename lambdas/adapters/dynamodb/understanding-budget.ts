import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_LLM_TOKENS_PER_MONTH, usageExpiry, usageMonth } from '../../domain/understanding/budget';
import type { UnderstandingBudget, UnderstandingUsage } from '../../ports/understanding';
import { keys } from './keys';

/** A tenant's `--llm-tokens-per-month`, from its cached profile (DynamoTenantDirectory); undefined: the default. */
export type TokenBudgetReader = (tenantId: string) => Promise<number | undefined>;

/**
 * Each tenant's understanding tokens per month: one item per tenant and month
 * (`LLMUSAGE#<tenant>` / `MONTH#<yyyy-mm>`), counted with an atomic ADD, so concurrent turns never
 * lose a count. A month's item expires at the end of the next (TTL). A call may overshoot the budget
 * by its own tokens: the check is before the call, whose size is known only after it.
 */
export class DynamoUnderstandingBudget implements UnderstandingBudget {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly budgetOf: TokenBudgetReader,
  ) {}

  async remaining(tenantId: string, now: Date): Promise<number> {
    const budget = (await this.budgetOf(tenantId)) ?? DEFAULT_LLM_TOKENS_PER_MONTH;
    if (budget === 0) return 0;
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.understandingUsage(tenantId, usageMonth(now)),
        ProjectionExpression: 'tokens',
      }),
    );
    const used = typeof result.Item?.tokens === 'number' ? result.Item.tokens : 0;
    return budget - used;
  }

  async record(tenantId: string, now: Date, usage: UnderstandingUsage): Promise<void> {
    const month = usageMonth(now);
    const tokens = usage.inputTokens + usage.outputTokens;
    if (tokens <= 0) return;
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.understandingUsage(tenantId, month),
        UpdateExpression:
          'ADD tokens :tokens, inputTokens :input, outputTokens :output, calls :one SET tenantId = :tenant, expiresAt = :expires',
        ExpressionAttributeValues: {
          ':tokens': tokens,
          ':input': usage.inputTokens,
          ':output': usage.outputTokens,
          ':one': 1,
          ':tenant': tenantId,
          ':expires': Math.floor(usageExpiry(month).getTime() / 1000),
        },
      }),
    );
  }
}
