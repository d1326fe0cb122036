import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { METRICS } from '../../lambdas/shared/metric-catalog';
import { DEMO_TENANT, seedDemoTenant } from '../../local/seed';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { formBody, twilioSignature } from '../support/twilio-signing';
import { waitFor } from '../support/wait';

/**
 * The spine end to end, over the wire: the simulator texts the platform, the platform answers
 * through the simulator's Messages API, and the simulator's signed status callbacks come back.
 */
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, twilioSimPort: 0, callbackDelayMs: 20 });
  await seedDemoTenant(stack);
});

afterAll(async () => {
  await stack?.stop();
});

async function text(from: string, body: string, messageSid?: string) {
  const response = await fetch(`${stack.twilioSimUrl}/_sim/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenantId: DEMO_TENANT.tenantId, from, to: DEMO_TENANT.number, body, messageSid }),
  });
  expect(response.ok).toBe(true);
  return (await response.json()) as { messageSid: string; status: number };
}

function repliesTo(customer: string) {
  return stack.simulator.messages().filter((message) => message.resource.to === customer);
}

async function waitForReplies(customer: string, count: number) {
  return waitFor(`${count} replies to ${customer}`, () => {
    const replies = repliesTo(customer);
    return replies.length >= count ? replies : undefined;
  });
}

describe('local pipeline', () => {
  it('answers "Where is my package?" and tracks the reply to delivered', async () => {
    const customer = '+15551230001';
    const inbound = await text(customer, 'Where is my package?');
    expect(inbound.status).toBe(200);

    const [reply] = await waitForReplies(customer, 1);
    expect(reply?.resource.body).toContain('order number');
    expect(reply?.resource.from).toBe(DEMO_TENANT.number);
    expect(reply?.statusCallback).toBe(`${stack.publicBaseUrl}/webhooks/twilio/demo/status`);
    const sid = reply?.sid as string;

    const message = await waitFor('message delivered', async () => {
      const item = await stack.clients.dynamo.send(
        new GetCommand({ TableName: stack.tableName, Key: { pk: `MESSAGE#${sid}`, sk: 'META' } }),
      );
      return item.Item?.status === 'delivered' ? item.Item : undefined;
    });
    expect(message).toMatchObject({ tenantId: 'demo', to: customer, from: DEMO_TENANT.number });

    const events = await Promise.all(
      ['queued', 'sent', 'delivered'].map((status) =>
        stack.clients.dynamo.send(
          new GetCommand({
            TableName: stack.tableName,
            Key: { pk: `MESSAGE#${sid}`, sk: `EVENT#${status}` },
          }),
        ),
      ),
    );
    expect(events.map((event) => event.Item?.status)).toEqual(['queued', 'sent', 'delivered']);

    const transcript = await new DynamoTenantAdmin(stack.clients.dynamo, stack.tableName).transcript(
      'demo',
      customer,
    );
    expect(transcript.map((entry) => [entry.direction, entry.body, entry.status])).toEqual([
      ['inbound', 'Where is my package?', undefined],
      ['outbound', expect.stringContaining('order number'), 'delivered'],
    ]);

    await waitFor('delivery metrics', () =>
      stack.metrics.sum(METRICS.messagesDelivered, { TenantId: 'demo' }) >= 1 ? true : undefined,
    );
    expect(stack.metrics.sum(METRICS.messagesSent, { TenantId: 'demo' })).toBeGreaterThanOrEqual(1);
    const latency = stack.metrics.all().find((datum) => datum.name === METRICS.deliveryLatency);
    expect(latency?.unit).toBe('Milliseconds');
    expect(latency?.dimensions).toEqual({ service: 'sms-conversations', TenantId: 'demo' });
  });

  it('holds the whole order-status conversation', async () => {
    const customer = '+15551230002';
    await text(customer, 'Where is my package?');
    await waitForReplies(customer, 1);
    await text(customer, '123456');
    await waitForReplies(customer, 2);
    await text(customer, 'December 10th');
    const replies = await waitForReplies(customer, 3);
    const bodies = replies.map((reply) => reply.resource.body);
    expect(bodies).toContain('Thank you! When did you place this order?');
    expect(bodies).toContain('Thanks! Checking order 123456 from 2025-12-10. - Elegi+');
  });

  it('replies once to a webhook Twilio delivers twice (same MessageSid)', async () => {
    const customer = '+15551230003';
    const first = await text(customer, 'track my order');
    const second = await text(customer, 'track my order', first.messageSid);
    expect(second.status).toBe(200);
    await waitForReplies(customer, 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(repliesTo(customer)).toHaveLength(1);
  });

  it('rejects a forged signature with 403 and an unknown tenant with 404', async () => {
    const params = {
      MessageSid: `SM${'f'.repeat(32)}`,
      AccountSid: DEMO_TENANT.accountSid,
      From: '+15551230004',
      To: DEMO_TENANT.number,
      Body: 'hi',
      NumMedia: '0',
    };
    const post = (tenantId: string, signature: string) =>
      fetch(`${stack.apiUrl}/webhooks/twilio/${tenantId}/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: formBody(params),
      });
    const forged = await post(
      'demo',
      twilioSignature('not-the-token', `${stack.publicBaseUrl}/webhooks/twilio/demo/inbound`, params),
    );
    expect(forged.status).toBe(403);
    const unknown = await post('nobody', 'x');
    expect(unknown.status).toBe(404);
    const genuine = await post(
      'demo',
      twilioSignature(DEMO_TENANT.authToken, `${stack.publicBaseUrl}/webhooks/twilio/demo/inbound`, params),
    );
    expect(genuine.status).toBe(200);
    expect(stack.metrics.sum(METRICS.signatureRejected, { TenantId: 'demo' })).toBeGreaterThanOrEqual(1);
  });
});
