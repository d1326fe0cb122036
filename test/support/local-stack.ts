import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect } from 'vitest';
import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { DEMO_TENANT, seedDemoTenant } from '../../local/seed';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { waitFor } from './wait';

/**
 * Starts a local stack with the demo tenant for one test file; stops it after, failing the file if
 * a function reached outside its DynamoDB item prefixes (the local dynamodb:LeadingKeys check).
 */
export function useLocalStack(): () => LocalStack {
  let stack: LocalStack | undefined;
  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, twilioSimPort: 0, callbackDelayMs: 20 });
    await seedDemoTenant(stack);
  });
  afterAll(async () => {
    const refusals = stack?.leadingKeyRefusals() ?? [];
    await stack?.stop();
    expect(refusals, "DynamoDB requests outside a function's item prefixes").toEqual([]);
  });
  return () => {
    if (!stack) throw new Error('local stack not started');
    return stack;
  };
}

/** A customer texting a tenant's number through the simulator's phone. */
export async function text(
  stack: LocalStack,
  message: { tenantId: string; from: string; to: string; body: string; messageSid?: string },
) {
  const response = await fetch(`${stack.twilioSimUrl}/_sim/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
  });
  expect(response.ok).toBe(true);
  return (await response.json()) as { messageSid: string; status: number };
}

/** A customer texting the demo number. */
export function textDemo(stack: LocalStack, from: string, body: string, messageSid?: string) {
  return text(stack, {
    tenantId: DEMO_TENANT.tenantId,
    from,
    to: DEMO_TENANT.number,
    body,
    ...(messageSid ? { messageSid } : {}),
  });
}

export function repliesTo(stack: LocalStack, customer: string) {
  return stack.simulator.messages().filter((message) => message.resource.to === customer);
}

export async function waitForReplies(stack: LocalStack, customer: string, count: number) {
  return waitFor(`${count} replies to ${customer}`, () => {
    const replies = repliesTo(stack, customer);
    return replies.length >= count ? replies : undefined;
  });
}

export async function transcriptOf(
  stack: LocalStack,
  customer: string,
  tenantId: string = DEMO_TENANT.tenantId,
) {
  return new DynamoTenantAdmin(stack.clients.dynamo, stack.tableName).transcript(tenantId, customer);
}

export async function messageRecord(stack: LocalStack, sid: string) {
  const result = await stack.clients.dynamo.send(
    new GetCommand({ TableName: stack.tableName, Key: { pk: `MESSAGE#${sid}`, sk: 'META' } }),
  );
  return result.Item;
}

/** Waits until the n-th outbound transcript entry to `customer` has a final status. */
export async function waitForOutboundStatus(
  stack: LocalStack,
  customer: string,
  index: number,
  statuses: string[],
  tenantId: string = DEMO_TENANT.tenantId,
) {
  return waitFor(`outbound #${index} to ${customer} in ${statuses.join('|')}`, async () => {
    const outbound = (await transcriptOf(stack, customer, tenantId)).filter(
      (entry) => entry.direction === 'outbound',
    );
    const entry = outbound[index];
    return entry && statuses.includes(String(entry.status)) ? entry : undefined;
  });
}
