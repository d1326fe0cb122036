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

export interface SlotRequest {
  /** The number's theoretical arrival time in epoch ms; undefined when it has never sent. */
  readonly theoreticalArrivalMs: number | undefined;
  readonly nowMs: number;
  readonly segments: number;
  readonly segmentsPerSecond: number;
}

/** A send's place in its number's schedule: it goes at `sendAtMs`, and the number's next free slot moves on. */
export interface BookedSlot {
  readonly sendAtMs: number;
  readonly nextTheoreticalArrivalMs: number;
}

/**
 * Books the number's next slot for a send, however far ahead it is. The slot is the send's from then
 * on: a send that cannot wait for it in process parks until it comes, and never competes again (a
 * deferral that booked nothing would compete with the sends queued behind it every time it came back).
 */
export function bookSlot(request: SlotRequest): BookedSlot {
  const { nowMs, segments, segmentsPerSecond } = request;
  if (!(segmentsPerSecond > 0)) throw new RangeError('segmentsPerSecond must be positive');
  if (!Number.isInteger(segments) || segments < 1)
    throw new RangeError('segments must be a positive integer');
  const sendAtMs = Math.max(request.theoreticalArrivalMs ?? nowMs, nowMs);
  const emissionIntervalMs = 1000 / segmentsPerSecond;
  return { sendAtMs, nextTheoreticalArrivalMs: sendAtMs + Math.ceil(segments * emissionIntervalMs) };
}

/** SQS keeps a received message invisible for at most 12 hours (ChangeMessageVisibility). */
export const MAX_PARK_SECONDS = 12 * 60 * 60;

/**
 * How early a parked send comes back before its slot, so that queue and poller latency is absorbed
 * by a short wait in process rather than lost from the number's rate.
 */
export const PARK_LEAD_MS = 2_000;

export type SlotWait =
  /** Wait `waitMs` (possibly 0) in process, then send. */
  | { readonly kind: 'wait'; readonly waitMs: number }
  /**
   * The slot is further off than the caller may wait: park the send (its slot kept) and come back
   * after `delaySeconds`, a little before the slot, or after 12 hours for a slot further off still.
   */
  | { readonly kind: 'park'; readonly delaySeconds: number };

export function waitForSlot(slot: { sendAtMs: number }, nowMs: number, maxWaitMs: number): SlotWait {
  const waitMs = Math.max(0, slot.sendAtMs - nowMs);
  const budgetMs = Math.max(0, maxWaitMs);
  if (waitMs <= budgetMs) return { kind: 'wait', waitMs };
  // Back early by the lead only when the wait then fits in process; else back at the slot.
  const lead = Math.min(PARK_LEAD_MS, budgetMs);
  const delaySeconds = Math.ceil((waitMs - lead) / 1000);
  return { kind: 'park', delaySeconds: Math.min(MAX_PARK_SECONDS, Math.max(1, delaySeconds)) };
}
