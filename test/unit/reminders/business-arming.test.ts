import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryMessageQueue } from '../../../lambdas/adapters/memory/message-queue';
import { type HandoffDeps, releaseFromHandoff } from '../../../lambdas/conversations-api/handoffs';
import {
  type StartOutboundDeps,
  startOutbound,
  type StartOutboundResult,
} from '../../../lambdas/conversations-api/start-outbound';
import type { OutboundStart } from '../../../lambdas/domain/outbound-request';
import type { OutboundQueueMessage } from '../../../lambdas/domain/queue-messages';
import type { Workflow } from '../../../lambdas/domain/workflow/definition';
import {
  firstReminderTimer,
  type ReminderTimerMessage,
  resumedPromptOf,
  silenceOf,
} from '../../../lambdas/domain/workflow/reminders';
import type { ConversationRecord } from '../../../lambdas/ports/conversation-store';
import type { IdempotencyRecord } from '../../../lambdas/ports/idempotency-store';
import { fireReminder } from '../../../lambdas/reminders/remind';
import { awaitingOrderNumber, BUSINESS, CUSTOMER, reminderWorkflow, T0, TENANT } from './fixtures';
import { reminderWorld } from './world';

const later = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();
const ASK_ORDER = 'What is your order number?';

/**
 * startOutbound and releaseFromHandoff over in-memory ports with the DynamoDB store's contract: a
 * start's commit is a duplicate when its first entry exists and leaves what the last turn recorded
 * (recentMessageSids, lastInboundAt); every commit is conditional on the version read.
 */
function businessWorld(workflow: Workflow = reminderWorkflow()) {
  const states = new Map<string, ConversationRecord>();
  const entries = new Set<string>();
  const idempotency = new Map<string, IdempotencyRecord>();
  const optedOut = new Set<string>();
  const outbound = new MemoryMessageQueue<OutboundQueueMessage>();
  const timers = new MemoryMessageQueue<ReminderTimerMessage>();
  const world = { clock: new Date(T0), ids: 0 };
  const tenants = {
    tenantExists: async (tenantId: string) => tenantId === TENANT,
    getNumber: async (tenantId: string, number: string) =>
      tenantId === TENANT && number === BUSINESS
        ? { tenantId, number, workflowId: workflow.id, allowInboundStart: true }
        : undefined,
    getWorkflow: async (_tenantId: string, workflowId: string) =>
      workflowId === workflow.id ? workflow : undefined,
  };
  const load = async (scope: { customer: string }) => states.get(scope.customer);
  const idempotencyStore = {
    find: async (_tenantId: string, key: string) => idempotency.get(key),
    claim: async (_tenantId: string, key: string, record: IdempotencyRecord) => {
      const held = idempotency.get(key) ?? record;
      idempotency.set(key, held);
      return held;
    },
    complete: async (
      _tenantId: string,
      key: string,
      response: NonNullable<IdempotencyRecord['response']>,
    ) => {
      const held = idempotency.get(key);
      if (held) idempotency.set(key, { ...held, response });
    },
  };
  const optOuts = {
    isOptedOut: async (_tenantId: string, customer: string) => optedOut.has(customer),
    optOut: async () => undefined,
    optIn: async () => undefined,
  };
  const start: StartOutboundDeps = {
    tenants,
    conversations: {
      load,
      commitStart: async (commit) => {
        const first = commit.replies[0]?.transcriptKey;
        if (first !== undefined && entries.has(`${commit.customer}#${first}`)) return 'duplicate';
        const current = states.get(commit.customer);
        if (commit.conversation && current?.version !== commit.expectedVersion) return 'conflict';
        for (const reply of commit.replies) entries.add(`${commit.customer}#${reply.transcriptKey}`);
        if (commit.conversation)
          states.set(commit.customer, {
            ...commit.conversation,
            ...(current?.recentMessageSids ? { recentMessageSids: current.recentMessageSids } : {}),
            ...(current?.lastInboundAt ? { lastInboundAt: current.lastInboundAt } : {}),
          });
        return 'committed';
      },
    },
    optOuts,
    outbound,
    idempotency: idempotencyStore,
    reminders: timers,
    now: () => world.clock,
    randomId: () => `r${++world.ids}`,
  };
  const handoffs: HandoffDeps = {
    tenants,
    conversations: {
      load,
      loadAll: async (_tenantId, customer) =>
        [...states.values()].filter((each) => each.customer === customer),
      commitHandoff: async (commit) => {
        const first = commit.replies[0]?.transcriptKey;
        if (first !== undefined && entries.has(`${commit.customer}#${first}`)) return 'duplicate';
        if (states.get(commit.customer)?.version !== commit.expectedVersion) return 'conflict';
        for (const reply of commit.replies) entries.add(`${commit.customer}#${reply.transcriptKey}`);
        states.set(commit.customer, commit.conversation);
        return 'committed';
      },
      listHandedOff: async () => [],
    },
    outbound,
    idempotency: idempotencyStore,
    optOuts,
    reminders: timers,
    now: () => world.clock,
    randomId: () => `r${++world.ids}`,
  };
  return { world, states, start, handoffs, outbound, timers, optedOut, workflow };
}

