import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type StartOutboundDeps, startOutbound } from '../../../lambdas/conversations-api/start-outbound';
import type { OutboundStart } from '../../../lambdas/domain/outbound-request';
import type { OutboundQueueMessage } from '../../../lambdas/domain/queue-messages';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import type { ConversationRecord, StartCommit } from '../../../lambdas/ports/conversation-store';
import type { IdempotencyRecord } from '../../../lambdas/ports/idempotency-store';
import { RecordingQueue } from '../../support/fakes';

const parsed = parseWorkflow(JSON.parse(readFileSync('examples/workflows/order-status.json', 'utf8')));
if (!parsed.ok) throw new Error(parsed.errors.join('; '));
const workflow: Workflow = parsed.workflow;

const ACME = { tenantId: 'acme', number: '+15005550101' };
const OTHER = { tenantId: 'other', number: '+15005550201' };
const CUSTOMER = '+15551230001';

/** The use case over in-memory ports: two tenants, each with one number and the order-status workflow. */
function world() {
  const conversations = new Map<string, ConversationRecord>();
  const transcript = new Set<string>();
  const idempotency = new Map<string, IdempotencyRecord>();
  const optedOut = new Set<string>();
  const outbound = new RecordingQueue<OutboundQueueMessage>();
  const commits: StartCommit[] = [];
  let clock = Date.parse('2026-03-10T12:00:00.000Z');
  let ids = 0;
  const numbers: Record<string, string> = { [ACME.number]: ACME.tenantId, [OTHER.number]: OTHER.tenantId };
  const rates: Record<string, number | undefined> = {};
  const deps: StartOutboundDeps = {
    tenants: {
      tenantExists: async (tenantId) => tenantId === ACME.tenantId || tenantId === OTHER.tenantId,
      getNumber: async (tenantId, number) =>
        numbers[number] === tenantId
          ? {
              tenantId,
              number,
              workflowId: workflow.id,
              allowInboundStart: true,
              ...(rates[number] !== undefined ? { segmentsPerSecond: rates[number] } : {}),
            }
          : undefined,
      getWorkflow: async (_tenantId, workflowId) => (workflowId === workflow.id ? workflow : undefined),
    },
    conversations: {
      load: async ({ tenantId, customer }) => conversations.get(`${tenantId}#${customer}`),
      commitStart: async (commit) => {
        const marker = `${commit.tenantId}#${commit.customer}#${commit.replies[0]?.transcriptKey}`;
        if (transcript.has(marker)) return 'duplicate';
        const key = `${commit.tenantId}#${commit.customer}`;
        if ((conversations.get(key)?.version ?? undefined) !== commit.expectedVersion && commit.conversation)
          return 'conflict';
        transcript.add(marker);
        commits.push(commit);
        if (commit.conversation) conversations.set(key, commit.conversation);
        return 'committed';
      },
    },
    optOuts: {
      isOptedOut: async (tenantId, customer) => optedOut.has(`${tenantId}#${customer}`),
      optOut: async () => undefined,
      optIn: async () => undefined,
    },
    outbound,
    idempotency: {
      find: async (tenantId, key) => idempotency.get(`${tenantId}#${key}`),
      claim: async (tenantId, key, record) => {
        const existing = idempotency.get(`${tenantId}#${key}`);
        if (existing) return existing;
        idempotency.set(`${tenantId}#${key}`, record);
        return record;
      },
      complete: async (tenantId, key, response) => {
        const existing = idempotency.get(`${tenantId}#${key}`);
        if (existing) idempotency.set(`${tenantId}#${key}`, { ...existing, response });
      },
    },
    now: () => new Date((clock += 1000)),
    randomId: () => `r${++ids}`,
  };
  return { deps, conversations, idempotency, optedOut, outbound, commits, rates };
}

const workflowStart = (
  overrides: Partial<Extract<OutboundStart, { kind: 'workflow' }>> = {},
): OutboundStart => ({
  kind: 'workflow',
  from: ACME.number,
  to: CUSTOMER,
  workflowId: workflow.id,
  variables: {},
  ...overrides,
});

