import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  type HandoffDeps,
  releaseFromHandoff,
  replyToHandoff,
} from '../../../lambdas/conversations-api/handoffs';
import {
  HANDOFF_MESSAGES_RESOURCE,
  HANDOFF_RELEASE_RESOURCE,
  HANDOFFS_RESOURCE,
  handleHandoffRequest,
  isHandoffRoute,
} from '../../../lambdas/conversations-api/handoffs-http';
import type { OutboundQueueMessage } from '../../../lambdas/domain/queue-messages';
import { parseWorkflow } from '../../../lambdas/domain/workflow/definition';
import type { ConversationRecord, HandoffCommit } from '../../../lambdas/ports/conversation-store';
import type { IdempotencyRecord } from '../../../lambdas/ports/idempotency-store';
import { routes } from '../../../lib/topology';
import { RecordingQueue } from '../../support/fakes';

const parsed = parseWorkflow(JSON.parse(readFileSync('examples/workflows/order-status.json', 'utf8')));
if (!parsed.ok) throw new Error(parsed.errors.join('; '));
const workflow = parsed.workflow;

const TENANT = 'acme';
const NUMBER = '+15005550101';
const OTHER_NUMBER = '+15005550102';
const CUSTOMER = '+15551230001';
const NOW = Date.parse('2026-03-10T12:00:00.000Z');

function conversation(overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  return {
    tenantId: TENANT,
    customer: CUSTOMER,
    conversationId: 'SM1',
    businessNumber: NUMBER,
    workflowId: workflow.id,
    slots: {
      status: 'handed-off',
      routeId: 'track-order',
      variables: { order_number: '123456' },
      attempts: {},
    },
    version: 3,
    startedAt: '2026-03-10T11:00:00.000Z',
    lastActivityAt: '2026-03-10T11:50:00.000Z',
    expiresAt: '2026-03-11T11:50:00.000Z',
    ...overrides,
  };
}

/** The use cases over in-memory ports, with the store's contract (conflict on a stale version, duplicate on a known first entry). */
function world(records: ConversationRecord[] = [conversation()]) {
  const states = new Map(records.map((record) => [record.businessNumber, record]));
  const entries = new Set<string>();
  const idempotency = new Map<string, IdempotencyRecord>();
  const optedOut = new Set<string>();
  const outbound = new RecordingQueue<OutboundQueueMessage>();
  const commits: HandoffCommit[] = [];
  let conflicts = 0;
  let ids = 0;
  const deps: HandoffDeps = {
    tenants: {
      tenantExists: async (tenantId) => tenantId === TENANT,
      getNumber: async (tenantId, number) =>
        tenantId === TENANT
          ? { tenantId, number, workflowId: workflow.id, allowInboundStart: true }
          : undefined,
      getWorkflow: async (_tenantId, workflowId) => (workflowId === workflow.id ? workflow : undefined),
    },
    conversations: {
      load: async (scope) => states.get(scope.businessNumber),
      loadAll: async (tenantId, customer) =>
        tenantId === TENANT && customer === CUSTOMER ? [...states.values()] : [],
      commitHandoff: async (commit) => {
        if (conflicts > 0) {
          conflicts -= 1;
          return 'conflict';
        }
        const first = commit.replies[0]?.transcriptKey;
        if (first !== undefined && entries.has(first)) return 'duplicate';
        if (states.get(commit.businessNumber)?.version !== commit.expectedVersion) return 'conflict';
        for (const reply of commit.replies) entries.add(reply.transcriptKey);
        states.set(commit.businessNumber, commit.conversation);
        commits.push(commit);
        return 'committed';
      },
      listHandedOff: async () => [],
    },
    outbound,
    idempotency: {
      find: async (_tenantId, key) => idempotency.get(key),
      claim: async (_tenantId, key, record) => {
        const held = idempotency.get(key) ?? record;
        idempotency.set(key, held);
        return held;
      },
      complete: async (_tenantId, key, response) => {
        const held = idempotency.get(key);
        if (held) idempotency.set(key, { ...held, response });
      },
    },
    optOuts: {
      isOptedOut: async (_tenantId, customer) => optedOut.has(customer),
      optOut: async (_tenantId, customer) => void optedOut.add(customer),
      optIn: async (_tenantId, customer) => void optedOut.delete(customer),
    },
    now: () => new Date(NOW),
    randomId: () => `id${++ids}`,
  };
  return {
    deps,
    states,
    commits,
    outbound,
    optedOut,
    conflictNext: (count: number) => {
      conflicts = count;
    },
  };
}

