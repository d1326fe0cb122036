import { type BackoffPolicy, backoffSeconds } from '../backoff';

/** Each POST gives up after this long (the receiver should answer fast and work asynchronously). */
export const WEBHOOK_TIMEOUT_MS = 5_000;

/**
 * Tenants' endpoints recover in minutes, not seconds: full-jitter backoff from 5 s up to 15 min.
 * With the webhooks queue's 10 receives: at most ~36 min of waiting in all, ~18 min on average.
 */
export const WEBHOOK_BACKOFF: BackoffPolicy = { baseSeconds: 5, maxSeconds: 900 };

/** Delay before the next attempt after a retryable failure of attempt `attempt` (from 1). */
export function webhookRetryDelaySeconds(
  attempt: number,
  random: () => number,
  notBeforeSeconds?: number,
): number {
  const backoff = backoffSeconds(attempt, random, WEBHOOK_BACKOFF);
  return Math.max(backoff, Math.min(notBeforeSeconds ?? 0, WEBHOOK_BACKOFF.maxSeconds));
}
