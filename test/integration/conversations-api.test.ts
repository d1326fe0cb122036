import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoOptOutStore } from '../../lambdas/adapters/dynamodb/opt-out-store';
import { DEMO_TENANT, seedTenant } from '../../local/seed';
import { LOCAL_API_PRINCIPAL } from '../../local/stack';
import {
  repliesTo,
  text,
  transcriptOf,
  useLocalStack,
  waitForOutboundStatus,
  waitForReplies,
} from '../support/local-stack';
import { signedFetch } from '../support/sigv4';
import { sleep, waitFor } from '../support/wait';

/**
 * POST /v1/tenants/{tenantId}/conversations on the real local stand-ins: SigV4 checked by the
 * local API, the conversations-api function, outbound.fifo, the sender, the Twilio simulator
 * and its status callbacks, and the customer's replies through inbound.fifo.
 */
const stack = useLocalStack();

const ACME = {
  tenantId: 'acme-api',
  name: 'Acme API',
  accountSid: `AC${'b2'.repeat(16)}`,
  authToken: 'acme-api-token-0123456789abcdef0',
  number: '+15005550301',
  workflowFile: 'examples/workflows/order-status.json',
};

beforeAll(async () => {
  await seedTenant(stack(), ACME);
});

function start(
  tenantId: string,
  body: unknown,
  headers: Record<string, string> = {},
  credentials = LOCAL_API_PRINCIPAL,
) {
  return signedFetch(
    `${stack().apiUrl}/v1/tenants/${tenantId}/conversations`,
    { method: 'POST', body: JSON.stringify(body), headers },
    credentials,
  );
}

describe('conversations API (local)', () => {
  it('starts a workflow conversation that the customer answers to completion; a replayed key sends nothing', async () => {
    const customer = '+15557771001';
    const request = { from: ACME.number, to: customer, workflowId: 'order-status', variables: {} };
    const response = await start(ACME.tenantId, request, { 'Idempotency-Key': 'start-1001' });
    expect(response.status).toBe(201);
    const startedText = await response.text();
    const started = JSON.parse(startedText) as { conversationId: string; sends: { sendId: string }[] };
    expect(started.conversationId).toMatch(/^op-/);

    const [opening] = await waitForReplies(stack(), customer, 1);
    expect(opening?.resource.from).toBe(ACME.number);
    expect(opening?.resource.body).toContain('Can you provide your order number?');
    // Tracked by status callbacks like any other send.
    await waitForOutboundStatus(stack(), customer, 0, ['delivered'], ACME.tenantId);

    const replay = await start(ACME.tenantId, request, { 'Idempotency-Key': 'start-1001' });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    // The same bytes, not only the same JSON.
    expect(await replay.text()).toBe(startedText);
    const reused = await start(
      ACME.tenantId,
      { ...request, variables: { order_number: '123456' } },
      {
        'Idempotency-Key': 'start-1001',
      },
    );
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ error: 'idempotency-key-reused' });

    await text(stack(), { tenantId: ACME.tenantId, from: customer, to: ACME.number, body: 'It is 654321' });
    const [, second] = await waitForReplies(stack(), customer, 2);
    expect(second?.resource.body).toBe('Thank you! When did you place this order?');
    await text(stack(), { tenantId: ACME.tenantId, from: customer, to: ACME.number, body: 'yesterday' });
    const [, , done] = await waitForReplies(stack(), customer, 3);
    expect(done?.resource.body).toMatch(
      /^Thanks! Checking order 654321 from \w+day, \w+ \d{1,2}(, \d{4})?\. - Elegi\+$/,
    );

    const transcript = await transcriptOf(stack(), customer, ACME.tenantId);
    expect(new Set(transcript.map((entry) => entry.conversationId))).toEqual(
      new Set([started.conversationId]),
    );
    await sleep(500);
    expect(repliesTo(stack(), customer)).toHaveLength(3);
  });

  it('sends one message with a body', async () => {
    const customer = '+15557771002';
    const response = await start(ACME.tenantId, {
      from: ACME.number,
      to: customer,
      body: 'Your order shipped',
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ kind: 'message', conversationId: '', status: 'queued' });
    const [sms] = await waitForReplies(stack(), customer, 1);
    expect(sms?.resource.body).toBe('Your order shipped');
  });

  it('answers only requests SigV4-signed with the local credentials (403 otherwise)', async () => {
    const body = JSON.stringify({ from: ACME.number, to: '+15557771003', body: 'hi' });
    const unsigned = await fetch(`${stack().apiUrl}/v1/tenants/${ACME.tenantId}/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toEqual({ message: 'Missing Authentication Token' });
    const forged = await start(
      ACME.tenantId,
      JSON.parse(body),
      {},
      { ...LOCAL_API_PRINCIPAL, secretAccessKey: 'guess' },
    );
    expect(forged.status).toBe(403);
    await sleep(300);
    expect(repliesTo(stack(), '+15557771003')).toEqual([]);
  });

  it('refuses with a reason: 400 invalid, 404 unknown tenant, 404 another tenant’s number', async () => {
    const invalid = await start(ACME.tenantId, { from: ACME.number, to: '+15557771004' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({
      error: 'invalid-request',
      message: 'give exactly one of workflowId and body',
    });
    const nobody = await start('nobody', { from: ACME.number, to: '+15557771004', body: 'hi' });
    expect(nobody.status).toBe(404);
    expect(await nobody.json()).toMatchObject({ error: 'tenant-not-found' });
    // Tenant isolation: acme's API path cannot send from the demo tenant's number.
    const crossTenant = await start(ACME.tenantId, {
      from: DEMO_TENANT.number,
      to: '+15557771004',
      body: 'hi',
    });
    expect(crossTenant.status).toBe(404);
    expect(await crossTenant.json()).toMatchObject({ error: 'number-not-found' });
    await sleep(300);
    expect(repliesTo(stack(), '+15557771004')).toEqual([]);
  });

  it('refuses an opted-out customer with 409 and sends nothing', async () => {
    const customer = '+15557771005';
    await text(stack(), { tenantId: ACME.tenantId, from: customer, to: ACME.number, body: 'STOP' });
    const optOuts = new DynamoOptOutStore(stack().clients.dynamo, stack().tableName);
    await waitFor('opt-out recorded', async () =>
      (await optOuts.isOptedOut(ACME.tenantId, customer)) ? true : undefined,
    );
    const response = await start(ACME.tenantId, {
      from: ACME.number,
      to: customer,
      workflowId: 'order-status',
    });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: 'opted-out' });
    await sleep(300);
    expect(repliesTo(stack(), customer)).toEqual([]);
  });
});
