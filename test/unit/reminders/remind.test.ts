import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstReminderTimer, type ReminderTimerMessage } from '../../../lambdas/domain/workflow/reminders';
import { fireReminder } from '../../../lambdas/reminders/remind';
import { awaitingOrderNumber, CUSTOMER, reminderWorkflow, T0, TENANT } from './fixtures';
import { reminderWorld } from './world';

const FIRST = firstReminderTimer(reminderWorkflow(), awaitingOrderNumber()) as ReminderTimerMessage;
const seconds = (n: number) => new Date(Date.parse(T0) + n * 1000);

describe('fireReminder', () => {
  it('sends a due reminder once, commits its marker and arms the next', async () => {
    const world = reminderWorld();
    world.clock = seconds(10);
    expect(await fireReminder(FIRST, world.deps)).toEqual({ kind: 'sent', index: 0, nextArmed: true });
    expect(world.store.record).toMatchObject({
      version: 3,
      reminder: { silenceKey: 'SM1', sent: 1, lastAt: seconds(10).toISOString() },
      // A reminder does not keep the conversation alive.
      expiresAt: awaitingOrderNumber().expiresAt,
      lastActivityAt: awaitingOrderNumber().lastActivityAt,
    });
    const [send] = world.outbound.drain();
    expect(send).toMatchObject({
      body: {
        sendId: 'SM1-reminder-0',
        transcriptKey: `${seconds(10).toISOString()}#SM1-reminder-0`,
        body: 'Still there? What is your order number?',
        to: CUSTOMER,
        conversationId: 'SM0',
        senderMms: true,
      },
      deduplicationId: 'SM1-reminder-0',
    });
    expect(world.timers.drain()).toEqual([
      { body: { ...FIRST, index: 1, dueAt: seconds(610).toISOString() }, delaySeconds: 600 },
    ]);
  });

  it('sends the second copy of a timer nothing new: the same reply again, under the same send id', async () => {
    const world = reminderWorld();
    world.clock = seconds(10);
    await fireReminder(FIRST, world.deps);
    world.clock = seconds(11);
    expect(await fireReminder(FIRST, world.deps)).toMatchObject({ kind: 'resent', index: 0 });
    const sends = world.outbound.drain().map((send) => send.body);
    expect(sends.map((send) => [send.sendId, send.transcriptKey])).toEqual([
      ['SM1-reminder-0', `${seconds(10).toISOString()}#SM1-reminder-0`],
      ['SM1-reminder-0', `${seconds(10).toISOString()}#SM1-reminder-0`],
    ]);
    expect(world.store.commits).toBe(1);
  });

  it('queues a reminder again when the attempt that committed it crashed before queueing', async () => {
    const world = reminderWorld();
    world.clock = seconds(10);
    const send = world.outbound.send.bind(world.outbound);
    world.outbound.send = async () => {
      throw new Error('SQS unavailable');
    };
    await expect(fireReminder(FIRST, world.deps)).rejects.toThrow('SQS unavailable');
    world.outbound.send = send;
    world.clock = seconds(20);
    expect(await fireReminder(FIRST, world.deps)).toMatchObject({ kind: 'resent', nextArmed: true });
    expect(world.outbound.drain().map((queued) => queued.body.transcriptKey)).toEqual([
      `${seconds(10).toISOString()}#SM1-reminder-0`,
    ]);
    // The next is due afterSeconds after the reminder went, not after the retry.
    expect(world.timers.drain()[0]?.body.dueAt).toBe(seconds(610).toISOString());
  });

  it('puts an early timer back (a hop) and sends nothing', async () => {
    const world = reminderWorld();
    world.clock = seconds(4);
    expect(await fireReminder(FIRST, world.deps)).toEqual({
      kind: 'waiting',
      delaySeconds: 6,
      quietHours: false,
    });
    expect(world.timers.drain()).toEqual([{ body: FIRST, delaySeconds: 6 }]);
    expect(world.outbound.sent).toEqual([]);
  });

  it('waits out the tenant quiet hours', async () => {
    const world = reminderWorld();
    world.quietHours = '09:00-18:00';
    // 15:00:10 UTC is 10:00 in New York (the workflow's zone; a US number has several).
    world.clock = seconds(10);
    expect(await fireReminder(FIRST, world.deps)).toMatchObject({
      kind: 'waiting',
      quietHours: true,
      delaySeconds: 900,
    });
    expect(world.timers.drain()[0]?.body.dueAt).toBe('2026-12-01T23:00:00.000Z');
  });

  it('drops the timer of a customer who opted out, or texted since (HELP leaves the state as it was)', async () => {
    const optedOut = reminderWorld();
    optedOut.clock = seconds(10);
    await optedOut.optOuts.optOut(TENANT, CUSTOMER);
    expect(await fireReminder(FIRST, optedOut.deps)).toEqual({ kind: 'dropped', reason: 'opted-out' });

    const helped = reminderWorld();
    helped.clock = seconds(10);
    helped.store.inbound.push(`${seconds(5).toISOString()}#SMhelp`);
    expect(await fireReminder(FIRST, helped.deps)).toEqual({ kind: 'dropped', reason: 'answered' });
    expect([...optedOut.outbound.sent, ...helped.outbound.sent]).toEqual([]);
  });

  it('drops the timer of a conversation that answered, is gone, or whose workflow is gone', async () => {
    const answered = reminderWorld({ record: awaitingOrderNumber({ recentMessageSids: ['SM1', 'SM2'] }) });
    answered.clock = seconds(10);
    expect(await fireReminder(FIRST, answered.deps)).toEqual({ kind: 'dropped', reason: 'answered' });
    const gone = reminderWorld({ record: undefined });
    expect(await fireReminder(FIRST, gone.deps)).toEqual({ kind: 'dropped', reason: 'conversation-gone' });
    const noWorkflow = reminderWorld({ record: awaitingOrderNumber({ workflowId: 'deleted' }) });
    noWorkflow.clock = seconds(10);
    expect(await fireReminder(FIRST, noWorkflow.deps)).toEqual({ kind: 'dropped', reason: 'workflow-gone' });
  });

  it('reads the state again after a conflict (a turn committed meanwhile) and then drops', async () => {
    const world = reminderWorld();
    world.clock = seconds(10);
    const commit = world.store.commitReminder.bind(world.store);
    world.store.commitReminder = async (reminder) => {
      // The customer's answer lands between the read and the commit.
      world.store.record = awaitingOrderNumber({ version: 3, recentMessageSids: ['SM1', 'SM2'] });
      world.store.commitReminder = commit;
      return commit(reminder);
    };
    expect(await fireReminder(FIRST, world.deps)).toEqual({ kind: 'dropped', reason: 'answered' });
    expect(world.outbound.sent).toEqual([]);
  });
});

