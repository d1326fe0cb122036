import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffSeconds, DEFAULT_BACKOFF } from '../../../lambdas/domain/backoff';

describe('backoff with full jitter', () => {
  it('stays within [1, min(max, base * 2^(attempt-1))]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, r) => {
          const delay = backoffSeconds(attempt, () => r);
          const cap = Math.min(DEFAULT_BACKOFF.maxSeconds, DEFAULT_BACKOFF.baseSeconds * 2 ** (attempt - 1));
          expect(delay).toBeGreaterThanOrEqual(1);
          expect(delay).toBeLessThanOrEqual(cap);
          expect(Number.isInteger(delay)).toBe(true);
        },
      ),
    );
  });

  it('grows the cap exponentially until the maximum', () => {
    expect([1, 2, 3, 4, 10].map((attempt) => backoffSeconds(attempt, () => 0.999999))).toEqual([
      2, 4, 8, 16, 300,
    ]);
  });
});
