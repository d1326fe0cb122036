import { createHash } from 'node:crypto';
import { type OutboundStatus, canAdvance, deliveryOutcome } from '../message-status';
import type { CampaignProgress } from './progress';

/**
 * A campaign: one workflow start (or one text) sent to every recipient of a file, from a number, a
 * pool or the tenant's Messaging Service, paced at the senders' rates, outside quiet hours.
 *
 * Lifecycle (command: from -> to):
 * - start:    scheduled -> running (the start time came)
 * - pause:    scheduled | running -> paused
 * - resume:   paused -> running (scheduled again while the start time is still ahead)
 * - complete: running -> completed (every recipient sent or skipped)
 * - cancel:   scheduled | running | paused -> cancelled
 *
 * Only `running` releases sends. `cancelled` and `completed` are final. A command that finds the
 * campaign already where it would take it is not refused (`changed: false`): an operator or a
 * client retrying `pause` or `cancel` gets the same answer twice.
 */
export const CAMPAIGN_STATES = ['scheduled', 'running', 'paused', 'cancelled', 'completed'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/**
 * `pause` `resume` `cancel` are the operator's (API, CLI); `start` (the start time came) and
 * `complete` (every recipient was sent or skipped) are the dispatcher's.
 */
export type CampaignCommand = 'start' | 'pause' | 'resume' | 'cancel' | 'complete';

export function isCampaignState(value: string): value is CampaignState {
  return (CAMPAIGN_STATES as readonly string[]).includes(value);
}

export function isFinalCampaignState(state: CampaignState): boolean {
  return state === 'cancelled' || state === 'completed';
}

/** Does a campaign in `state` release sends? Paused and scheduled ones keep their place and wait. */
export function releasesSends(state: CampaignState): boolean {
  return state === 'running';
}

/**
 * May a send the dispatcher already released (queued on outbound.fifo, or parked for its slot) go
 * out? Not once its campaign is cancelled: the sender checks, so `cancel` stops every unsent
 * message within the sender's cache time, not only those still pending. A pause lets them go: a
 * dispatcher tick releases at most a few seconds' worth (dispatch-plan.ts), and the pending
 * recipients keep their place.
 */
export function releasedSendProceeds(state: CampaignState): boolean {
  return state !== 'cancelled';
}

export type CampaignTransition =
  | { readonly ok: true; readonly state: CampaignState; readonly changed: boolean }
  | {
      readonly ok: false;
      /** The API answers 409 Conflict. */
      readonly status: 409;
      readonly error: 'campaign-state-conflict';
      readonly message: string;
    };

function moved(from: CampaignState, to: CampaignState): CampaignTransition {
  return { ok: true, state: to, changed: from !== to };
}

const PAST: Readonly<Record<Exclude<CampaignCommand, 'start'>, string>> = {
  pause: 'paused',
  resume: 'resumed',
  cancel: 'cancelled',
  complete: 'completed',
};

function refused(state: CampaignState, command: CampaignCommand, why: string): CampaignTransition {
  return {
    ok: false,
    status: 409,
    error: 'campaign-state-conflict',
    message: `the campaign is ${state}: it cannot ${command === 'start' ? 'start' : `be ${PAST[command]}`}${why}`,
  };
}

/**
 * The state a command takes a campaign to, or a 409 refusal. `startAt` and `now` decide where a
 * resumed campaign goes: back to `scheduled` when its start time has not come yet, else `running`.
 */
export function transitionCampaign(
  campaign: { readonly state: CampaignState; readonly startAt: Date },
  command: CampaignCommand,
  now: Date,
): CampaignTransition {
  const { state } = campaign;
  switch (command) {
    case 'start':
      if (state === 'scheduled' || state === 'running') return moved(state, 'running');
      return refused(state, command, state === 'paused' ? ' (resume it)' : '');
    case 'pause':
      if (state === 'scheduled' || state === 'running' || state === 'paused') return moved(state, 'paused');
      return refused(state, command, '');
    case 'resume':
      if (state === 'paused')
        return moved(state, campaign.startAt.getTime() > now.getTime() ? 'scheduled' : 'running');
      if (state === 'scheduled' || state === 'running') return moved(state, state);
      return refused(state, command, '');
    case 'cancel':
      if (state === 'completed') return refused(state, command, ': every message was already sent');
      return moved(state, 'cancelled');
    case 'complete':
      if (state === 'running' || state === 'completed') return moved(state, 'completed');
      return refused(state, command, '');
  }
}

/** A start time this far in the past is a mistake (a stale script, a wrong zone), not "now". */
export const START_AT_PAST_TOLERANCE_MS = 60_000;
/** Further ahead than this is a typo in the year far more often than a plan. */
export const MAX_START_AHEAD_DAYS = 365;

const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/i;

export type ParsedStartAt = { ok: true; startAt: Date } | { ok: false; reason: string };

/**
 * `--start-at` / `startAt`: ISO 8601 with a zone (`2026-12-01T09:00:00Z`,
 * `2026-12-01T09:00+01:00`), a real date and time, at most a minute in the past (a start time a
 * minute old is "now": clocks and typing differ) and at most MAX_START_AHEAD_DAYS ahead. Absent:
 * `now`. A time without a zone is refused: whose nine o'clock would it be?
 */
export function parseStartAt(value: string | undefined, now: Date): ParsedStartAt {
  if (value === undefined) return { ok: true, startAt: now };
  const match = ISO_WITH_ZONE.exec(value.trim());
  if (!match)
    return {
      ok: false,
      reason:
        'start-at must be an ISO 8601 time with a zone, such as 2026-12-01T09:00:00Z or 2026-12-01T09:00:00-05:00',
    };
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((index) =>
    Number(match[index] ?? 0),
  ) as [number, number, number, number, number, number];
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const wall = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis));
  // Date.UTC rolls 2026-02-30 over to March: a date that moved was not a date.
  if (
    month < 1 ||
    wall.getUTCFullYear() !== year ||
    wall.getUTCMonth() !== month - 1 ||
    wall.getUTCDate() !== day ||
    wall.getUTCHours() !== hour ||
    wall.getUTCMinutes() !== minute ||
    wall.getUTCSeconds() !== second
  )
    return { ok: false, reason: `start-at ${value.trim()} is not a real date and time` };
  const offsetHours = Number(match[10] ?? 0);
  const offsetMinutes = Number(match[11] ?? 0);
  if (offsetHours > 14 || offsetMinutes > 59)
    return { ok: false, reason: `start-at ${value.trim()} has an offset beyond ±14:00` };
  const sign = match[9] === '-' ? -1 : 1;
  const startAt = new Date(wall.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000);
  if (startAt.getTime() < now.getTime() - START_AT_PAST_TOLERANCE_MS)
    return {
      ok: false,
      reason: `start-at ${startAt.toISOString()} is in the past (now ${now.toISOString()}): leave it out to start now`,
    };
  if (startAt.getTime() > now.getTime() + MAX_START_AHEAD_DAYS * 86_400_000)
    return {
      ok: false,
      reason: `start-at ${startAt.toISOString()} is more than ${MAX_START_AHEAD_DAYS} days ahead`,
    };
  return { ok: true, startAt };
}

