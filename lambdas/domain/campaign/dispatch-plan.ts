import { type PoolMember, stickySenderChooser } from '../number-pool';
import { segmentsPerSecondFor } from '../send-pacing';

/**
 * How a campaign's dispatcher releases recipients to outbound.fifo: a little at a time, so the
 * queue holds only what its senders can send before the next tick and the one after. A campaign
 * never floods the outbound queue: a cancel or pause takes effect within a tick, conversational
 * replies on the same numbers are not stuck behind 100,000 campaign sends, and the sender's
 * pacing (send-pacing.ts) books slots for a short backlog, not a day's.
 *
 * Each sender (a pool number, or the Messaging Service as one sender at its rate) has a clock: the
 * instant at which everything released through it so far will have been sent at its rate. A tick
 * at `now` releases a recipient through its sender while that sender's clock is before
 * `now + tick + lead`, and moves the clock on by the recipient's segments at the sender's rate:
 * - the backlog a sender is given never exceeds (tick + lead) of its sending plus one message, so
 *   over any stretch the released rate exceeds the sender's rate by at most that much;
 * - the next tick comes after `tick`, while `lead` of sending is still queued: the sender never
 *   runs dry while recipients are pending, and the campaign takes recipients x segments / rate;
 * - a clock behind `now` (idle, or the dispatcher was late) starts again from `now`: unused time
 *   is not saved up into a burst.
 * Clocks are stored with the campaign. A clock lost or stale (a crash between release and save)
 * costs at most one tick's extra backlog, which the sender's own pacing absorbs.
 *
 * With a pool, each recipient goes through its sticky sender (number-pool.ts stickySenderChooser,
 * weighted by rate so each number gets its share of recipients); a recipient whose sender's share
 * of this tick is used up stays pending for the next tick, while the others' go on.
 */

export interface DispatchSender {
  /** A pool number (E.164) or a Messaging Service SID. */
  readonly sender: string;
  readonly segmentsPerSecond: number;
}

export interface DispatchSettings {
  /** Time between ticks. */
  readonly tickMs: number;
  /** Sending kept queued beyond the next tick, for the dispatcher's own delay. */
  readonly leadMs: number;
}

/**
 * A tick every 10 s (a self-scheduling SQS delay message or a Step Functions wait) keeps at most
 * 15 s of sending per number in the outbound queue, and costs 8,640 ticks a day while running.
 */
export const DEFAULT_DISPATCH_SETTINGS: DispatchSettings = { tickMs: 10_000, leadMs: 5_000 };

/** The pool's numbers as dispatch senders, each at its configured or carrier-default rate. */
export function poolDispatchSenders(members: readonly PoolMember[]): DispatchSender[] {
  return [...new Map(members.map((member) => [member.number, member])).values()].map((member) => ({
    sender: member.number,
    segmentsPerSecond: segmentsPerSecondFor(member.number, member.segmentsPerSecond),
  }));
}

/** Which pool number sends to a customer: sticky and weighted by rate (number-pool.ts). */
export function poolSenderOf(members: readonly PoolMember[]): (customer: string) => string {
  return stickySenderChooser(members);
}

/** Sender -> epoch ms at which what was released through it will have been sent (absent: idle). */
export type SenderClocks = Readonly<Record<string, number>>;

export interface ReleaseRequest<T> {
  readonly nowMs: number;
  readonly senders: readonly DispatchSender[];
  readonly clocks: SenderClocks;
  /** Recipients eligible now (pending, outside their quiet hours), in the order to send them. */
  readonly candidates: Iterable<T>;
  /** The sender of a candidate: one of `senders` (poolSenderOf for a pool). */
  readonly senderOf: (candidate: T) => string;
  /** Segments of the candidate's first message (countSegments; all of its parts). */
  readonly segmentsOf: (candidate: T) => number;
  readonly settings?: DispatchSettings;
  /**
   * Segments still unsent per sender, when the caller measures it: a sender slower than its rate
   * (Twilio 429s, other traffic) then gets less, never more.
   */
  readonly backlogSegments?: Readonly<Record<string, number>>;
}

export interface ReleasePlan<T> {
  /** Release these now (enqueue each, then mark it queued), in this order. */
  readonly released: readonly { readonly candidate: T; readonly sender: string }[];
  /** The clocks to store with the campaign. */
  readonly clocks: SenderClocks;
  /** Every sender's share of this tick is used up: reading more candidates now would release nothing. */
  readonly saturated: boolean;
}

