import { describe, expect, it } from 'vitest';
import { simulateBurst } from '../../../bench/pacing-burst';

/**
 * A burst through the sender's real pacing on a virtual clock (bench/pacing-burst.ts): exact
 * figures in milliseconds. The local stack's burst test (test/integration/pacing-burst.test.ts)
 * and `npm run bench` measure the same on the real stand-ins.
 */
describe('a burst on one number, paced by booked slots', () => {
  it.each([
    { sends: 200, segmentsPerSecond: 1, waitBudgetMs: 0, pollLatencyMs: 0 },
    { sends: 200, segmentsPerSecond: 1, waitBudgetMs: 5000, pollLatencyMs: 300 },
    { sends: 2000, segmentsPerSecond: 30, waitBudgetMs: 0, pollLatencyMs: 0 },
    { sends: 2000, segmentsPerSecond: 30, waitBudgetMs: 5000, pollLatencyMs: 300 },
  ])(
    '$sends sends at $segmentsPerSecond/s (wait budget $waitBudgetMs ms): all sent once, none dead-lettered, 95-100% of the rate',
    async (options) => {
      const result = await simulateBurst(options);
      expect(result.sent).toBe(options.sends);
      expect(result.distinct).toBe(options.sends);
      expect(result.deadLettered).toBe(0);
      // Booked once, parked at most until the slot (and once more if back early), then sent.
      expect(result.maxReceives).toBeLessThanOrEqual(3);
      expect(result.achievedRatio).toBeGreaterThanOrEqual(0.95);
      expect(result.achievedRatio).toBeLessThanOrEqual(1.0001);
    },
  );
});
