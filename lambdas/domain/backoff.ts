/**
 * Retry delays with "full jitter" (AWS Architecture Blog): a random delay up to an exponentially
 * growing cap, so a burst of failures does not come back as a burst.
 */
export interface BackoffPolicy {
  readonly baseSeconds: number;
  readonly maxSeconds: number;
}

/** SQS accepts visibility timeouts up to 12 hours; ours stay far below. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseSeconds: 2, maxSeconds: 300 };

/** Delay before attempt `attempt + 1` (attempt counts from 1), in whole seconds, at least 1. */
export function backoffSeconds(
  attempt: number,
  random: () => number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  const cap = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.ceil(random() * cap));
}
