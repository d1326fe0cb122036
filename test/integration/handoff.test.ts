import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoOptOutStore } from '../../lambdas/adapters/dynamodb/opt-out-store';
import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { parseWorkflow } from '../../lambdas/domain/workflow/definition';
import { DEFAULT_HANDOFF_REPLY } from '../../lambdas/domain/workflow/handoff';
import { LOCAL_DEMO_TENANT_PRINCIPAL } from '../../local/endpoints';
import { loadWorkflowFile, seedTenant } from '../../local/seed';
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
import { useSmsctl } from '../support/smsctl';
import { sleep, waitFor } from '../support/wait';

/**
 * Hand-off to a person on the real local stand-ins: a fallback (action handoff) and a keyword hand
 * the conversation over, the bot goes silent, a person's reply goes through outbound.fifo, the
 * sender and the simulator's status callbacks, and a release gives it back to the bot.
 */
const stack = useLocalStack();
const { smsctl, json } = useSmsctl(stack);

const TENANT = {
  tenantId: 'handoff-co',
  name: 'Handoff Co',
  accountSid: `AC${'c3'.repeat(16)}`,
  authToken: 'handoff-token-0123456789abcdef012',
  number: '+15005550321',
  workflowFile: 'examples/workflows/order-status.json',
};
const ASK_ORDER = "I'd be happy to help! Can you provide your order number?";
const ASK_DATE = 'Thank you! When did you place this order?';

