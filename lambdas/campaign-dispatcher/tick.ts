import {
  type StartOutboundDeps,
  type StartRefusal,
  startOutbound,
} from '../conversations-api/start-outbound';
import {
  campaignRecipientId,
  type CampaignSkipReason,
  everyRecipientReleased,
  releasesSends,
  transitionCampaign,
} from '../domain/campaign/campaign';
import {
  DEFAULT_DISPATCH_SETTINGS,
  type DispatchSender,
  type DispatchSettings,
  nextDispatchTick,
  planRelease,
  poolDispatchSenders,
  poolSenderOf,
  type SenderClocks,
  MAX_TICK_DELAY_SECONDS,
  tickDelaySeconds,
  MIN_TICK_GAP_MS,
} from '../domain/campaign/dispatch-plan';
import { nextAllowedSendTime, parseQuietHours, type QuietHours } from '../domain/campaign/quiet-hours';
import { resolveRecipientTimeZone } from '../domain/campaign/recipient-timezone';
import type { OutboundStart } from '../domain/outbound-request';
import type { CampaignTickMessage } from '../domain/queue-messages';
import { countSegments, splitForSms } from '../domain/segments';
import { segmentsPerSecondFor } from '../domain/send-pacing';
import { renderTemplate, templateVariables } from '../domain/templates';
import { isOngoing } from '../domain/workflow/conversation-status';
import type { Workflow } from '../domain/workflow/definition';
import type { CampaignRecord, CampaignStore, DueRecipient, RecipientRelease } from '../ports/campaign-store';
import type { MessageQueue } from '../ports/message-queue';

/**
 * One dispatcher tick of a campaign (a `campaigns` queue message): load the campaign, move it from
 * `scheduled` to `running` when its start time came, release the recipients that are due at the
 * senders' rates (dispatch-plan.ts), outside their quiet hours, skipping those who opted out or are
 * in another conversation with the sender, then put the next tick, or complete the campaign.
 *
 * Exactly once per recipient: each is started with the idempotency key campaignRecipientId, so a
 * tick that runs twice, or crashed between the start and the release, replays the same start
 * (startOutbound answers from its idempotency record, and FIFO dedup plus the sender's claim drop
 * a second enqueue); the release deletes the due item on a condition, so it counts once.
 */
export interface CampaignTickDeps {
  readonly campaigns: CampaignStore;
  /** The ports startOutbound runs on (the conversations API's). */
  readonly start: StartOutboundDeps;
  /** The `campaigns` queue, for the next tick. */
  readonly ticks: MessageQueue<CampaignTickMessage>;
  readonly now: () => Date;
  readonly settings?: DispatchSettings;
  /** Due recipients read at a time (DEFAULT_PAGE_SIZE). */
  readonly pageSize?: number;
  /**
   * How long a tick may keep starting recipients (ms, from its start): the rest stay due for the
   * next tick, well within the function's timeout.
   */
  readonly budgetMs?: number;
}

export const DEFAULT_PAGE_SIZE = 200;
/** The last instant a due item's 13-digit time can name: "due at any time", to find the next one. */
const LAST_DUE_MS = 9_999_999_999_999;
const DEFAULT_BUDGET_MS = 40_000;

/** A campaign-wide problem no retry of this tick can solve (a number or workflow gone, bad media). */
export class CampaignDispatchError extends Error {
  constructor(
    readonly campaignId: string,
    readonly refusal: StartRefusal,
  ) {
    super(`campaign ${campaignId} cannot start its recipients: ${refusal.error}: ${refusal.message}`);
    this.name = 'CampaignDispatchError';
  }
}

export interface ReleaseTally {
  readonly queued: number;
  readonly postponed: number;
  readonly skipped: Readonly<Record<CampaignSkipReason, number>>;
}

export type TickOutcome =
  /** Nothing to do and no next tick: the campaign is gone, final, paused, or its file is not read yet. */
  | {
      readonly kind: 'stopped';
      readonly reason: 'not-found' | 'cancelled' | 'completed' | 'paused' | 'recipients-incomplete';
    }
  /**
   * Scheduled with its start time ahead (the tick comes back then, or in 15 minutes), or running
   * with its file still being read (the tick comes back in a tick's time).
   */
  | { readonly kind: 'waiting'; readonly nextTickSeconds: number }
  | {
      readonly kind: 'dispatched';
      readonly tally: ReleaseTally;
      /** The campaign completed with this tick (every recipient queued or skipped). */
      readonly completed: boolean;
      /** When the next tick comes; undefined when none was put (completed, or no longer running). */
      readonly nextTickSeconds?: number;
    };