describe('startOutbound', () => {
  it('starts a workflow conversation: state with the variables, the first prompt on outbound.fifo', async () => {
    const { deps, conversations, outbound } = world();
    const result = await startOutbound(
      { tenantId: ACME.tenantId, start: workflowStart({ variables: { order_number: '123456' } }) },
      deps,
    );
    expect(result).toMatchObject({ ok: true, status: 201, replayed: false, started: { kind: 'workflow' } });
    if (!result.ok) return;
    const conversation = conversations.get(`${ACME.tenantId}#${CUSTOMER}`);
    expect(conversation).toMatchObject({
      conversationId: result.started.conversationId,
      businessNumber: ACME.number,
      version: 1,
      slots: { status: 'collecting', routeId: 'track-order', variables: { order_number: '123456' } },
    });
    expect(outbound.sent).toEqual([
      {
        body: expect.objectContaining({
          tenantId: ACME.tenantId,
          from: ACME.number,
          to: CUSTOMER,
          conversationId: result.started.conversationId,
          sendId: result.started.sends[0]?.sendId,
          body: `${workflow.greeting} Thank you! When did you place this order?`,
        }),
        groupId: `${ACME.tenantId}#${ACME.number}#${CUSTOMER}`,
        deduplicationId: result.started.sends[0]?.sendId,
      },
    ]);
  });

  it("sends at the from number's configured rate, as replies to inbound messages do", async () => {
    const { deps, outbound, rates } = world();
    rates[ACME.number] = 3;
    await startOutbound({ tenantId: ACME.tenantId, start: workflowStart() }, deps);
    expect(outbound.sent.map((message) => message.body.senderSegmentsPerSecond)).toEqual([3]);
  });

  it('replays the same answer for the same Idempotency-Key and request, and sends nothing new', async () => {
    const { deps, outbound, commits } = world();
    const command = { tenantId: ACME.tenantId, start: workflowStart(), idempotencyKey: 'k-1' };
    const first = await startOutbound(command, deps);
    const second = await startOutbound(command, deps);
    expect(second).toEqual({ ...first, replayed: true });
    expect(outbound.sent).toHaveLength(1);
    expect(commits).toHaveLength(1);
  });

  it('refuses the same Idempotency-Key with another request (422)', async () => {
    const { deps } = world();
    await startOutbound({ tenantId: ACME.tenantId, start: workflowStart(), idempotencyKey: 'k-1' }, deps);
    const other = await startOutbound(
      {
        tenantId: ACME.tenantId,
        start: { kind: 'message', from: ACME.number, to: CUSTOMER, body: 'Hi' },
        idempotencyKey: 'k-1',
      },
      deps,
    );
    expect(other).toMatchObject({ ok: false, refusal: { status: 422, error: 'idempotency-key-reused' } });
  });

  it('keys are per tenant: the same key of another tenant is another request', async () => {
    const { deps } = world();
    await startOutbound({ tenantId: ACME.tenantId, start: workflowStart(), idempotencyKey: 'k-1' }, deps);
    const other = await startOutbound(
      { tenantId: OTHER.tenantId, start: workflowStart({ from: OTHER.number }), idempotencyKey: 'k-1' },
      deps,
    );
    expect(other).toMatchObject({ ok: true, replayed: false });
  });

  it('after a crash between commit and answer, a retry finishes under the same ids (no second commit)', async () => {
    const { deps, outbound, commits, idempotency } = world();
    const command = { tenantId: ACME.tenantId, start: workflowStart(), idempotencyKey: 'k-crash' };
    const first = await startOutbound(command, deps);
    if (!first.ok) throw new Error('first start failed');
    // Forget the answer, as if the process died before complete().
    const record = idempotency.get(`${ACME.tenantId}#k-crash`);
    if (!record) throw new Error('no record');
    idempotency.set(`${ACME.tenantId}#k-crash`, {
      fingerprint: record.fingerprint,
      startId: record.startId,
      at: record.at,
    });
    const retry = await startOutbound(command, deps);
    expect(retry).toMatchObject({ ok: true, replayed: false, started: first.started });
    expect(commits).toHaveLength(1);
    // Enqueued again with the same dedup id: FIFO dedup and the sender's claim drop it.
    expect(outbound.sent.map((m) => m.deduplicationId)).toEqual([
      first.started.sends[0]?.sendId,
      first.started.sends[0]?.sendId,
    ]);
  });

  it('sends one message without touching the conversation', async () => {
    const { deps, conversations, outbound } = world();
    const result = await startOutbound(
      {
        tenantId: ACME.tenantId,
        start: { kind: 'message', from: ACME.number, to: CUSTOMER, body: 'Shipped' },
      },
      deps,
    );
    expect(result).toMatchObject({ ok: true, started: { kind: 'message', conversationId: '' } });
    expect(conversations.size).toBe(0);
    expect(outbound.sent[0]?.body).toMatchObject({ body: 'Shipped', conversationId: '' });
  });

  it.each([
    ['an unknown tenant', { tenantId: 'nobody', start: workflowStart() }, 404, 'tenant-not-found'],
    [
      'another tenant’s number',
      { tenantId: ACME.tenantId, start: workflowStart({ from: OTHER.number }) },
      404,
      'number-not-found',
    ],
    [
      'an unknown workflow',
      { tenantId: ACME.tenantId, start: workflowStart({ workflowId: 'nope' }) },
      404,
      'workflow-not-found',
    ],
    [
      'an unreadable prefilled variable',
      { tenantId: ACME.tenantId, start: workflowStart({ variables: { order_number: 'abc' } }) },
      422,
      'workflow-cannot-start',
    ],
  ])('refuses %s and writes nothing', async (_name, command, status, error) => {
    const { deps, outbound, commits } = world();
    expect(await startOutbound(command, deps)).toMatchObject({ ok: false, refusal: { status, error } });
    expect(outbound.sent).toEqual([]);
    expect(commits).toEqual([]);
  });

  it('refuses an opted-out customer (409) and sends nothing', async () => {
    const { deps, optedOut, outbound } = world();
    optedOut.add(`${ACME.tenantId}#${CUSTOMER}`);
    const result = await startOutbound(
      { tenantId: ACME.tenantId, start: workflowStart(), idempotencyKey: 'k' },
      deps,
    );
    expect(result).toMatchObject({ ok: false, refusal: { status: 409, error: 'opted-out' } });
    expect(outbound.sent).toEqual([]);
  });

  it('refuses to start over a conversation in progress (409), but starts after it completed', async () => {
    const { deps, conversations } = world();
    await startOutbound({ tenantId: ACME.tenantId, start: workflowStart() }, deps);
    const again = await startOutbound({ tenantId: ACME.tenantId, start: workflowStart() }, deps);
    expect(again).toMatchObject({ ok: false, refusal: { status: 409, error: 'conversation-active' } });
    const key = `${ACME.tenantId}#${CUSTOMER}`;
    const current = conversations.get(key);
    if (!current) throw new Error('no conversation');
    conversations.set(key, { ...current, slots: { ...current.slots, status: 'completed' } });
    const after = await startOutbound({ tenantId: ACME.tenantId, start: workflowStart() }, deps);
    expect(after).toMatchObject({ ok: true });
    expect(conversations.get(key)?.version).toBe(2);
  });
});
