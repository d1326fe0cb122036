import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SEGMENTS_PER_SECOND,
  bookSlot,
  MAX_PARK_SECONDS,
  segmentsPerSecondFor,
  senderKind,
  waitForSlot,
} from '../../../lambdas/domain/send-pacing';
import { failedAttempts, failureBudgetSpent } from '../../../lambdas/domain/send-attempts';

describe('sender kinds and their default rates', () => {
  it.each([
    ['+15005550006', 'longCode'],
    ['+447700900123', 'longCode'],
    ['+18005550100', 'tollFree'],
    ['+18335550100', 'tollFree'],
    ['+18885550100', 'tollFree'],
    ['+18015550100', 'longCode'],
    ['12345', 'shortCode'],
    ['898211', 'shortCode'],
    ['1234567', 'longCode'],
  ] as const)('%s is a %s', (from, kind) => {
    expect(senderKind(from)).toBe(kind);
  });

  it('prefers a configured positive rate, else the default for the kind', () => {
    expect(segmentsPerSecondFor('+15005550006')).toBe(DEFAULT_SEGMENTS_PER_SECOND.longCode);
    expect(segmentsPerSecondFor('+18005550100')).toBe(3);
    expect(segmentsPerSecondFor('12345')).toBe(30);
    expect(segmentsPerSecondFor('+15005550006', 10)).toBe(10);
    expect(segmentsPerSecondFor('+15005550006', 0)).toBe(1);
    expect(segmentsPerSecondFor('+15005550006', -2)).toBe(1);
    expect(segmentsPerSecondFor('+15005550006', Number.NaN)).toBe(1);
  });
});

describe('bookSlot (GCRA virtual scheduling)', () => {
  it('books an idle number now, and a busy one at its next free slot however far ahead', () => {
    expect(
      bookSlot({ theoreticalArrivalMs: undefined, nowMs: 1000, segments: 3, segmentsPerSecond: 1 }),
    ).toEqual({ sendAtMs: 1000, nextTheoreticalArrivalMs: 4000 });
    expect(bookSlot({ theoreticalArrivalMs: 500, nowMs: 1000, segments: 1, segmentsPerSecond: 3 })).toEqual({
      sendAtMs: 1000,
      nextTheoreticalArrivalMs: 1334,
    });
    expect(
      bookSlot({ theoreticalArrivalMs: 3_601_000, nowMs: 1000, segments: 1, segmentsPerSecond: 1 }),
    ).toEqual({ sendAtMs: 3_601_000, nextTheoreticalArrivalMs: 3_602_000 });
  });

  it('rejects rates and segment counts that cannot be paced', () => {
    const base = { theoreticalArrivalMs: undefined, nowMs: 0 };
    expect(() => bookSlot({ ...base, segments: 1, segmentsPerSecond: 0 })).toThrow(RangeError);
    expect(() => bookSlot({ ...base, segments: 0, segmentsPerSecond: 1 })).toThrow(RangeError);
    expect(() => bookSlot({ ...base, segments: 1.5, segmentsPerSecond: 1 })).toThrow(RangeError);
  });

  it('never lets a number send more segments than its rate allows over any window', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 3, 10, 30),
        fc.array(
          fc.record({ gapMs: fc.integer({ min: 0, max: 3000 }), segments: fc.integer({ min: 1, max: 10 }) }),
          { minLength: 1, maxLength: 60 },
        ),
        (segmentsPerSecond, arrivals) => {
          let tat: number | undefined;
          let nowMs = 0;
          const sends: { atMs: number; segments: number }[] = [];
          for (const arrival of arrivals) {
            nowMs += arrival.gapMs;
            const slot = bookSlot({
              theoreticalArrivalMs: tat,
              nowMs,
              segments: arrival.segments,
              segmentsPerSecond,
            });
            expect(slot.sendAtMs).toBeGreaterThanOrEqual(nowMs);
            // Every booking is kept: slots come in booking order.
            if (sends.length > 0) expect(slot.sendAtMs).toBeGreaterThanOrEqual(sends.at(-1)!.atMs);
            sends.push({ atMs: slot.sendAtMs, segments: arrival.segments });
            tat = slot.nextTheoreticalArrivalMs;
          }
          // Between any two sends, the earlier ones' segments fit in the time that passed.
          for (let i = 0; i < sends.length; i++) {
            let segmentsBefore = 0;
            for (let j = i; j < sends.length; j++) {
              const elapsedMs = sends[j]!.atMs - sends[i]!.atMs;
              expect(segmentsBefore).toBeLessThanOrEqual((elapsedMs * segmentsPerSecond) / 1000 + 1e-9);
              segmentsBefore += sends[j]!.segments;
            }
          }
        },
      ),
    );
  });
});

describe('waitForSlot', () => {
  it('waits in process for a slot within the budget', () => {
    expect(waitForSlot({ sendAtMs: 2500 }, 1000, 2000)).toEqual({ kind: 'wait', waitMs: 1500 });
    expect(waitForSlot({ sendAtMs: 500 }, 1000, 0)).toEqual({ kind: 'wait', waitMs: 0 });
  });

  it('parks a later slot until shortly before it, or until it when nothing may be waited in process', () => {
    // 10 s away, 5 s of budget: back 2 s early (the lead), in 8 s.
    expect(waitForSlot({ sendAtMs: 11_000 }, 1000, 5000)).toEqual({ kind: 'park', delaySeconds: 8 });
    // No budget: back at the slot, rounded up to whole seconds (SQS's unit).
    expect(waitForSlot({ sendAtMs: 1300 }, 1000, 0)).toEqual({ kind: 'park', delaySeconds: 1 });
    expect(waitForSlot({ sendAtMs: 11_001 }, 1000, 0)).toEqual({ kind: 'park', delaySeconds: 11 });
  });

  it('parks at most 12 hours at a time (SQS invisibility)', () => {
    expect(waitForSlot({ sendAtMs: 100 * 3600_000 }, 0, 5000)).toEqual({
      kind: 'park',
      delaySeconds: MAX_PARK_SECONDS,
    });
  });

  it('comes back neither after its slot (with a budget to wait) nor so early that it must park again', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (aheadMs, budgetMs) => {
          const decision = waitForSlot({ sendAtMs: 1_000 + aheadMs }, 1_000, budgetMs);
          if (decision.kind === 'wait') {
            expect(decision.waitMs).toBeLessThanOrEqual(budgetMs);
            return;
          }
          const backMs = 1_000 + decision.delaySeconds * 1000;
          expect(decision.delaySeconds).toBeGreaterThanOrEqual(1);
          if (aheadMs <= MAX_PARK_SECONDS * 1000) {
            // Back within reach of the slot: a wait in process, never a second park.
            expect(1_000 + aheadMs - backMs).toBeLessThanOrEqual(budgetMs);
            if (budgetMs >= 1000) expect(backMs).toBeLessThanOrEqual(1_000 + aheadMs);
          }
        },
      ),
    );
  });
});

describe('failure budget (send-attempts)', () => {
  it('counts the receives before this one that were not parks', () => {
    expect(failedAttempts(1, 0)).toBe(0);
    expect(failedAttempts(9, 0)).toBe(8);
    expect(failedAttempts(9, 8)).toBe(0);
    // A redrive starts the receive count again while the parks stay recorded.
    expect(failedAttempts(1, 5)).toBe(0);
    expect(failureBudgetSpent(9, 0, 8)).toBe(true);
    expect(failureBudgetSpent(9, 1, 8)).toBe(false);
  });
});