describe('a person replies to a handed-off conversation', () => {
  it('records the agent reply, restarts the expiry window and queues one send', async () => {
    const { deps, commits, outbound, states } = world();
    const result = await replyToHandoff(
      { tenantId: TENANT, customer: CUSTOMER, body: 'Hi, Sam here.' },
      deps,
    );
    expect(result).toMatchObject({ ok: true, status: 201, replayed: false });
    expect(commits[0]?.replies).toEqual([
      expect.objectContaining({ body: 'Hi, Sam here.', author: 'agent' }),
    ]);
    expect(commits[0]?.removeListing).toBe(false);
    // Same 24 h window as before, from now.
    expect(states.get(NUMBER)).toMatchObject({
      version: 4,
      lastActivityAt: '2026-03-10T12:00:00.000Z',
      expiresAt: '2026-03-11T12:00:00.000Z',
      slots: { status: 'handed-off' },
    });
    expect(outbound.sent).toHaveLength(1);
    expect(outbound.sent[0]?.body).toMatchObject({ from: NUMBER, to: CUSTOMER, body: 'Hi, Sam here.' });
  });

  it('with an Idempotency-Key never sends twice; the same key for another body is refused', async () => {
    const { deps, outbound } = world();
    const command = { tenantId: TENANT, customer: CUSTOMER, body: 'Once.', idempotencyKey: 'k1' };
    const first = await replyToHandoff(command, deps);
    const again = await replyToHandoff(command, deps);
    expect(again).toMatchObject({ ok: true, replayed: true });
    expect(first.ok && again.ok && again.value).toEqual(first.ok && first.value);
    expect(outbound.sent).toHaveLength(1);
    expect(await replyToHandoff({ ...command, body: 'Other.' }, deps)).toMatchObject({
      ok: false,
      refusal: { status: 422, error: 'idempotency-key-reused' },
    });
  });

  it('reads again after a conflict (the customer texting at the same moment)', async () => {
    const w = world();
    w.conflictNext(2);
    expect(await replyToHandoff({ tenantId: TENANT, customer: CUSTOMER, body: 'Hi' }, w.deps)).toMatchObject({
      ok: true,
    });
    expect(w.outbound.sent).toHaveLength(1);
  });

  it.each([
    [
      'collecting',
      { slots: { status: 'collecting' as const, variables: {}, attempts: {} } },
      'its status is collecting',
    ],
    ['expired', { expiresAt: '2026-03-10T11:59:59.000Z' }, 'it expired at 2026-03-10T11:59:59.000Z'],
  ])('refuses with 409 and the reason when the conversation is %s', async (_case, overrides, reason) => {
    const { deps, outbound } = world([conversation(overrides)]);
    const result = await replyToHandoff({ tenantId: TENANT, customer: CUSTOMER, body: 'Hi' }, deps);
    expect(result).toMatchObject({ ok: false, refusal: { status: 409, error: 'not-handed-off' } });
    expect(!result.ok && result.refusal.message).toContain(reason);
    expect(outbound.sent).toHaveLength(0);
  });

  it('needs `to` when the customer is handed off on two numbers, and then answers that one', async () => {
    const { deps, outbound } = world([conversation(), conversation({ businessNumber: OTHER_NUMBER })]);
    expect(await replyToHandoff({ tenantId: TENANT, customer: CUSTOMER, body: 'Hi' }, deps)).toMatchObject({
      refusal: { status: 409, error: 'several-handed-off' },
    });
    await replyToHandoff({ tenantId: TENANT, customer: CUSTOMER, to: OTHER_NUMBER, body: 'Hi' }, deps);
    expect(outbound.sent[0]?.body.from).toBe(OTHER_NUMBER);
  });

  it('refuses an opted-out customer, an unknown tenant or customer, and a bad body, writing nothing', async () => {
    const { deps, commits, optedOut } = world();
    expect(await replyToHandoff({ tenantId: TENANT, customer: CUSTOMER, body: ' ' }, deps)).toMatchObject({
      refusal: { status: 400 },
    });
    expect(
      await replyToHandoff({ tenantId: TENANT, customer: CUSTOMER, body: 'x'.repeat(1601) }, deps),
    ).toMatchObject({
      refusal: { status: 400 },
    });
    expect(await replyToHandoff({ tenantId: 'nobody', customer: CUSTOMER, body: 'Hi' }, deps)).toMatchObject({
      refusal: { status: 404, error: 'tenant-not-found' },
    });
    expect(
      await replyToHandoff({ tenantId: TENANT, customer: '+15550000000', body: 'Hi' }, deps),
    ).toMatchObject({
      refusal: { status: 404, error: 'conversation-not-found' },
    });
    optedOut.add(CUSTOMER);
    expect(await replyToHandoff({ tenantId: TENANT, customer: CUSTOMER, body: 'Hi' }, deps)).toMatchObject({
      refusal: { status: 409, error: 'opted-out' },
    });
    expect(commits).toHaveLength(0);
  });
});