/**
 * What a campaign reports, one number each, kept as flat attributes so the store adds to them
 * atomically (DynamoDB `ADD`) from any function:
 * - `total`: data rows of the file (every recipient and every skipped row);
 * - `skipped*`: rows not sent, by reason: invalid (the reader's problems), duplicate (the reader's
 *   and the store's), opted out (STOP before the send), conversation active (the customer is in
 *   another conversation with the sender number);
 * - `queued`: recipients released to the outbound queue (once each);
 * - `sent`, `delivered`, `undelivered`, `failed`: messages reaching those statuses (once each,
 *   campaignCountersForStatus); a first message Twilio must split counts once per part. `failed`
 *   also counts a send the sender refused for good (Twilio refused it, the recipient opted out in
 *   between): the message reached no status, and it was not sent;
 * - `cancelled`: released sends the sender did not send because the campaign was cancelled in the
 *   meantime (releasedSendProceeds), once each; not a failure, so not in the delivery rate;
 * - `optedOut`: recipients who sent STOP after their campaign message;
 * - `replied`: recipients who answered (once each); `completed`: workflows completed (once each).
 * "Once each" is the store's to keep, with a condition on the recipient's item.
 */
export const CAMPAIGN_COUNTERS = [
  'total',
  'skippedInvalid',
  'skippedDuplicate',
  'skippedOptedOut',
  'skippedConversationActive',
  'queued',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'cancelled',
  'optedOut',
  'replied',
  'completed',
] as const;

export type CampaignCounter = (typeof CAMPAIGN_COUNTERS)[number];
export type CampaignCounters = Readonly<Record<CampaignCounter, number>>;

export type CampaignSkipReason = 'invalid' | 'duplicate' | 'opted-out' | 'conversation-active';

export const SKIP_COUNTER: Readonly<Record<CampaignSkipReason, CampaignCounter>> = {
  invalid: 'skippedInvalid',
  duplicate: 'skippedDuplicate',
  'opted-out': 'skippedOptedOut',
  'conversation-active': 'skippedConversationActive',
};

export function emptyCampaignCounters(): CampaignCounters {
  return Object.fromEntries(CAMPAIGN_COUNTERS.map((name) => [name, 0])) as Record<CampaignCounter, number>;
}

