import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  campaignDurationMs,
  DEFAULT_DISPATCH_SETTINGS,
  type DispatchSender,
  type DispatchSettings,
  MIN_TICK_GAP_MS,
  nextDispatchTick,
  planRelease,
  poolDispatchSenders,
  poolSenderOf,
  type SenderClocks,
} from '../../../../lambdas/domain/campaign/dispatch-plan';
import type { PoolMember } from '../../../../lambdas/domain/number-pool';

const T0 = Date.parse('2026-06-10T12:00:00Z');

interface Customer {
  readonly phone: string;
  readonly segments: number;
}

function customers(count: number, segmentsOf: (index: number) => number = () => 1): Customer[] {
  return Array.from({ length: count }, (_, index) => ({
    phone: `+1415${String(2_000_000 + index * 37).padStart(7, '0')}`,
    segments: segmentsOf(index),
  }));
}

interface Run {
  /** When the last message's last segment went. */
  readonly finishedMs: number;
  /** Per tick and sender: segments released at that tick. */
  readonly ticks: { readonly atMs: number; readonly released: ReadonlyMap<string, number> }[];
  /** Worst backlog right after a tick, per sender, in ms of its sending. */
  readonly worstBacklogMs: ReadonlyMap<string, number>;
  /** Segments each sender was given in all. */
  readonly assignedSegments: ReadonlyMap<string, number>;
}

/**
 * A campaign run: the dispatcher ticks (on time, or late by up to `jitterMs`), releasing through
 * planRelease; each sender sends what it was given in order, at exactly its rate, as the sender's
 * pacing does.
 */
function simulate(input: {
  members: readonly PoolMember[];
  recipients: readonly Customer[];
  settings?: DispatchSettings;
  jitter?: (tick: number) => number;
}): Run {
  const settings = input.settings ?? DEFAULT_DISPATCH_SETTINGS;
  const senders = poolDispatchSenders(input.members);
  const rates = new Map(senders.map(({ sender, segmentsPerSecond }) => [sender, segmentsPerSecond]));
  const senderOf = poolSenderOf(input.members);
  let pending = [...input.recipients];
  let clocks: SenderClocks = {};
  const sendingFreeAt = new Map<string, number>();
  const worstBacklogMs = new Map<string, number>();
  const assignedSegments = new Map<string, number>();
  const ticks: Run['ticks'][number][] = [];
  let finishedMs = T0;
  for (let tick = 0; pending.length > 0; tick += 1) {
    if (tick > 1_000_000) throw new Error('the campaign never finished');
    const nowMs = T0 + tick * settings.tickMs + (input.jitter?.(tick) ?? 0);
    const plan = planRelease({
      nowMs,
      senders,
      clocks,
      candidates: pending,
      senderOf: (customer) => senderOf(customer.phone),
      segmentsOf: (customer) => customer.segments,
      settings,
    });
    clocks = plan.clocks;
    const released = new Map<string, number>();
    const releasedSet = new Set<Customer>();
    for (const { candidate, sender } of plan.released) {
      releasedSet.add(candidate);
      released.set(sender, (released.get(sender) ?? 0) + candidate.segments);
      assignedSegments.set(sender, (assignedSegments.get(sender) ?? 0) + candidate.segments);
      const rate = rates.get(sender) as number;
      const sendAt = Math.max(sendingFreeAt.get(sender) ?? nowMs, nowMs);
      const done = sendAt + (candidate.segments / rate) * 1000;
      sendingFreeAt.set(sender, done);
      finishedMs = Math.max(finishedMs, done);
    }
    for (const [sender, freeAt] of sendingFreeAt)
      worstBacklogMs.set(sender, Math.max(worstBacklogMs.get(sender) ?? 0, freeAt - nowMs));
    ticks.push({ atMs: nowMs, released });
    pending = pending.filter((customer) => !releasedSet.has(customer));
  }
  return { finishedMs, ticks, worstBacklogMs, assignedSegments };
}

/**
 * Over every stretch of ticks [a, b], a sender is given at most rate x (b - a + tick + lead) plus one
 * message: with cum(t) the segments given up to tick t, cum(b) - rate x b may exceed the least
 * cum(before a) - rate x a over the earlier ticks by at most rate x (tick + lead) + one message.
 */
function expectReleasedWithinRate(
  run: Run,
  senders: readonly DispatchSender[],
  settings: DispatchSettings,
  maxSegments: number,
) {
  for (const { sender, segmentsPerSecond } of senders) {
    const perMs = segmentsPerSecond / 1000;
    const allowance = perMs * (settings.tickMs + settings.leadMs) + maxSegments;
    let given = 0;
    let leastBefore = Number.POSITIVE_INFINITY;
    for (const { atMs, released } of run.ticks) {
      leastBefore = Math.min(leastBefore, given - perMs * (atMs - T0));
      given += released.get(sender) ?? 0;
      expect(given - perMs * (atMs - T0) - leastBefore).toBeLessThanOrEqual(allowance + 1e-6);
    }
    const worst = run.worstBacklogMs.get(sender) ?? 0;
    expect(worst).toBeLessThanOrEqual(
      settings.tickMs + settings.leadMs + (maxSegments / segmentsPerSecond) * 1000 + 1e-6,
    );
  }
}