describe('releasing a handed-off conversation', () => {
  it('resume: asks the prompt it was at again and leaves the inbox', async () => {
    const { deps, commits, outbound, states } = world();
    const result = await releaseFromHandoff({ tenantId: TENANT, customer: CUSTOMER, mode: 'resume' }, deps);
    expect(result).toMatchObject({
      ok: true,
      status: 200,
      value: { mode: 'resume', sends: [{ body: 'Thank you! When did you place this order?' }] },
    });
    expect(commits[0]?.removeListing).toBe(true);
    expect(states.get(NUMBER)?.slots).toMatchObject({
      status: 'collecting',
      routeId: 'track-order',
      variables: { order_number: '123456' },
    });
    expect(outbound.sent.map((send) => send.body.body)).toEqual([
      'Thank you! When did you place this order?',
    ]);
  });

  it('restart: forgets everything and sends nothing; a second release is refused', async () => {
    const { deps, outbound, states } = world();
    expect(
      await releaseFromHandoff({ tenantId: TENANT, customer: CUSTOMER, mode: 'restart' }, deps),
    ).toMatchObject({ ok: true, value: { sends: [] } });
    expect(states.get(NUMBER)?.slots).toEqual({ status: 'collecting', variables: {}, attempts: {} });
    expect(outbound.sent).toHaveLength(0);
    expect(
      await releaseFromHandoff({ tenantId: TENANT, customer: CUSTOMER, mode: 'restart' }, deps),
    ).toMatchObject({ ok: false, refusal: { status: 409, error: 'not-handed-off' } });
  });
});

function event(
  resource: string,
  method: string,
  customer: string | undefined,
  body: unknown,
): APIGatewayProxyEvent {
  return {
    resource,
    httpMethod: method,
    path: resource,
    pathParameters: { tenantId: TENANT, ...(customer !== undefined ? { customer } : {}) },
    headers: {},
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { identity: { userArn: null } },
  } as unknown as APIGatewayProxyEvent;
}

describe('the hand-off routes', () => {
  it('are the ones lib/topology.ts declares for the conversations API', () => {
    const declared = routes.filter((route) => route.path.startsWith(HANDOFFS_RESOURCE));
    expect(declared.map((route) => `${route.method} ${route.path}`).sort()).toEqual(
      [
        `GET ${HANDOFFS_RESOURCE}`,
        `POST ${HANDOFF_MESSAGES_RESOURCE}`,
        `POST ${HANDOFF_RELEASE_RESOURCE}`,
      ].sort(),
    );
    for (const route of declared) {
      expect(route).toMatchObject({ function: 'conversations-api', authorization: 'iam' });
      expect(isHandoffRoute(event(route.path, route.method, CUSTOMER, {}))).toBe(true);
    }
  });

  it('take the customer with its + encoded, and refuse malformed requests with 400', async () => {
    const { deps, outbound } = world();
    const ok = await handleHandoffRequest(
      event(HANDOFF_MESSAGES_RESOURCE, 'POST', encodeURIComponent(CUSTOMER), { body: 'Hi' }),
      deps,
    );
    expect(ok.response.statusCode).toBe(201);
    expect(outbound.sent).toHaveLength(1);
    for (const [resource, body] of [
      [HANDOFF_MESSAGES_RESOURCE, { body: 'Hi', cc: 'x' }],
      [HANDOFF_MESSAGES_RESOURCE, ['Hi']],
      [HANDOFF_MESSAGES_RESOURCE, { body: 'Hi', to: 5 }],
      [HANDOFF_RELEASE_RESOURCE, { mode: 'later' }],
      [HANDOFF_RELEASE_RESOURCE, {}],
    ] as const) {
      const refused = await handleHandoffRequest(event(resource, 'POST', CUSTOMER, body), deps);
      expect(refused.response.statusCode, JSON.stringify(body)).toBe(400);
    }
    const listed = await handleHandoffRequest(event(HANDOFFS_RESOURCE, 'GET', undefined, undefined), deps);
    expect(JSON.parse(listed.response.body)).toEqual({ tenantId: TENANT, conversations: [] });
  });
});