describe('fireReminder under duplicated, reordered and failing deliveries (property)', () => {
  it('commits each reminder once, queues every committed one, and sends none early', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: 999 }), { minLength: 40, maxLength: 120 }), async (tape) => {
        let position = 0;
        const roll = () => (tape[position++ % tape.length] as number) / 1000;
        const world = reminderWorld();
        // Timers in flight: SQS may deliver a copy twice, and a failed record comes back.
        const inFlight: ReminderTimerMessage[] = [FIRST];
        const queued = new Map<string, string>();
        for (let step = 0; step < 200 && inFlight.length > 0; step++) {
          const at = Math.floor(roll() * inFlight.length);
          const timer = inFlight.splice(at, 1)[0] as ReminderTimerMessage;
          // Delivered at or after the time its delay ended (here: at a random moment around dueAt).
          world.clock = new Date(Date.parse(timer.dueAt) + Math.floor((roll() - 0.2) * 20_000));
          const failOutbound = roll() < 0.2;
          const failTimers = roll() < 0.2;
          const outboundSend = world.outbound.send.bind(world.outbound);
          const timersSend = world.timers.send.bind(world.timers);
          if (failOutbound)
            world.outbound.send = async () => {
              throw new Error('outbound down');
            };
          if (failTimers)
            world.timers.send = async () => {
              throw new Error('timers down');
            };
          const result = await fireReminder(timer, world.deps).catch(() => 'failed' as const);
          world.outbound.send = outboundSend;
          world.timers.send = timersSend;
          if (result === 'failed') inFlight.push(timer);
          for (const send of world.outbound.drain()) {
            const earlier = queued.get(send.body.sendId);
            // The same send id always carries the same transcript entry: the sender sends it once.
            if (earlier !== undefined) expect(send.body.transcriptKey).toBe(earlier);
            queued.set(send.body.sendId, send.body.transcriptKey);
          }
          for (const armed of world.timers.drain()) {
            inFlight.push(armed.body);
            if (roll() < 0.15) inFlight.push(armed.body);
          }
        }
        expect(inFlight).toEqual([]);
        expect(world.store.commits).toBe(2);
        expect([...queued.keys()].sort()).toEqual(['SM1-reminder-0', 'SM1-reminder-1']);
        // None early: the first afterSeconds after the silence began, the second after the first went.
        const sentAt = (sendId: string) =>
          Date.parse([...world.store.replies.values()].find((reply) => reply.sendId === sendId)?.at ?? '');
        expect(sentAt('SM1-reminder-0')).toBeGreaterThanOrEqual(Date.parse(FIRST.dueAt));
        expect(sentAt('SM1-reminder-1')).toBeGreaterThanOrEqual(sentAt('SM1-reminder-0') + 600_000);
      }),
      { numRuns: 150 },
    );
  });
});
