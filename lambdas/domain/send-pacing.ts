/**
 * Pacing of sends per sender number, counted in segments: Twilio sends from a long code at one
 * segment per second, a toll-free number at three and a short code at thirty or more; beyond
 * that Twilio queues, then fails with 30001 (queue overflow). We pace before calling Twilio.
 *
 * The algorithm is GCRA in its virtual-scheduling form: a number's state is one timestamp, the
 * theoretical arrival time (TAT) at which its next segment may go. A send of n segments goes at
 * max(TAT, now) and moves TAT n emission intervals later. One number, one timestamp: it fits a
 * single DynamoDB item shared by every concurrent sender invocation.
 */

/** Carrier defaults in segments per second, when a number has no configured rate. */
export const DEFAULT_SEGMENTS_PER_SECOND = { longCode: 1, tollFree: 3, shortCode: 30 } as const;

/** North American toll-free area codes (NANP). */
const TOLL_FREE_AREA_CODES = new Set(['800', '833', '844', '855', '866', '877', '888']);

export type SenderKind = keyof typeof DEFAULT_SEGMENTS_PER_SECOND;

export function senderKind(from: string): SenderKind {
  if (/^\d{5,6}$/.test(from)) return 'shortCode';
  if (from.startsWith('+1') && TOLL_FREE_AREA_CODES.has(from.slice(2, 5))) return 'tollFree';
  return 'longCode';
}

/** The configured rate when there is one, else the carrier default for the kind of number. */
export function segmentsPerSecondFor(from: string, configured?: number): number {
  if (configured !== undefined && Number.isFinite(configured) && configured > 0) return configured;
  return DEFAULT_SEGMENTS_PER_SECOND[senderKind(from)];
}

export interface PacingRequest {
  /** The number's theoretical arrival time in epoch ms; undefined when it has never sent. */
  readonly theoreticalArrivalMs: number | undefined;
  readonly nowMs: number;
  readonly segments: number;
  readonly segmentsPerSecond: number;
  /** How long the caller is willing to wait in process for its slot. */
  readonly maxWaitMs: number;
}

export type PacingDecision =
  /** Send at `sendAtMs` (now or a little later) and store `nextTheoreticalArrivalMs`. */
  | { readonly kind: 'send'; readonly sendAtMs: number; readonly nextTheoreticalArrivalMs: number }
  /** The number's backlog is longer than the caller may wait: try again in `retryAfterMs`. */
  | { readonly kind: 'defer'; readonly retryAfterMs: number };

export function planSend(request: PacingRequest): PacingDecision {
  const { nowMs, segments, segmentsPerSecond, maxWaitMs } = request;
  if (!(segmentsPerSecond > 0)) throw new RangeError('segmentsPerSecond must be positive');
  if (!Number.isInteger(segments) || segments < 1)
    throw new RangeError('segments must be a positive integer');
  const sendAtMs = Math.max(request.theoreticalArrivalMs ?? nowMs, nowMs);
  const waitMs = sendAtMs - nowMs;
  if (waitMs > Math.max(0, maxWaitMs)) {
    // Come back when the slot is within reach, not sooner: an early retry only costs a receive.
    return { kind: 'defer', retryAfterMs: waitMs - Math.max(0, maxWaitMs) };
  }
  const emissionIntervalMs = 1000 / segmentsPerSecond;
  return {
    kind: 'send',
    sendAtMs,
    nextTheoreticalArrivalMs: sendAtMs + Math.ceil(segments * emissionIntervalMs),
  };
}