beforeAll(async () => {
  await seedTenant(stack(), TENANT);
  // The example, with its fallback handing off after two invalid answers.
  const example = await loadWorkflowFile(TENANT.workflowFile);
  const parsed = parseWorkflow({
    ...example,
    fallback: { ...example.fallback, action: 'handoff', maxAttempts: 2 },
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  await new DynamoTenantAdmin(stack().clients.dynamo, stack().tableName).putWorkflow(
    TENANT.tenantId,
    parsed.workflow,
  );
});

function customerTexts(customer: string, body: string) {
  return text(stack(), { tenantId: TENANT.tenantId, from: customer, to: TENANT.number, body });
}

/** Texts and waits for the bot's reply (the n-th message the customer has received). */
async function exchange(customer: string, body: string): Promise<string | undefined> {
  const before = repliesTo(stack(), customer).length;
  await customerTexts(customer, body);
  const replies = await waitForReplies(stack(), customer, before + 1);
  return replies[before]?.resource.body;
}

function api(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) {
  return signedFetch(
    `${stack().apiUrl}/v1/tenants/${TENANT.tenantId}/conversations/handoffs${path}`,
    { method, body: body === undefined ? '' : JSON.stringify(body), headers },
    LOCAL_API_PRINCIPAL,
  );
}

/** The customer's inbound entry of `body` once the turn recorded it. */
function recorded(customer: string, body: string) {
  return waitFor(`inbound "${body}" recorded`, async () =>
    (await transcriptOf(stack(), customer, TENANT.tenantId)).find(
      (entry) => entry.direction === 'inbound' && entry.body === body,
    ),
  );
}

describe('hand-off to a person (local)', () => {
  it('by keyword: one acknowledgement, then silence; a person replies once (idempotent), delivered; resume asks again', async () => {
    const customer = '+15557772001';
    expect(await exchange(customer, 'Where is my package?')).toContain(ASK_ORDER);
    expect(await exchange(customer, 'I want a human')).toBe(DEFAULT_HANDOFF_REPLY);

    await customerTexts(customer, 'hello? my order is 123456');
    const held = await recorded(customer, 'hello? my order is 123456');
    expect(held.note).toBe('handed-off');
    await sleep(300);
    expect(repliesTo(stack(), customer)).toHaveLength(2);

    const listed = await api('GET', '');
    expect(listed.status).toBe(200);
    const inbox = (await listed.json()) as { conversations: { customer: string; reason: string }[] };
    expect(inbox.conversations).toContainEqual(expect.objectContaining({ customer, reason: 'keyword' }));

    const request = { body: 'Hi, this is Sam from support. Let me look at order 123456.' };
    const first = await api('POST', `/${encodeURIComponent(customer)}/messages`, request, {
      'Idempotency-Key': 'sam-1',
    });
    expect(first.status).toBe(201);
    const firstText = await first.text();
    const again = await api('POST', `/${customer}/messages`, request, { 'Idempotency-Key': 'sam-1' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(firstText);

    const [, , agent] = await waitForReplies(stack(), customer, 3);
    expect(agent?.resource.body).toBe(request.body);
    expect(agent?.resource.from).toBe(TENANT.number);
    const entry = await waitForOutboundStatus(stack(), customer, 2, ['delivered'], TENANT.tenantId);
    expect(entry).toMatchObject({ author: 'agent', body: request.body });
    await sleep(300);
    expect(repliesTo(stack(), customer)).toHaveLength(3);

    const released = await json<{ mode: string; sends: { body: string }[] }>(
      'conversation',
      'release',
      '--tenant',
      TENANT.tenantId,
      '--customer',
      customer,
      '--resume',
    );
    expect(released).toMatchObject({ mode: 'resume', sends: [{ body: ASK_ORDER }] });
    const [, , , resumed] = await waitForReplies(stack(), customer, 4);
    expect(resumed?.resource.body).toBe(ASK_ORDER);
    expect(await exchange(customer, '123456')).toBe(ASK_DATE);

    const gone = (await (await api('GET', '')).json()) as { conversations: { customer: string }[] };
    expect(gone.conversations.map((conversation) => conversation.customer)).not.toContain(customer);
  });

  it('by fallback: after maxAttempts invalid answers; smsctl replies and lists; restart sends nothing and starts over', async () => {
    const customer = '+15557772002';
    expect(await exchange(customer, 'track my order')).toContain(ASK_ORDER);
    expect(await exchange(customer, 'no idea')).toContain(ASK_ORDER);
    expect(await exchange(customer, 'still no idea')).toBe(DEFAULT_HANDOFF_REPLY);

    const listed = await json<{ conversations: { customer: string; reason: string }[] }>(
      'conversation',
      'list',
      '--tenant',
      TENANT.tenantId,
      '--status',
      'handed-off',
      '--reveal',
    );
    expect(listed.conversations).toContainEqual(expect.objectContaining({ customer, reason: 'fallback' }));

    const reply = await smsctl(
      'conversation',
      'reply',
      '--tenant',
      TENANT.tenantId,
      '--customer',
      customer,
      '--to',
      TENANT.number,
      '--body',
      'Sorry about that! Your order ships tomorrow.',
    );
    expect(reply.error).toBeUndefined();
    expect(reply.stdout).toMatch(/^queued reply op-/);
    await waitForOutboundStatus(stack(), customer, 3, ['delivered'], TENANT.tenantId);

    const restart = await api('POST', `/${customer}/release`, { mode: 'restart' });
    expect(restart.status).toBe(200);
    expect(await restart.json()).toMatchObject({ mode: 'restart', sends: [] });
    // Back with the bot, from the start: a route again, without the greeting.
    expect(await exchange(customer, 'order please')).toBe(ASK_ORDER);
    // A second release finds it with the bot.
    const twice = await api('POST', `/${customer}/release`, { mode: 'restart' });
    expect(twice.status).toBe(409);
  });

  it('answers 409 with the reason for a conversation the bot has, and 404 for none', async () => {
    const customer = '+15557772003';
    expect(await exchange(customer, 'Where is my package?')).toContain(ASK_ORDER);
    const response = await api('POST', `/${customer}/messages`, { body: 'hello' });
    expect(response.status).toBe(409);
    const refusal = (await response.json()) as { error: string; message: string };
    expect(refusal.error).toBe('not-handed-off');
    expect(refusal.message).toContain('its status is collecting');

    const cli = await smsctl(
      'conversation',
      'reply',
      '--tenant',
      TENANT.tenantId,
      '--customer',
      customer,
      '--body',
      'hi',
    );
    expect(cli.code).toBe(1);
    expect(cli.error).toContain('the conversation is not handed off');

    const nobody = await api('POST', '/+15557772999/messages', { body: 'hello' });
    expect(nobody.status).toBe(404);
    const bad = await api('POST', `/${customer}/release`, { mode: 'later' });
    expect(bad.status).toBe(400);
    // Another tenant's bound caller is stopped by the API's resource policy, as on every /v1 route.
    const foreign = await signedFetch(
      `${stack().apiUrl}/v1/tenants/${TENANT.tenantId}/conversations/handoffs/${customer}/messages`,
      { method: 'POST', body: JSON.stringify({ body: 'hello' }) },
      LOCAL_DEMO_TENANT_PRINCIPAL,
    );
    expect(foreign.status).toBe(403);
    await sleep(200);
    expect(repliesTo(stack(), customer)).toHaveLength(1);
  });

  it('STOP while handed off opts the customer out silently; a reply is then refused', async () => {
    const customer = '+15557772004';
    expect(await exchange(customer, 'HUMAN')).toBe(DEFAULT_HANDOFF_REPLY);
    await customerTexts(customer, 'STOP');
    const optOuts = new DynamoOptOutStore(stack().clients.dynamo, stack().tableName);
    await waitFor('opt-out', async () =>
      (await optOuts.isOptedOut(TENANT.tenantId, customer)) ? true : undefined,
    );
    const response = await api('POST', `/${customer}/messages`, { body: 'Still there?' });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: 'opted-out' });
    const inbox = (await (await api('GET', '')).json()) as {
      conversations: { customer: string; optedOut: boolean }[];
    };
    expect(inbox.conversations).toContainEqual(expect.objectContaining({ customer, optedOut: true }));
    await sleep(300);
    expect(repliesTo(stack(), customer)).toHaveLength(1);
  });
});