type Decision = { readonly go: CampaignRecord } | { readonly done: TickOutcome };

export async function runCampaignTick(
  message: CampaignTickMessage,
  deps: CampaignTickDeps,
): Promise<TickOutcome> {
  const startedMs = deps.now().getTime();
  let campaign = await deps.campaigns.get(message.tenantId, message.campaignId);
  // A campaign that is moved by someone else as we move it is read again; twice is plenty.
  for (let attempt = 1; ; attempt += 1) {
    if (!campaign) return { kind: 'stopped', reason: 'not-found' };
    const decision = await decide(campaign, deps);
    if ('done' in decision) return decision.done;
    if (decision.go.state === 'running') {
      campaign = decision.go;
      break;
    }
    if (attempt >= 3) throw new Error(`campaign ${message.campaignId} kept changing state`);
    campaign = decision.go;
  }
  const dispatched = await dispatch(campaign, deps, startedMs);
  return finish(campaign, dispatched, startedMs, deps);
}

/**
 * What the campaign's state says this tick does. `go` with a running campaign: dispatch; `go` with
 * another record: the state moved under us, decide again on it.
 */
async function decide(campaign: CampaignRecord, deps: CampaignTickDeps): Promise<Decision> {
  const { state } = campaign;
  if (state === 'cancelled' || state === 'completed' || state === 'paused')
    return { done: { kind: 'stopped', reason: state } };
  const now = deps.now();
  // Nothing is sent before the file was read to the end. A scheduled campaign gets its first tick
  // when the last recipients are added; a running one (resumed before its file was read) keeps
  // its ticks coming until then.
  if (!campaign.recipientsComplete) {
    if (!releasesSends(state)) return { done: { kind: 'stopped', reason: 'recipients-incomplete' } };
    const tickMs = (deps.settings ?? DEFAULT_DISPATCH_SETTINGS).tickMs;
    const nextTickSeconds = await putNextTick(campaign, now.getTime() + tickMs, deps);
    return { done: { kind: 'waiting', nextTickSeconds } };
  }
  if (releasesSends(state)) return { go: campaign };
  // scheduled
  const startAt = new Date(Date.parse(campaign.startAt));
  if (startAt.getTime() > now.getTime()) {
    const nextTickSeconds = await putNextTick(campaign, startAt.getTime(), deps);
    return { done: { kind: 'waiting', nextTickSeconds } };
  }
  const move = transitionCampaign({ state, startAt }, 'start', now);
  // A scheduled campaign always may start; a refusal here is a bug in the state machine.
  if (!move.ok) throw new Error(`campaign ${campaign.campaignId}: ${move.message}`);
  const moved = await deps.campaigns.transition(
    campaign.tenantId,
    campaign.campaignId,
    state,
    move.state,
    now.toISOString(),
  );
  if (moved.ok) return { go: moved.campaign };
  if (!moved.current) return { done: { kind: 'stopped', reason: 'not-found' } };
  return { go: moved.current };
}

interface Senders {
  readonly senders: readonly DispatchSender[];
  readonly senderOf: (recipient: DueRecipient) => string;
}

/** The campaign's dispatch senders, and which of them sends to a recipient (sticky for a pool). */
function sendersOf(campaign: CampaignRecord): Senders {
  const { sender } = campaign;
  switch (sender.kind) {
    case 'number': {
      const only = {
        sender: sender.from,
        segmentsPerSecond: segmentsPerSecondFor(sender.from, sender.segmentsPerSecond),
      };
      return { senders: [only], senderOf: () => only.sender };
    }
    case 'pool': {
      const senders = poolDispatchSenders(sender.members);
      const members = new Set(senders.map((member) => member.sender));
      const choose = poolSenderOf(sender.members);
      // The sender a recipient was given before stays its sender while it is still in the pool.
      return {
        senders,
        senderOf: (recipient) =>
          recipient.from !== undefined && members.has(recipient.from)
            ? recipient.from
            : choose(recipient.phone),
      };
    }
    case 'messaging-service': {
      const service = {
        sender: sender.from,
        segmentsPerSecond: segmentsPerSecondFor(sender.from, sender.segmentsPerSecond),
      };
      return { senders: [service], senderOf: () => service.sender };
    }
  }
}

/** Starts (and postponements) a tick runs at once: each is a few DynamoDB and SQS round trips. */
const RELEASE_CONCURRENCY = 8;