function checkSettings({ tickMs, leadMs }: DispatchSettings): void {
  if (!(tickMs > 0) || !(leadMs >= 0) || !Number.isFinite(tickMs + leadMs))
    throw new RangeError('tickMs must be positive and leadMs non-negative');
}

/**
 * One tick's releases: the candidates, in order, whose sender's clock is still before the horizon
 * (see the top of this module). Reads the candidates only until every sender is saturated.
 */
export function planRelease<T>(request: ReleaseRequest<T>): ReleasePlan<T> {
  const settings = request.settings ?? DEFAULT_DISPATCH_SETTINGS;
  checkSettings(settings);
  const { nowMs } = request;
  const horizonMs = nowMs + settings.tickMs + settings.leadMs;
  const rates = new Map<string, number>();
  for (const { sender, segmentsPerSecond } of request.senders) {
    if (!(segmentsPerSecond > 0) || !Number.isFinite(segmentsPerSecond))
      throw new RangeError(`sender ${sender} needs a positive rate`);
    rates.set(sender, segmentsPerSecond);
  }
  const clocks = new Map<string, number>();
  for (const [sender, rate] of rates) {
    const backlogMs = ((request.backlogSegments?.[sender] ?? 0) / rate) * 1000;
    clocks.set(sender, Math.max(request.clocks[sender] ?? nowMs, nowMs, nowMs + Math.max(0, backlogMs)));
  }
  const open = new Set([...clocks].filter(([, clock]) => clock < horizonMs).map(([sender]) => sender));
  const released: { candidate: T; sender: string }[] = [];
  if (open.size > 0) {
    for (const candidate of request.candidates) {
      const sender = request.senderOf(candidate);
      const rate = rates.get(sender);
      if (rate === undefined) throw new RangeError(`${sender} is not one of the campaign's senders`);
      if (!open.has(sender)) continue;
      const segments = request.segmentsOf(candidate);
      if (!Number.isInteger(segments) || segments < 1)
        throw new RangeError('segments must be a positive integer');
      const clock = (clocks.get(sender) as number) + (segments / rate) * 1000;
      clocks.set(sender, clock);
      released.push({ candidate, sender });
      if (clock >= horizonMs) {
        open.delete(sender);
        if (open.size === 0) break;
      }
    }
  }
  return { released, clocks: Object.fromEntries(clocks), saturated: open.size === 0 };
}

/** Ticks never come closer than this, whatever the inputs: a clock skew must not make a busy loop. */
export const MIN_TICK_GAP_MS = 1_000;

/**
 * When the dispatcher should tick next, or undefined when nothing is left to release (the campaign
 * completes once the file was read to the end). `pendingNow`: eligible recipients were left
 * (saturated, or more pages to read); `nextEligibleAtMs`: the earliest a waiting recipient's
 * quiet hours end.
 */
export function nextDispatchTick(input: {
  readonly nowMs: number;
  readonly pendingNow: boolean;
  readonly nextEligibleAtMs?: number;
  readonly settings?: DispatchSettings;
}): number | undefined {
  const settings = input.settings ?? DEFAULT_DISPATCH_SETTINGS;
  checkSettings(settings);
  if (input.pendingNow) return input.nowMs + settings.tickMs;
  if (input.nextEligibleAtMs === undefined) return undefined;
  // Hours away when every pending recipient is in quiet hours: no tick until then.
  return Math.max(input.nowMs + MIN_TICK_GAP_MS, input.nextEligibleAtMs);
}

/** How long sending `recipients` messages of `segmentsPerMessage` takes at the senders' full rate. */
export function campaignDurationMs(
  recipients: number,
  segmentsPerMessage: number,
  senders: readonly DispatchSender[],
): number {
  const rate = senders.reduce((total, { segmentsPerSecond }) => total + segmentsPerSecond, 0);
  if (!(rate > 0)) throw new RangeError('the senders need a positive rate');
  return (recipients * segmentsPerMessage * 1000) / rate;
}

/** SQS DelaySeconds takes at most 15 minutes: a farther tick comes early and delays itself again. */
export const MAX_TICK_DELAY_SECONDS = 900;

/**
 * Whole seconds from `nowMs` until `atMs`, between 0 and MAX_TICK_DELAY_SECONDS: a tick's delay on
 * the `campaigns` queue, for the first tick (until the start) and every next one.
 */
export function tickDelaySeconds(atMs: number, nowMs: number): number {
  const seconds = Math.ceil((atMs - nowMs) / 1000);
  return Math.min(MAX_TICK_DELAY_SECONDS, Math.max(0, Number.isFinite(seconds) ? seconds : 0));
}
