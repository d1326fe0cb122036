import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DestinationKey, DestinationState, WebhookDestinations } from '../../ports/webhook-destinations';
import { keys, ttlSeconds } from './keys';

/**
 * `WEBHOOK#<tenant>#<destinationId>` / `DESTINATION`: `coolingDownUntil` (epoch ms), `lastError`,
 * `failures` (since the last success), `updatedAt`. Deleted by the next success; kept a day.
 */
export class DynamoWebhookDestinations implements WebhookDestinations {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async state(key: DestinationKey): Promise<DestinationState> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.webhookDestination(key.tenantId, key.destinationId),
      }),
    );
    if (!result.Item) return { coolingDownUntil: 0, marked: false };
    return { coolingDownUntil: Number(result.Item.coolingDownUntil ?? 0), marked: true };
  }

  async markFailing(key: DestinationKey, at: Date, untilMs: number, reason: string): Promise<void> {
    // Unconditional: the cool-down of the latest failure replaces a probe's lease (or an earlier one).
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.webhookDestination(key.tenantId, key.destinationId),
        UpdateExpression:
          'SET coolingDownUntil = :until, lastError = :reason, updatedAt = :at, expiresAt = :ttl ADD failures :one',
        ExpressionAttributeValues: {
          ':until': untilMs,
          ':reason': reason,
          ':at': at.toISOString(),
          ':ttl': ttlSeconds(at.toISOString(), 1),
          ':one': 1,
        },
      }),
    );
  }

  async takeProbe(key: DestinationKey, readUntil: number, untilMs: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.webhookDestination(key.tenantId, key.destinationId),
          UpdateExpression: 'SET coolingDownUntil = :until',
          ConditionExpression: 'coolingDownUntil = :read',
          ExpressionAttributeValues: { ':until': untilMs, ':read': readUntil },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async clear(key: DestinationKey): Promise<void> {
    await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: keys.webhookDestination(key.tenantId, key.destinationId),
      }),
    );
  }
}