/**
 * Runs `run` over the items, `concurrency` at a time. After a failure no item is started, and the
 * ones running finish before the failure is thrown: nothing of this tick goes on behind the next.
 */
async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++] as T;
      try {
        await run(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failure) throw failure.error;
}

function emptyTally(): { queued: number; postponed: number; skipped: Record<CampaignSkipReason, number> } {
  return {
    queued: 0,
    postponed: 0,
    skipped: { invalid: 0, duplicate: 0, 'opted-out': 0, 'conversation-active': 0 },
  };
}

interface Dispatched {
  readonly tally: ReleaseTally;
  /** Due recipients were left for the next tick (a sender's share used up, the page or time ran out). */
  readonly pendingNow: boolean;
}

/** Releases what is due now, in order, at the senders' rates; saves the sender clocks. */
async function dispatch(
  campaign: CampaignRecord,
  deps: CampaignTickDeps,
  startedMs: number,
): Promise<Dispatched> {
  const { tenantId, campaignId } = campaign;
  const settings = deps.settings ?? DEFAULT_DISPATCH_SETTINGS;
  const pageSize = deps.pageSize ?? DEFAULT_PAGE_SIZE;
  const budgetMs = deps.budgetMs ?? DEFAULT_BUDGET_MS;
  const now = deps.now();
  const nowMs = now.getTime();
  const { senders, senderOf } = sendersOf(campaign);
  const quietHours = quietHoursOf(campaign);
  const first = await firstMessage(campaign, deps.start, now);
  const tally = emptyTally();
  let clocks: SenderClocks = campaign.senderClocks;
  let pendingNow = false;

  const release = (recipient: DueRecipient, outcome: RecipientRelease) =>
    deps.campaigns.release(tenantId, campaignId, recipient, outcome);

  try {
    for (let pageNumber = 1; ; pageNumber += 1) {
      // A pause or cancel written during a long tick stops it at the next page.
      if (pageNumber > 1 && (await deps.campaigns.get(tenantId, campaignId))?.state !== 'running') break;
      const page = await deps.campaigns.dueRecipients(tenantId, campaignId, nowMs, pageSize);
      // Plan the page first (pure and quick), then start its releases side by side: one start is
      // several round trips, and one after another they would cap a pool's rate at the dispatcher's.
      const postponed: { recipient: DueRecipient; notBeforeMs: number }[] = [];
      const planned: { recipient: DueRecipient; sender: string }[] = [];
      let planClocks = clocks;
      let leftInPage = false;
      let outOfTime = false;
      for (const recipient of page) {
        if (deps.now().getTime() - startedMs >= budgetMs) {
          outOfTime = true;
          break;
        }
        const timeZone = resolveRecipientTimeZone(recipient, campaign.defaultTimeZone, now).timeZone;
        const allowedMs = nextAllowedSendTime(now, quietHours, timeZone).getTime();
        if (allowedMs > nowMs) {
          postponed.push({ recipient, notBeforeMs: allowedMs });
          continue;
        }
        const sender = senderOf(recipient);
        const plan = planRelease({
          nowMs,
          senders,
          clocks: planClocks,
          candidates: [recipient],
          senderOf: () => sender,
          segmentsOf: (candidate) => first.segmentsOf(candidate, sender),
          settings,
        });
        if (plan.released.length === 0) {
          // This sender's share of the tick is used up; another sender's recipients may still go.
          leftInPage = true;
          if (plan.saturated) break;
          continue;
        }
        planClocks = plan.clocks;
        planned.push({ recipient, sender });
        if (plan.saturated) {
          leftInPage = true;
          break;
        }
      }
      await forEachConcurrently(postponed, RELEASE_CONCURRENCY, async ({ recipient, notBeforeMs }) => {
        if (await release(recipient, { kind: 'postponed', notBeforeMs })) tally.postponed += 1;
      });
      const queued = new Set<DueRecipient>();
      try {
        await forEachConcurrently(planned, RELEASE_CONCURRENCY, async ({ recipient, sender }) => {
          const outcome = await startRecipient(campaign, recipient, sender, first, deps.start, now);
          if (outcome.kind === 'queued') queued.add(recipient);
          if (await release(recipient, outcome)) {
            if (outcome.kind === 'queued') tally.queued += 1;
            else tally.skipped[outcome.reason] += 1;
          }
        });
      } finally {
        // The senders' clocks move on for what was queued only (a skipped recipient sends nothing),
        // also when a start failed: what went is stored with the clocks (the outer finally).
        clocks = planRelease({
          nowMs,
          senders,
          clocks,
          candidates: planned.filter((item) => queued.has(item.recipient)),
          senderOf: (item) => item.sender,
          segmentsOf: (item) => first.segmentsOf(item.recipient, item.sender),
          settings,
        }).clocks;
      }
      if (leftInPage || outOfTime) {
        pendingNow = true;
        break;
      }
      // A full page all handled: more may be due behind it.
      if (page.length < pageSize) break;
    }
  } finally {
    if (clocks !== campaign.senderClocks) await deps.campaigns.saveSenderClocks(tenantId, campaignId, clocks);
  }
  return { tally, pendingNow };
}