const TRACK: OutboundStart = {
  kind: 'workflow',
  from: BUSINESS,
  to: CUSTOMER,
  workflowId: 'order-status',
  routeId: 'track-order',
  variables: {},
};

function started(result: StartOutboundResult) {
  if (!result.ok) throw new Error(`refused: ${result.refusal.message}`);
  return result.started;
}

/** The timer fired at its due time on the conversation as the business world holds it. */
async function fire(
  timer: ReminderTimerMessage,
  record: ConversationRecord | undefined,
  inbound: string[] = [],
) {
  const reminders = reminderWorld({ record });
  reminders.store.inbound.push(...inbound);
  reminders.clock = new Date(timer.dueAt);
  const outcome = await fireReminder(timer, reminders.deps);
  return { outcome, sent: reminders.outbound.drain().map((message) => message.body) };
}

describe('silenceOf: a prompt a release asked again', () => {
  const released = awaitingOrderNumber({
    // The customer's last message (the hand-off keyword) an hour before the release.
    startedAt: later(T0, -7200),
    lastInboundAt: later(T0, -3600),
    recentMessageSids: ['SM0', 'SM5'],
    resumedPrompt: { id: 'op-release', at: T0 },
  });

  it('is a silence of its own, begun at the release, answered by any message after it', () => {
    expect(silenceOf(released)).toEqual({ key: 'op-release', since: T0, answeredAfter: `${T0}#` });
    expect(firstReminderTimer(reminderWorkflow(), released)).toMatchObject({
      silenceKey: 'op-release',
      dueAt: later(T0, 10),
    });
  });

  it('gives way to a customer message applied after it, and to a start after it', () => {
    const answered = { ...released, lastInboundAt: later(T0, 1), recentMessageSids: ['SM5', 'SM6'] };
    expect(silenceOf(answered).key).toBe('SM6');
    const restarted = { ...released, conversationId: 'op-start', startedAt: later(T0, 5) };
    expect(silenceOf(restarted).key).toBe('op-start');
  });

  it('is the latest of the three beginnings (property)', () => {
    const instant = fc.integer({ min: 0, max: 10_000 }).map((seconds) => later(T0, seconds));
    fc.assert(
      fc.property(instant, fc.option(instant), fc.option(instant), (startedAt, inbound, resumedAt) => {
        const record = awaitingOrderNumber({
          conversationId: 'op-start',
          startedAt,
          recentMessageSids: inbound === null ? [] : ['SMlast'],
          lastInboundAt: inbound ?? undefined,
          ...(resumedAt === null ? {} : { resumedPrompt: { id: 'op-release', at: resumedAt } }),
        });
        const silence = silenceOf(record);
        const beginnings = [startedAt, inbound, resumedAt].filter((at): at is string => at !== null);
        expect(silence.since).toBe(beginnings.sort().at(-1));
        expect(['op-start', 'SMlast', 'op-release']).toContain(silence.key);
      }),
    );
  });

  it('reads a stored resumed prompt leniently', () => {
    expect(resumedPromptOf({ id: 'op-1', at: T0 })).toEqual({ id: 'op-1', at: T0 });
    for (const bad of [undefined, null, 'op-1', { id: '', at: T0 }, { id: 'op-1' }, { id: 3, at: T0 }])
      expect(resumedPromptOf(bad)).toBeUndefined();
  });
});

