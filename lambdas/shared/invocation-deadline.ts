import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';

/**
 * The deadline of the invocation being handled, for the calls made during it: a call that stalls
 * must be abandoned while the handler still has time to report a batch failure or dead-letter the
 * record, instead of using up the invocation (Lambda then fails the whole batch as a timeout).
 *
 * Module state, not a parameter threaded through every adapter: Lambda hands a container one event
 * at a time, so "the current invocation" is unambiguous (the local runtime does the same: one
 * invocation per worker at a time). With no deadline set (CLI, tests, scripts), calls are bounded by
 * their configured timeouts alone.
 */

/**
 * Kept free at the end of an invocation for what follows an abandoned call: reporting the record as
 * a batch item failure, which may take one or two AWS calls (ChangeMessageVisibility to delay the
 * retry, SendMessage to the DLQ; each some 10-50 ms in-region, plus one retry), logs and the EMF
 * flush. A fixed 1.5 s rather than a share of the timeout: it is what that bookkeeping needs
 * whatever the function's timeout, it leaves the shortest functions (10 s: ingest,
 * conversations-api) 85% of their time, and 10% of reconcile's 120 s would idle 12 s for nothing.
 */
export const SAFETY_MARGIN_MS = 1_500;

/**
 * Calls made inside the safety margin (the bookkeeping above) may use it, all but this: the time
 * to return the response to the runtime after the last call.
 */
export const FINAL_RESERVE_MS = 250;

/**
 * The least time worth starting an attempt with: an attempt of a few milliseconds cannot complete a
 * TLS handshake and a request, so a retry that would only get less is not made (an in-region
 * DynamoDB or SQS request takes ~10 ms; 250 ms covers a new connection and a slow answer).
 */
export const MIN_USEFUL_ATTEMPT_MS = 250;

let deadlineMs: number | undefined;

/** Sets (epoch milliseconds) or clears (`undefined`) the deadline of the current invocation. */
export function setInvocationDeadline(epochMs: number | undefined): void {
  deadlineMs = epochMs;
}

/** The current invocation's deadline (epoch milliseconds), if one is set. */
export function invocationDeadlineMs(): number | undefined {
  return deadlineMs;
}

/** Time left before the invocation's deadline (may be negative); `Infinity` when none is set. */
export function remainingMs(now: number = Date.now()): number {
  return deadlineMs === undefined ? Infinity : deadlineMs - now;
}

/**
 * The time by which a call starting now must be done, every attempt included (`Infinity` when no
 * deadline is set). Normally the deadline less the safety margin. A call that starts inside the
 * margin is the handler's bookkeeping after an abandoned call: it gets the margin, less the final
 * reserve. Fixed when the call starts, so that a call's retries never eat into the margin.
 */
export function callDeadlineMs(now: number = Date.now()): number {
  if (deadlineMs === undefined) return Infinity;
  const normal = deadlineMs - SAFETY_MARGIN_MS;
  return normal - now >= MIN_USEFUL_ATTEMPT_MS ? normal : deadlineMs - FINAL_RESERVE_MS;
}

/**
 * How long one attempt may take: the configured timeout (`0`, negative or non-finite: none, as in
 * the SDK's `requestTimeout`), capped by the time left before `endByMs` (by default the deadline of
 * a call starting now). `Infinity` means no timeout; `0` means the deadline has passed.
 */
export function attemptTimeoutMs(
  configuredMs: number,
  endByMs: number = callDeadlineMs(),
  now: number = Date.now(),
): number {
  const configured = configuredMs > 0 && Number.isFinite(configuredMs) ? configuredMs : Infinity;
  return Math.max(0, Math.min(configured, endByMs - now));
}

/**
 * Middy middleware: sets the deadline from the Lambda context before the handler runs and clears
 * it afterwards, so that code running outside an invocation (tests) never sees a stale deadline.
 */
export function invocationDeadline(): MiddlewareObj<unknown, unknown, Error, Context> {
  const clear = () => setInvocationDeadline(undefined);
  return {
    before: (request) => {
      setInvocationDeadline(Date.now() + request.context.getRemainingTimeInMillis());
    },
    after: clear,
    onError: clear,
  };
}