/** Counters as stored, read defensively: a missing or non-numeric attribute is 0. */
export function campaignCountersFrom(stored: Readonly<Record<string, unknown>>): CampaignCounters {
  return Object.fromEntries(
    CAMPAIGN_COUNTERS.map((name) => {
      const value = stored[name];
      return [name, typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0];
    }),
  ) as Record<CampaignCounter, number>;
}

const REACHES_SENT: ReadonlySet<OutboundStatus> = new Set(['sent', 'delivered', 'undelivered', 'read']);

/**
 * The counters a message's move from `previous` to `next` adds one to: `sent` the first time it
 * reaches sent or beyond (a `delivered` whose `sent` callback never came was sent all the same),
 * and its outcome (`read` without `delivered` means delivered). Nothing for a move the status
 * order refuses, so a late or repeated callback counts nothing. `canceled` counts nowhere.
 */
export function campaignCountersForStatus(
  previous: OutboundStatus | undefined,
  next: OutboundStatus,
): CampaignCounter[] {
  if (!canAdvance(previous, next)) return [];
  const counters: CampaignCounter[] = [];
  if (REACHES_SENT.has(next) && (previous === undefined || !REACHES_SENT.has(previous)))
    counters.push('sent');
  const outcomeOf = (status: OutboundStatus | undefined) =>
    status === undefined ? undefined : status === 'read' ? 'delivered' : deliveryOutcome(status);
  const outcome = outcomeOf(next);
  if (outcome !== undefined && outcomeOf(previous) === undefined) counters.push(outcome);
  return counters;
}

export type { CampaignProgress } from './progress';

export function campaignProgress(counters: CampaignCounters): CampaignProgress {
  const skipped = {
    invalid: counters.skippedInvalid,
    duplicate: counters.skippedDuplicate,
    optedOut: counters.skippedOptedOut,
    conversationActive: counters.skippedConversationActive,
  };
  const skippedTotal = skipped.invalid + skipped.duplicate + skipped.optedOut + skipped.conversationActive;
  const outcomes = counters.delivered + counters.undelivered + counters.failed;
  return {
    total: counters.total,
    skipped: { ...skipped, total: skippedTotal },
    pending: Math.max(0, counters.total - skippedTotal - counters.queued),
    queued: counters.queued,
    sent: counters.sent,
    delivered: counters.delivered,
    undelivered: counters.undelivered,
    failed: counters.failed,
    cancelled: counters.cancelled,
    optedOut: counters.optedOut,
    replied: counters.replied,
    completed: counters.completed,
    deliveryRate: outcomes === 0 ? null : counters.delivered / outcomes,
  };
}

/**
 * Every recipient was queued or skipped: the dispatcher may `complete` the campaign. Only once the
 * file was read to the end (`total` final): before that, `pending` is only what was read so far.
 */
export function everyRecipientReleased(counters: CampaignCounters, fileRead: boolean): boolean {
  return fileRead && campaignProgress(counters).pending === 0;
}

/** `cmp-` and 32 hex digits: short enough for a CloudWatch dimension, a key and a URL. */
const CAMPAIGN_ID = /^cmp-[0-9a-f]{32}$/;

export function isCampaignId(value: string): boolean {
  return CAMPAIGN_ID.test(value);
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/**
 * A campaign's id: derived from the tenant and the Idempotency-Key when there is one (a retried
 * create names the same campaign, as startIdFor does for a start), else from `random` (32 hex
 * digits, e.g. randomUUID without dashes).
 */
export function campaignIdFor(
  tenantId: string,
  idempotencyKey: string | undefined,
  random: () => string,
): string {
  if (idempotencyKey === undefined) {
    const id = `cmp-${random().toLowerCase()}`;
    if (!isCampaignId(id)) throw new RangeError('random must give 32 hex digits');
    return id;
  }
  return `cmp-${digest(`campaign\n${tenantId}\n${idempotencyKey}`)}`;
}

/**
 * The id of a recipient's start in a campaign: the same for the same campaign and number, however
 * often the dispatcher, a crash or a redrive comes back to it. It is the conversation id of a
 * workflow campaign and the stem of its send ids (campaignSendId), so the sender's claim on a send
 * id lets the recipient get one message, once. The number is hashed: ids reach logs, numbers must
 * not (a hash of a phone number is not a secret, only not a number in plain sight).
 */
export function campaignRecipientId(campaignId: string, phone: string): string {
  return `${campaignId}-${digest(`${campaignId}\n${phone}`)}`;
}

/**
 * The send id of part `part` (from 0) of a recipient's first message, as startOutbound numbers a
 * start's parts (`${startId}-${index}`). At most 71 characters: an SQS deduplication id takes 128.
 */
export function campaignSendId(campaignId: string, phone: string, part = 0): string {
  if (!Number.isInteger(part) || part < 0) throw new RangeError('part must be a non-negative integer');
  return `${campaignRecipientId(campaignId, phone)}-${part}`;
}
