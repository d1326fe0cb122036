import { describe, expect, it } from 'vitest';
import { localStackBurst } from '../../bench/pacing-burst';
import { useLocalStack } from '../support/local-stack';

/**
 * Bursts on one sender number through the local stack's real sender, outbound.fifo and Twilio
 * simulator: longer than a send may wait in process (5 s), so most sends park until the slot they
 * booked. Scaled to fit CI time and this machine (the local stack sends about 11 messages a second
 * on 2 cores); `npm run bench` runs the sizes (bench/pacing-burst.ts).
 */
const stack = useLocalStack();

describe('pacing under a burst', () => {
  it.each([
    { sends: 45, segmentsPerSecond: 3, from: '+15005550201', tag: '201' },
    { sends: 20, segmentsPerSecond: 1, from: '+15005550202', tag: '202' },
  ])(
    '$sends sends on a $segmentsPerSecond/s number: each sent once, none dead-lettered, at 95-100% of the rate',
    async (options) => {
      const result = await localStackBurst(stack(), options);
      expect(result).toMatchObject({ sent: options.sends, distinct: options.sends, deadLettered: 0 });
      expect(result.achievedRatio).toBeGreaterThanOrEqual(0.95);
      // The slots themselves never exceed the rate (test/unit/domain/send-pacing.test.ts); read on the
      // simulator's clock, the first send's connection set-up can shorten the span by a few hundred ms.
      expect(result.achievedRatio).toBeLessThanOrEqual(1.05);
    },
    120_000,
  );
});
