import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SEGMENTS_PER_SECOND,
  planSend,
  segmentsPerSecondFor,
  senderKind,
} from '../../../lambdas/domain/send-pacing';

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

describe('planSend (GCRA virtual scheduling)', () => {
  it('sends an idle number now and books the segments it uses', () => {
    expect(
      planSend({
        theoreticalArrivalMs: undefined,
        nowMs: 1000,
        segments: 3,
        segmentsPerSecond: 1,
        maxWaitMs: 0,
      }),
    ).toEqual({ kind: 'send', sendAtMs: 1000, nextTheoreticalArrivalMs: 4000 });
    expect(
      planSend({ theoreticalArrivalMs: 500, nowMs: 1000, segments: 1, segmentsPerSecond: 3, maxWaitMs: 0 }),
    ).toEqual({ kind: 'send', sendAtMs: 1000, nextTheoreticalArrivalMs: 1334 });
  });

  it('waits in process for a slot within reach, and defers one beyond it', () => {
    expect(
      planSend({
        theoreticalArrivalMs: 2500,
        nowMs: 1000,
        segments: 1,
        segmentsPerSecond: 1,
        maxWaitMs: 2000,
      }),
    ).toEqual({ kind: 'send', sendAtMs: 2500, nextTheoreticalArrivalMs: 3500 });
    expect(
      planSend({
        theoreticalArrivalMs: 9000,
        nowMs: 1000,
        segments: 1,
        segmentsPerSecond: 1,
        maxWaitMs: 2000,
      }),
    ).toEqual({ kind: 'defer', retryAfterMs: 6000 });
  });

  it('rejects rates and segment counts that cannot be paced', () => {
    const base = { theoreticalArrivalMs: undefined, nowMs: 0, maxWaitMs: 0 };
    expect(() => planSend({ ...base, segments: 1, segmentsPerSecond: 0 })).toThrow(RangeError);
    expect(() => planSend({ ...base, segments: 0, segmentsPerSecond: 1 })).toThrow(RangeError);
    expect(() => planSend({ ...base, segments: 1.5, segmentsPerSecond: 1 })).toThrow(RangeError);
  });

  it('never lets a number send more segments than its rate allows over any window', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 3, 10, 30),
        fc.array(
          fc.record({ gapMs: fc.integer({ min: 0, max: 3000 }), segments: fc.integer({ min: 1, max: 10 }) }),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        fc.integer({ min: 0, max: 20_000 }),
        (segmentsPerSecond, arrivals, maxWaitMs) => {
          let tat: number | undefined;
          let nowMs = 0;
          const sends: { atMs: number; segments: number }[] = [];
          for (const arrival of arrivals) {
            nowMs += arrival.gapMs;
            const decision = planSend({
              theoreticalArrivalMs: tat,
              nowMs,
              segments: arrival.segments,
              segmentsPerSecond,
              maxWaitMs,
            });
            if (decision.kind === 'defer') {
              expect(decision.retryAfterMs).toBeGreaterThan(0);
              continue;
            }
            expect(decision.sendAtMs).toBeGreaterThanOrEqual(nowMs);
            expect(decision.sendAtMs - nowMs).toBeLessThanOrEqual(maxWaitMs);
            sends.push({ atMs: decision.sendAtMs, segments: arrival.segments });
            tat = decision.nextTheoreticalArrivalMs;
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