describe('a business start arms the first reminder', () => {
  it('of a workflow start whose prompt has reminders: keyed by the conversation, due afterSeconds after the start', async () => {
    const { start, timers, states } = businessWorld();
    const { conversationId } = started(await startOutbound({ tenantId: TENANT, start: TRACK }, start));
    const expected: ReminderTimerMessage = {
      v: 1,
      tenantId: TENANT,
      businessNumber: BUSINESS,
      customer: CUSTOMER,
      conversationId,
      silenceKey: conversationId,
      index: 0,
      dueAt: later(T0, 10),
    };
    expect(timers.drain()).toEqual([{ body: expected, delaySeconds: 10 }]);
    // The reminders function sends it to the customer who stayed silent.
    const { outcome, sent } = await fire(expected, states.get(CUSTOMER));
    expect(outcome).toMatchObject({ kind: 'sent', index: 0, nextArmed: true });
    expect(sent.map((message) => message.body)).toEqual([`Still there? ${ASK_ORDER}`]);
  });

  it('for a campaign recipient as for the API (the same use case, the campaign carried along)', async () => {
    const { start, timers } = businessWorld();
    const result = await startOutbound(
      { tenantId: TENANT, start: TRACK, idempotencyKey: 'campaign-1#+15551230001', campaignId: 'cmp-1' },
      start,
    );
    expect(timers.drain().map((timer) => timer.body.silenceKey)).toEqual([started(result).conversationId]);
  });

  it('not for a single message, a greeting that picks no route, a route without reminders, nor a start that completes', async () => {
    const { start, timers } = businessWorld();
    const customers = ['+15551230011', '+15551230012', '+15551230013', '+15551230014'];
    const starts: OutboundStart[] = [
      { kind: 'message', from: BUSINESS, to: customers[0] as string, body: 'Your order shipped.' },
      { ...TRACK, to: customers[1] as string, routeId: undefined },
      { ...TRACK, to: customers[2] as string, routeId: 'other' },
      {
        ...TRACK,
        to: customers[3] as string,
        variables: { order_number: '123456', order_date: 'December 1' },
      },
    ];
    for (const each of starts) started(await startOutbound({ tenantId: TENANT, start: each }, start));
    expect(timers.drain()).toEqual([]);
  });

  it('not for a refused start: opted out, or the customer in another conversation', async () => {
    const { start, timers, optedOut, states } = businessWorld();
    optedOut.add(CUSTOMER);
    expect((await startOutbound({ tenantId: TENANT, start: TRACK }, start)).ok).toBe(false);
    optedOut.delete(CUSTOMER);
    states.set(CUSTOMER, awaitingOrderNumber({ version: 1 }));
    const busy = await startOutbound({ tenantId: TENANT, start: TRACK }, start);
    expect(busy.ok || busy.refusal.error).toBe('conversation-active');
    expect(timers.drain()).toEqual([]);
  });

  it('once for a replayed Idempotency-Key (the replay is answered from the key, arming nothing)', async () => {
    const { start, timers, world } = businessWorld();
    const command = { tenantId: TENANT, start: TRACK, idempotencyKey: 'k-1' };
    const first = started(await startOutbound(command, start));
    world.clock = new Date(later(T0, 3));
    const replay = await startOutbound(command, start);
    expect(replay).toMatchObject({ ok: true, replayed: true });
    expect(timers.drain().map((timer) => timer.body.silenceKey)).toEqual([first.conversationId]);
  });

  it('again when a start that crashed before arming is retried, unless the customer answered meanwhile', async () => {
    const crashing = async (world: ReturnType<typeof businessWorld>) => {
      const send = world.outbound.send.bind(world.outbound);
      world.outbound.send = async () => {
        throw new Error('crash after the commit');
      };
      const command = { tenantId: TENANT, start: TRACK, idempotencyKey: 'k-2' };
      await expect(startOutbound(command, world.start)).rejects.toThrow('crash after the commit');
      world.outbound.send = send;
      return command;
    };

    const silent = businessWorld();
    const command = await crashing(silent);
    expect(silent.timers.drain()).toEqual([]);
    silent.world.clock = new Date(later(T0, 4));
    const retried = started(await startOutbound(command, silent.start));
    // The same start (its ids and time), armed from the state read again: due 10 s after the start.
    expect(silent.timers.drain()).toEqual([
      {
        body: expect.objectContaining({ silenceKey: retried.conversationId, dueAt: later(T0, 10) }),
        delaySeconds: 6,
      },
    ]);

    const answering = businessWorld();
    const again = await crashing(answering);
    const state = answering.states.get(CUSTOMER) as ConversationRecord;
    answering.states.set(CUSTOMER, {
      ...state,
      version: state.version + 1,
      lastInboundAt: later(T0, 2),
      recentMessageSids: ['SManswer'],
    });
    answering.world.clock = new Date(later(T0, 4));
    started(await startOutbound(again, answering.start));
    expect(answering.timers.drain()).toEqual([]);
  });
});