function quietHoursOf(campaign: CampaignRecord): QuietHours | undefined {
  if (campaign.quietHours === undefined) return undefined;
  const parsed = parseQuietHours(campaign.quietHours);
  if (!parsed.ok) throw new Error(`campaign ${campaign.campaignId}: ${parsed.reason}`);
  return parsed.quietHours;
}

/** What each recipient gets first: its start command and its size in segments (for the rates). */
interface FirstMessage {
  readonly startOf: (recipient: DueRecipient, from: string) => OutboundStart | { readonly invalid: string };
  readonly segmentsOf: (recipient: DueRecipient, from: string) => number;
}

/** Segments of a text as startOutbound sends it (split into messages of at most 1,600 characters). */
function segmentsOfText(text: string): number {
  const parts = text === '' ? [''] : splitForSms(text);
  return parts.reduce((total, part) => total + countSegments(part).segments, 0);
}

async function firstMessage(
  campaign: CampaignRecord,
  start: StartOutboundDeps,
  now: Date,
): Promise<FirstMessage> {
  const media = campaign.mediaUrls && campaign.mediaUrls.length > 0 ? { mediaUrls: campaign.mediaUrls } : {};
  const { content } = campaign;
  if (content.kind === 'message') {
    const bodyOf = (recipient: DueRecipient) => renderTemplate(content.body, recipient.variables);
    return {
      startOf: (recipient, from) => {
        const body = bodyOf(recipient);
        const unfilled = templateVariables(body);
        if (unfilled.length > 0) return { invalid: `no value for ${[...new Set(unfilled)].join(', ')}` };
        return { kind: 'message', from, to: recipient.phone, body, ...media };
      },
      segmentsOf: (recipient) => segmentsOfText(bodyOf(recipient)),
    };
  }
  const routeId = content.routeId !== undefined ? { routeId: content.routeId } : {};
  const workflow = await start.tenants.getWorkflow(campaign.tenantId, content.workflowId);
  const opening = workflow ? await openingOf(workflow, content.routeId, now) : undefined;
  return {
    startOf: (recipient, from) => ({
      kind: 'workflow',
      from,
      to: recipient.phone,
      workflowId: content.workflowId,
      ...routeId,
      variables: recipient.variables,
      ...media,
    }),
    // A workflow that is gone, or a row it cannot start with, is refused by the start itself.
    segmentsOf: (recipient) => opening?.(recipient.variables) ?? 1,
  };
}

/** The segments of a workflow's first message for a recipient's variables, as startOutbound opens it. */
async function openingOf(
  workflow: Workflow,
  routeId: string | undefined,
  now: Date,
): Promise<(variables: Readonly<Record<string, string>>) => number | undefined> {
  // The workflow engine is loaded by the first workflow campaign, as startOutbound loads it.
  const [{ startWorkflow }, { prepareReaders }] = await Promise.all([
    import('../domain/workflow/start'),
    import('../domain/workflow/readers'),
  ]);
  await prepareReaders(workflow);
  return (variables) => {
    const opened = startWorkflow({ workflow, ...(routeId !== undefined ? { routeId } : {}), variables, now });
    return opened.ok ? segmentsOfText(opened.replies.join(' ')) : undefined;
  };
}

const SKIPPING_REFUSALS: Partial<Record<StartRefusal['error'], CampaignSkipReason>> = {
  'opted-out': 'opted-out',
  'conversation-active': 'conversation-active',
  // The row's values do not start the workflow (checked when it was added; the workflow may have changed).
  'workflow-cannot-start': 'invalid',
};

type StartOutcome = Extract<RecipientRelease, { kind: 'queued' | 'skipped' }>;

/**
 * Starts one recipient's conversation or message, once (the idempotency key), or says why it is
 * skipped. A refusal that concerns the whole campaign is thrown.
 */