describe('planRelease', () => {
  const one: PoolMember[] = [{ number: '+15005550006', segmentsPerSecond: 2 }];

  it('releases (tick + lead) of sending per sender, and not beyond', () => {
    const plan = planRelease({
      nowMs: T0,
      senders: poolDispatchSenders(one),
      clocks: {},
      candidates: customers(100),
      senderOf: () => '+15005550006',
      segmentsOf: (customer) => customer.segments,
    });
    // 2 segments/s x (10 s + 5 s) = 30 messages of one segment.
    expect(plan.released).toHaveLength(30);
    expect(plan.clocks).toEqual({ '+15005550006': T0 + 15_000 });
    expect(plan.saturated).toBe(true);
  });

  it('tops up at the next tick, counting segments, and lets one long message overdraw rather than wait forever', () => {
    const senders = poolDispatchSenders(one);
    const next = planRelease({
      nowMs: T0 + 10_000,
      senders,
      clocks: { '+15005550006': T0 + 15_000 },
      candidates: customers(100, () => 3),
      senderOf: () => '+15005550006',
      segmentsOf: (customer) => customer.segments,
    });
    // 10 s of room at 2 segments/s = 20 segments: 6 messages of 3 fill 18, a 7th goes over.
    expect(next.released).toHaveLength(7);
    expect(next.clocks['+15005550006']).toBe(T0 + 15_000 + 10_500);
    const slow = planRelease({
      nowMs: T0,
      senders: [{ sender: 'MG1', segmentsPerSecond: 0.05 }],
      clocks: {},
      candidates: customers(3, () => 2),
      senderOf: () => 'MG1',
      segmentsOf: (customer) => customer.segments,
    });
    expect(slow.released).toHaveLength(1);
  });

  it('does not save up idle time, and gives less to a sender with a measured backlog', () => {
    const senders = poolDispatchSenders(one);
    const afterIdle = planRelease({
      nowMs: T0 + 3_600_000,
      senders,
      clocks: { '+15005550006': T0 },
      candidates: customers(100),
      senderOf: () => '+15005550006',
      segmentsOf: (customer) => customer.segments,
    });
    expect(afterIdle.released).toHaveLength(30);
    const behind = planRelease({
      nowMs: T0,
      senders,
      clocks: {},
      candidates: customers(100),
      senderOf: () => '+15005550006',
      segmentsOf: (customer) => customer.segments,
      backlogSegments: { '+15005550006': 20 },
    });
    expect(behind.released).toHaveLength(10);
  });

  it('skips a saturated sender’s recipients and goes on with the others, in order', () => {
    const senders: DispatchSender[] = [
      { sender: 'A', segmentsPerSecond: 0.1 },
      { sender: 'B', segmentsPerSecond: 1 },
    ];
    const list = customers(40);
    const plan = planRelease({
      nowMs: T0,
      senders,
      clocks: {},
      candidates: list,
      senderOf: (customer) => (list.indexOf(customer) % 2 === 0 ? 'A' : 'B'),
      segmentsOf: () => 1,
    });
    // A: 0.1/s x 15 s = 1.5 -> 2 messages (the second overdraws); B: 15.
    const bySender = (name: string) => plan.released.filter(({ sender }) => sender === name).length;
    expect(bySender('A')).toBe(2);
    expect(bySender('B')).toBe(15);
    expect(plan.released.map(({ candidate }) => list.indexOf(candidate))).toEqual(
      [...plan.released.map(({ candidate }) => list.indexOf(candidate))].sort((a, b) => a - b),
    );
    expect(plan.saturated).toBe(true);
  });

  it('stops reading candidates once every sender is saturated', () => {
    let read = 0;
    function* endless(): Generator<Customer> {
      for (let index = 0; ; index += 1) {
        read += 1;
        yield { phone: `+1415555${String(index % 10_000).padStart(4, '0')}`, segments: 1 };
      }
    }
    const plan = planRelease({
      nowMs: T0,
      senders: [{ sender: 'A', segmentsPerSecond: 1 }],
      clocks: {},
      candidates: endless(),
      senderOf: () => 'A',
      segmentsOf: () => 1,
    });
    expect(plan.released).toHaveLength(15);
    expect(read).toBe(15);
  });

  it('refuses inputs that are a caller’s bug', () => {
    const base = {
      nowMs: T0,
      senders: [{ sender: 'A', segmentsPerSecond: 1 }],
      clocks: {},
      candidates: customers(1),
      senderOf: () => 'A',
      segmentsOf: () => 1,
    };
    expect(() => planRelease({ ...base, senderOf: () => 'B' })).toThrow(/not one of the campaign's senders/);
    expect(() => planRelease({ ...base, segmentsOf: () => 0 })).toThrow(RangeError);
    expect(() => planRelease({ ...base, senders: [{ sender: 'A', segmentsPerSecond: 0 }] })).toThrow(
      RangeError,
    );
    expect(() => planRelease({ ...base, settings: { tickMs: 0, leadMs: 0 } })).toThrow(RangeError);
  });
});

describe('a simulated campaign', () => {
  it('sends 10,000 recipients from one number within 5% of recipients / rate, backlog never over tick + lead', () => {
    const members: PoolMember[] = [{ number: '+18005550100', segmentsPerSecond: 10 }];
    const run = simulate({ members, recipients: customers(10_000) });
    const ideal = campaignDurationMs(10_000, 1, poolDispatchSenders(members));
    expect(ideal).toBe(1_000_000);
    expect(run.finishedMs - T0).toBeLessThanOrEqual(ideal * 1.05);
    expect(run.finishedMs - T0).toBeGreaterThanOrEqual(ideal);
    expectReleasedWithinRate(run, poolDispatchSenders(members), DEFAULT_DISPATCH_SETTINGS, 1);
  });

  it('sends 10,000 recipients over a pool of four within 5% of recipients / pool rate, each number at its rate', () => {
    const members: PoolMember[] = [
      { number: '+18005550100', segmentsPerSecond: 10 },
      { number: '+18005550101', segmentsPerSecond: 10 },
      { number: '+18005550102', segmentsPerSecond: 20 },
      { number: '+18005550103', segmentsPerSecond: 20 },
    ];
    const run = simulate({ members, recipients: customers(10_000) });
    const ideal = campaignDurationMs(10_000, 1, poolDispatchSenders(members));
    expect(run.finishedMs - T0).toBeLessThanOrEqual(ideal * 1.05);
    expectReleasedWithinRate(run, poolDispatchSenders(members), DEFAULT_DISPATCH_SETTINGS, 1);
    // Sticky senders: every number got recipients in proportion to its rate.
    for (const { sender, segmentsPerSecond } of poolDispatchSenders(members))
      expect((run.assignedSegments.get(sender) ?? 0) / 10_000).toBeCloseTo(segmentsPerSecond / 60, 1);
  });

  it('keeps every sender within its rate and busy to the end, for any pool, message sizes and late ticks', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            number: fc.integer({ min: 2_000_000, max: 9_999_999 }).map((n) => `+1800${n}`),
            segmentsPerSecond: fc.constantFrom(1, 3, 10, 30, 100),
          }),
          { minLength: 1, maxLength: 5, selector: (member) => member.number },
        ),
        fc.integer({ min: 100, max: 1_500 }),
        fc.integer({ min: 1, max: 4 }),
        fc.record({
          tickMs: fc.constantFrom(1_000, 5_000, 10_000, 60_000),
          leadMs: fc.constantFrom(2_000, 5_000, 15_000),
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (members, count, maxSegments, settings, lateness) => {
          const recipients = customers(count, (index) => 1 + (index % maxSegments));
          const run = simulate({
            members,
            recipients,
            settings,
            // Ticks late by up to the lead (the lead is what keeps the senders busy meanwhile), and
            // never so late that they come out of order.
            jitter: (tick) =>
              Math.floor(
                (((tick * 7919) % 101) / 100) * lateness * Math.min(settings.leadMs, settings.tickMs - 1),
              ),
          });
          const senders = poolDispatchSenders(members);
          expectReleasedWithinRate(run, senders, settings, maxSegments);
          // Each sender never ran dry while it had recipients left: it finished when its share, sent
          // back to back at its rate, would have (give or take a tick's lateness and a message).
          const slowest = Math.max(
            ...senders.map(
              ({ sender, segmentsPerSecond }) =>
                ((run.assignedSegments.get(sender) ?? 0) / segmentsPerSecond) * 1000,
            ),
          );
          expect(run.finishedMs - T0).toBeLessThanOrEqual(slowest + settings.leadMs + 1);
          // (1 ms: sums of fractions of a millisecond at epoch magnitudes round.)
          expect(run.finishedMs - T0).toBeGreaterThanOrEqual(slowest - 1);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('nextDispatchTick', () => {
  it('ticks again after a tick while recipients are eligible', () => {
    expect(nextDispatchTick({ nowMs: T0, pendingNow: true })).toBe(T0 + DEFAULT_DISPATCH_SETTINGS.tickMs);
    expect(
      nextDispatchTick({ nowMs: T0, pendingNow: true, settings: { tickMs: 2_000, leadMs: 1_000 } }),
    ).toBe(T0 + 2_000);
  });

  it('sleeps until the first quiet hours end when every pending recipient waits for them', () => {
    expect(nextDispatchTick({ nowMs: T0, pendingNow: false, nextEligibleAtMs: T0 + 8 * 3_600_000 })).toBe(
      T0 + 8 * 3_600_000,
    );
    expect(nextDispatchTick({ nowMs: T0, pendingNow: false, nextEligibleAtMs: T0 - 5_000 })).toBe(
      T0 + MIN_TICK_GAP_MS,
    );
  });

  it('stops when nothing is left', () => {
    expect(nextDispatchTick({ nowMs: T0, pendingNow: false })).toBeUndefined();
  });
});