describe('a hand-off released with resume arms the first reminder of the prompt it asks again', () => {
  /** Handed off by the customer's SM5 an hour before T0; reminders had gone out in the silence before it. */
  function handedOff() {
    const business = businessWorld();
    business.states.set(
      CUSTOMER,
      awaitingOrderNumber({
        slots: { status: 'handed-off', routeId: 'track-order', variables: {}, attempts: {} },
        startedAt: later(T0, -7200),
        lastActivityAt: later(T0, -1800),
        lastInboundAt: later(T0, -3600),
        recentMessageSids: ['SM0', 'SM5'],
        reminder: { silenceKey: 'SM5', sent: 2, lastAt: later(T0, -3000) },
      }),
    );
    return business;
  }

  it('keyed by the release, due afterSeconds after it, and sent even though earlier reminders went out', async () => {
    const { handoffs, timers, states } = handedOff();
    const result = await releaseFromHandoff(
      { tenantId: TENANT, customer: CUSTOMER, mode: 'resume' },
      handoffs,
    );
    if (!result.ok) throw new Error(result.refusal.message);
    const [send] = result.value.sends;
    expect(send?.body).toBe(ASK_ORDER);
    const releaseId = send?.sendId.replace(/-0$/, '');
    const state = states.get(CUSTOMER);
    expect(state).toMatchObject({ resumedPrompt: { id: releaseId, at: T0 } });
    expect(state?.reminder).toBeUndefined();
    const [timer] = timers.drain();
    expect(timer).toEqual({
      body: expect.objectContaining({ silenceKey: releaseId, index: 0, dueAt: later(T0, 10) }),
      delaySeconds: 10,
    });
    // Keyed by the customer's last message it would have been due (and sent) right away, 50 min ago.
    const { resumedPrompt: _release, ...unreleased } = state as ConversationRecord;
    expect(firstReminderTimer(reminderWorkflow(), unreleased)?.dueAt).toBe(later(T0, -3590));

    // The customer's messages to the person, before the release, do not count as an answer.
    const { outcome, sent } = await fire(timer!.body, state, [`${later(T0, -600)}#SM6`]);
    expect(outcome).toMatchObject({ kind: 'sent', index: 0 });
    expect(sent.map((message) => message.body)).toEqual([`Still there? ${ASK_ORDER}`]);
    // A message after the release does.
    expect((await fire(timer!.body, state, [`${later(T0, 5)}#SM7`])).outcome).toEqual({
      kind: 'dropped',
      reason: 'answered',
    });
  });

  it('nothing on a restart (no prompt asked: the customer starts over)', async () => {
    const { handoffs, timers, states } = handedOff();
    const result = await releaseFromHandoff(
      { tenantId: TENANT, customer: CUSTOMER, mode: 'restart' },
      handoffs,
    );
    expect(result).toMatchObject({ ok: true, value: { sends: [] } });
    expect(states.get(CUSTOMER)?.resumedPrompt).toBeUndefined();
    expect(timers.drain()).toEqual([]);
  });
});