async function startRecipient(
  campaign: CampaignRecord,
  recipient: DueRecipient,
  from: string,
  first: FirstMessage,
  deps: StartOutboundDeps,
  now: Date,
): Promise<StartOutcome> {
  const { tenantId, campaignId } = campaign;
  const start = first.startOf(recipient, from);
  if ('invalid' in start) return { kind: 'skipped', reason: 'invalid' };
  // startOutbound refuses a workflow start into another conversation; a campaign's single message
  // must not land in the middle of one either (the customer's answer would go to the workflow).
  if (start.kind === 'message' && (await inConversation(deps, tenantId, from, recipient.phone, now)))
    return { kind: 'skipped', reason: 'conversation-active' };
  const result = await startOutbound(
    { tenantId, start, idempotencyKey: campaignRecipientId(campaignId, recipient.phone), campaignId },
    deps,
  );
  if (result.ok) {
    const [firstSend] = result.started.sends;
    if (!firstSend) throw new Error(`campaign ${campaignId}: a start queued no message`);
    return { kind: 'queued', sendId: firstSend.sendId, from };
  }
  const reason = SKIPPING_REFUSALS[result.refusal.error];
  if (reason) return { kind: 'skipped', reason };
  throw new CampaignDispatchError(campaignId, result.refusal);
}

async function inConversation(
  deps: StartOutboundDeps,
  tenantId: string,
  businessNumber: string,
  customer: string,
  now: Date,
): Promise<boolean> {
  const current = await deps.conversations.load({ tenantId, businessNumber, customer });
  return current !== undefined && current.expiresAt > now.toISOString() && isOngoing(current.slots.status);
}

/**
 * After the releases: the next tick (soon while recipients are waiting for their senders, else when
 * the first postponed or later recipient becomes due), or the campaign's completion.
 */
async function finish(
  campaign: CampaignRecord,
  dispatched: Dispatched,
  startedMs: number,
  deps: CampaignTickDeps,
): Promise<TickOutcome> {
  const { tenantId, campaignId } = campaign;
  const { tally } = dispatched;
  const nowMs = deps.now().getTime();
  const settings = deps.settings ?? DEFAULT_DISPATCH_SETTINGS;
  let nextAtMs: number | undefined;
  // A tick's worth after this tick began, not after it ended: the releases were planned up to its
  // start + tick + lead, so a long tick must not leave the senders' queues to run dry.
  if (dispatched.pendingNow)
    nextAtMs = Math.max(
      nowMs + MIN_TICK_GAP_MS,
      nextDispatchTick({ nowMs: startedMs, pendingNow: true, settings }) ?? nowMs,
    );
  else {
    const [nextDue] = await deps.campaigns.dueRecipients(tenantId, campaignId, LAST_DUE_MS, 1);
    nextAtMs = nextDispatchTick({
      nowMs,
      pendingNow: false,
      ...(nextDue ? { nextEligibleAtMs: nextDue.notBeforeMs } : {}),
      settings,
    });
  }
  const current = await deps.campaigns.get(tenantId, campaignId);
  // Paused, cancelled or gone during the tick: the next tick is resume's to put.
  if (current?.state !== 'running') return { kind: 'dispatched', tally, completed: false };
  if (nextAtMs !== undefined) {
    const nextTickSeconds = await putNextTick(campaign, nextAtMs, deps);
    return { kind: 'dispatched', tally, completed: false, nextTickSeconds };
  }
  if (everyRecipientReleased(current.counters, current.recipientsComplete)) {
    const now = deps.now();
    const move = transitionCampaign(
      { state: current.state, startAt: new Date(current.startAt) },
      'complete',
      now,
    );
    const completed =
      move.ok &&
      (await deps.campaigns.transition(tenantId, campaignId, current.state, move.state, now.toISOString()))
        .ok;
    return { kind: 'dispatched', tally, completed };
  }
  // No recipient is due at any time, yet the counters say some are pending: look again later
  // rather than complete a campaign that may still owe messages.
  const nextTickSeconds = await putNextTick(campaign, nowMs + MAX_TICK_DELAY_SECONDS * 1000, deps);
  return { kind: 'dispatched', tally, completed: false, nextTickSeconds };
}

/** Puts the campaign's next tick, delayed until `atMs` (at most 15 minutes ahead). */
async function putNextTick(campaign: CampaignRecord, atMs: number, deps: CampaignTickDeps): Promise<number> {
  const delaySeconds = tickDelaySeconds(atMs, deps.now().getTime());
  await deps.ticks.send([
    { body: { v: 1, tenantId: campaign.tenantId, campaignId: campaign.campaignId }, delaySeconds },
  ]);
  return delaySeconds;
}
