import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keys } from '../../../lambdas/adapters/dynamodb/keys';
import { DynamoTenantAdmin } from '../../../lambdas/adapters/dynamodb/tenant-admin';
import { usageMonth } from '../../../lambdas/domain/understanding/budget';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import { seedTenant } from '../../../local/seed';
import { repliesTo, text, useLocalStack, waitForReplies } from '../../support/local-stack';
import { waitFor } from '../../support/wait';

/**
 * The understanding port end to end on the local stack: the conversation function (bundled as in
 * AWS) reaches the Bedrock Runtime stand-in through AWS_ENDPOINT_URL_BEDROCK_RUNTIME with SigV4,
 * with the tool schema generated from the route's variables; a wrong proposal is rejected by the
 * types; the tenant's tokens are counted; an exhausted budget leaves the rules alone, silently.
 */
const stack = useLocalStack();

const TENANT = {
  tenantId: 'understood-co',
  name: 'Understood Co',
  accountSid: `AC${'d4'.repeat(16)}`,
  authToken: 'understood-token-0123456789abcdef',
  number: '+15005550432',
  workflowFile: 'examples/workflows/order-status.json',
};
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const ASK_DATE = 'Thank you! When did you place this order?';
let workflow: Workflow;

beforeAll(async () => {
  await seedTenant(stack(), TENANT);
  const parsed = parseWorkflow({
    id: 'order-status',
    understanding: { provider: 'bedrock', modelId: MODEL, use: 'fallback' },
    routes: [
      {
        id: 'track-order',
        match: { keywords: ['order', 'package', 'track', 'delivery'] },
        mandatoryVariables: [
          { name: 'order_number', type: 'pattern', pattern: '\\b\\d{6}\\b', prompt: 'Your order number?' },
          { name: 'order_date', type: 'date', direction: 'past', prompt: ASK_DATE },
        ],
        onComplete: { reply: 'Checking order {{order_number}} from {{order_date}}.' },
      },
    ],
    fallback: { reply: 'Sorry, I did not get that.', maxAttempts: 3 },
    failureMessage: 'Something went wrong.',
    timeZone: 'America/New_York',
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  workflow = parsed.workflow;
  await new DynamoTenantAdmin(stack().clients.dynamo, stack().tableName).putWorkflow(
    TENANT.tenantId,
    workflow,
  );
});
beforeEach(() => stack().bedrock.reset());

async function exchange(customer: string, body: string): Promise<string | undefined> {
  const before = repliesTo(stack(), customer).length;
  await text(stack(), { tenantId: TENANT.tenantId, from: customer, to: TENANT.number, body });
  const replies = await waitForReplies(stack(), customer, before + 1);
  return replies[before]?.resource.body;
}

async function usedTokens(): Promise<number> {
  const result = await stack().clients.dynamo.send(
    new GetCommand({
      TableName: stack().tableName,
      Key: keys.understandingUsage(TENANT.tenantId, usageMonth(new Date())),
    }),
  );
  return typeof result.Item?.tokens === 'number' ? result.Item.tokens : 0;
}

describe('understanding through the local stack', () => {
  it('asks the stand-in with the generated schema; an accepted proposal fills the slot', async () => {
    const customer = '+15557770101';
    expect(await exchange(customer, 'where is my order 123456')).toBe(ASK_DATE);
    stack().bedrock.script({ queue: [{ input: { order_date: 'yesterday' } }] });
    const reply = await exchange(customer, 'the day we got back from the lake, call me at 555 777 0101');
    expect(reply).toContain('Checking order 123456');

    const [received] = stack().bedrock.requests();
    expect(received?.modelId).toBe(MODEL);
    const spec = (received?.body.toolConfig as { tools: { toolSpec: { inputSchema: { json: unknown } } }[] })
      .tools[0]?.toolSpec;
    expect(spec?.inputSchema.json).toMatchObject({
      type: 'object',
      properties: { order_date: { type: 'string' } },
      additionalProperties: false,
    });
    // Neither the customer's number (however written) nor the tenant's token ever reaches the model.
    expect(received?.raw).not.toMatch(/5557770101|555 777 0101/);
    expect(received?.raw).not.toContain(TENANT.authToken);
    expect(received?.signed).toBe(true);
    await waitFor('tokens counted', async () => ((await usedTokens()) > 0 ? true : undefined));
    await waitFor('accepted metric', () =>
      stack().metrics.sum('UnderstandingProposalsAccepted', { TenantId: TENANT.tenantId }) >= 1
        ? true
        : undefined,
    );
  });

  it('a wrong proposal is rejected by the types: the customer is asked again', async () => {
    const customer = '+15557770102';
    expect(await exchange(customer, 'track my order 654321')).toBe(ASK_DATE);
    stack().bedrock.script({ queue: [{ input: { order_date: 'next blursday' } }] });
    const reply = await exchange(customer, 'on blursday');
    expect(reply).toContain(ASK_DATE);
    expect(stack().bedrock.requests()).toHaveLength(1);
    await waitFor('rejected metric', () =>
      stack().metrics.sum('UnderstandingProposalsRejected', { TenantId: TENANT.tenantId }) >= 1
        ? true
        : undefined,
    );
  });

  it('an exhausted budget: rules only, a metric, no error to the customer', async () => {
    // A tenant of its own, whose budget one call uses up (the profile is read fresh: no cache yet).
    const frugal = { ...TENANT, tenantId: 'frugal-co', name: 'Frugal Co', number: '+15005550433' };
    await seedTenant(stack(), frugal);
    const admin = new DynamoTenantAdmin(stack().clients.dynamo, stack().tableName);
    await admin.putProfile(frugal.tenantId, {
      name: frugal.name,
      llmTokensPerMonth: 1,
      updatedAt: new Date().toISOString(),
    });
    await admin.putWorkflow(frugal.tenantId, workflow);
    const customer = '+15557770103';
    const say = async (body: string) => {
      const before = repliesTo(stack(), customer).length;
      await text(stack(), { tenantId: frugal.tenantId, from: customer, to: frugal.number, body });
      return (await waitForReplies(stack(), customer, before + 1))[before]?.resource.body;
    };
    expect(await say('order 111222 please')).toBe(ASK_DATE);
    stack().bedrock.script({ rules: [{ contains: 'whenever', answer: { input: {} } }] });
    expect(await say('whenever it was')).toContain(ASK_DATE);
    expect(stack().bedrock.requests()).toHaveLength(1);
    expect(await say('whenever, honestly')).toContain(ASK_DATE);
    expect(stack().bedrock.requests()).toHaveLength(1);
    await waitFor('budget exhausted metric', () =>
      stack().metrics.sum('UnderstandingBudgetExhausted', { TenantId: frugal.tenantId }) >= 1
        ? true
        : undefined,
    );
  });
});
