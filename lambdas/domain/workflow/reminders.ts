import { nextAllowedSendTime, type QuietHours } from '../campaign/quiet-hours';
import type { Workflow, WorkflowRoute, WorkflowVariable } from './definition';
import type { SlotState } from './engine';

/**
 * Reminders (a route's `reminders`): when the customer has not answered the prompt being awaited,
 * the bot reminds them, each reminder at most once per silence. Pure: the conversation function
 * arms the first timer, the reminders function decides with decideReminder what a timer that fires
 * does, and `workflow simulate` walks the same decisions on its clock.
 *
 * A silence is keyed by the message after which the prompt was asked (the customer's last message
 * applied to the state; for a conversation the business started and the customer has not answered
 * yet, the conversation's id; for a prompt asked again by a hand-off's release, the release's id).
 * A timer names its silence and its reminder's index; any message
 * from the customer changes the silence, so a timer of an earlier silence finds nothing to do and
 * is dropped: cancellation needs no call, and a timer outliving its tenant or customer is harmless.
 */

/** Bounds the schema enforces (definition.ts). */
export const REMINDER_BOUNDS = {
  minAfterSeconds: 10,
  maxAfterSeconds: 30 * 24 * 60 * 60,
  perRoute: 5,
} as const;

/** Below this, `workflow lint` warns: customers often take minutes to answer. */
export const REMINDER_LINT_MIN_SECONDS = 300;

/** SQS DelaySeconds' upper bound: a timer due later is received early and put back (a hop). */
export const MAX_TIMER_DELAY_SECONDS = 900;

/** What the conversation's state remembers of the reminders of its current silence. */
export interface ReminderMarker {
  readonly silenceKey: string;
  /** Reminders sent for this silence (the next one's index). */
  readonly sent: number;
  /** When the last of them was committed: its transcript key, and the start of the next wait. */
  readonly lastAt: string;
}

/** One reminder timer on the `reminders` queue (a standard queue, delayed until `dueAt`). */
export interface ReminderTimerMessage {
  readonly v: 1;
  readonly tenantId: string;
  readonly businessNumber: string;
  readonly customer: string;
  readonly conversationId: string;
  readonly silenceKey: string;
  /** The reminder of the route's `reminders`. */
  readonly index: number;
  /** ISO time it is due; earlier receipts are put back (hops), a quiet time moves it later. */
  readonly dueAt: string;
}

/**
 * A prompt the bot asked again without a customer message (a hand-off released with `resume`): the
 * release's id (its send ids' prefix) and when. It begins a silence of its own, so the reminders
 * count from the release rather than from the customer's last message (which may be hours old,
 * followed by messages to a person). The next customer message applied removes it (a turn writes
 * a state without it), as it removes the reminder marker.
 */
export interface ResumedPrompt {
  readonly id: string;
  readonly at: string;
}

/** The fields of a conversation reminders read (ConversationRecord has them all). */
export interface RemindedConversation {
  readonly tenantId: string;
  readonly customer: string;
  readonly businessNumber: string;
  readonly conversationId: string;
  readonly slots: SlotState;
  readonly startedAt: string;
  readonly expiresAt: string;
  readonly lastInboundAt?: string;
  readonly recentMessageSids?: readonly string[];
  readonly reminder?: ReminderMarker;
  readonly resumedPrompt?: ResumedPrompt;
}

export type WorkflowReminder = NonNullable<WorkflowRoute['reminders']>[number];

/** The silence a conversation is in: its key, when it began, and the transcript key after which an inbound message ends it. */
export interface Silence {
  readonly key: string;
  readonly since: string;
  readonly answeredAfter: string;
}

/**
 * The customer's last message applied to this conversation ends the bot's last prompt; a business
 * start that the customer has not answered (the last message applied is older than the start, or
 * there is none) is keyed by the conversation's id; a prompt asked again by a release since either
 * (`resumedPrompt`) by the release's id. The latest of the three begins the silence.
 */
export function silenceOf(conversation: RemindedConversation): Silence {
  const last = conversation.recentMessageSids?.at(-1);
  const inbound = conversation.lastInboundAt;
  const resumed = conversation.resumedPrompt;
  if (
    resumed !== undefined &&
    resumed.at >= conversation.startedAt &&
    (inbound === undefined || resumed.at >= inbound)
  )
    return { key: resumed.id, since: resumed.at, answeredAfter: `${resumed.at}#` };
  if (inbound !== undefined && last !== undefined && inbound >= conversation.startedAt)
    return { key: last, since: inbound, answeredAfter: `${inbound}#${last}` };
  return {
    key: conversation.conversationId,
    since: conversation.startedAt,
    answeredAfter: `${conversation.startedAt}#`,
  };
}

/** The prompt the conversation is waiting on, when its route has reminders. */
export interface AwaitedPrompt {
  readonly route: WorkflowRoute;
  readonly variable: WorkflowVariable;
  readonly reminders: readonly WorkflowReminder[];
}

/** Only while collecting, with a route chosen and a variable missing: never completed, fallen back, handed off. */
export function awaitedPrompt(workflow: Workflow, slots: SlotState): AwaitedPrompt | undefined {
  if (slots.status !== 'collecting' || slots.routeId === undefined) return undefined;
  const route = workflow.routes.find((candidate) => candidate.id === slots.routeId);
  const reminders = route?.reminders;
  if (!route || !reminders || reminders.length === 0) return undefined;
  const variable = route.mandatoryVariables.find((each) => !Object.hasOwn(slots.variables, each.name));
  return variable ? { route, variable, reminders } : undefined;
}

/** Whole seconds to delay a timer due at `dueMs` (SQS DelaySeconds: 0 to 900). */
export function timerDelaySeconds(dueMs: number, nowMs: number): number {
  return Math.min(MAX_TIMER_DELAY_SECONDS, Math.max(0, Math.ceil((dueMs - nowMs) / 1000)));
}

/** The send id of a reminder (and of its later parts when it is split): the sender sends each once. */
export function reminderSendId(silenceKey: string, index: number, part = 0): string {
  return `${silenceKey}-reminder-${index}${part > 0 ? `-${part}` : ''}`;
}

function timerAt(
  conversation: RemindedConversation,
  silenceKey: string,
  index: number,
  dueMs: number,
): ReminderTimerMessage {
  return {
    v: 1,
    tenantId: conversation.tenantId,
    businessNumber: conversation.businessNumber,
    customer: conversation.customer,
    conversationId: conversation.conversationId,
    silenceKey,
    index,
    dueAt: new Date(dueMs).toISOString(),
  };
}

/**
 * The first reminder of the conversation's current silence (armed after a turn, a start or a
 * release), due its `afterSeconds` after the silence began; none when nothing is awaited or it
 * would come after the conversation expires.
 */
export function firstReminderTimer(
  workflow: Workflow,
  conversation: RemindedConversation,
): ReminderTimerMessage | undefined {
  const awaited = awaitedPrompt(workflow, conversation.slots);
  const first = awaited?.reminders[0];
  if (!first) return undefined;
  const silence = silenceOf(conversation);
  const dueMs = Date.parse(silence.since) + first.afterSeconds * 1000;
  if (dueMs >= Date.parse(conversation.expiresAt)) return undefined;
  return timerAt(conversation, silence.key, 0, dueMs);
}

/** The reminder after `index` (sent at `sentAt`), if the route has one and it comes before the expiry. */
export function nextReminderTimer(
  awaited: AwaitedPrompt,
  conversation: RemindedConversation,
  silenceKey: string,
  index: number,
  sentAt: string,
): ReminderTimerMessage | undefined {
  const next = awaited.reminders[index + 1];
  if (!next) return undefined;
  const dueMs = Date.parse(sentAt) + next.afterSeconds * 1000;
  if (dueMs >= Date.parse(conversation.expiresAt)) return undefined;
  return timerAt(conversation, silenceKey, index + 1, dueMs);
}

/** Why a timer did nothing (the `RemindersDropped` log line's reason). */
export type ReminderDropReason =
  /** The conversation is gone, or a new one took its place. */
  | 'conversation-gone'
  /** The customer wrote since (a new silence, or any inbound message to the number). */
  | 'answered'
  /** This reminder (and a later one) went out already: a duplicate timer. */
  | 'already-sent'
  /** Nothing awaited any more, or the route has no such reminder (the workflow changed). */
  | 'not-awaiting'
  | 'workflow-gone'
  /** The conversation expired, or would expire before the quiet hours end. */
  | 'expired'
  | 'opted-out';

export type ReminderDecision =
  | { readonly kind: 'drop'; readonly reason: ReminderDropReason }
  /** Not yet due (an SQS hop), or due inside the quiet hours (moved to their end): put back. */
  | {
      readonly kind: 'wait';
      readonly timer: ReminderTimerMessage;
      readonly delaySeconds: number;
      readonly quietHours: boolean;
    }
  /** Send it: commit `marker` with the reminder's transcript entry at `at`, then queue it and arm the next. */
  | {
      readonly kind: 'send';
      readonly awaited: AwaitedPrompt;
      readonly reminder: WorkflowReminder;
      readonly marker: ReminderMarker;
      readonly at: string;
    }
  /**
   * Committed by an earlier attempt (the marker says so) whose queueing may not have happened:
   * queue the same reply again (same send ids: the sender sends it once) and arm the next.
   */
  | {
      readonly kind: 'resend';
      readonly awaited: AwaitedPrompt;
      readonly reminder: WorkflowReminder;
      readonly at: string;
    };

/** Quiet hours read on the customer's clock (tenant's `--quiet-hours`, the customer's zone). */
export interface ReminderQuietHours {
  readonly quietHours: QuietHours;
  readonly timeZone: string;
}

/**
 * What a timer that fires does, given the conversation now. Opt-outs and messages that did not
 * change the state (HELP) are the caller's to check before a `send`: they need reads.
 */
export function decideReminder(input: {
  readonly timer: ReminderTimerMessage;
  readonly conversation: RemindedConversation | undefined;
  readonly workflow: Workflow | undefined;
  readonly now: Date;
  readonly quiet?: ReminderQuietHours;
}): ReminderDecision {
  const { timer, conversation, workflow, now } = input;
  if (!conversation || conversation.conversationId !== timer.conversationId)
    return { kind: 'drop', reason: 'conversation-gone' };
  if (silenceOf(conversation).key !== timer.silenceKey) return { kind: 'drop', reason: 'answered' };
  const marker = conversation.reminder?.silenceKey === timer.silenceKey ? conversation.reminder : undefined;
  const sent = marker?.sent ?? 0;
  // A later reminder went out, so this one was queued before it: nothing is owed.
  if (sent > timer.index + 1 || sent < timer.index) return { kind: 'drop', reason: 'already-sent' };
  if (!workflow) return { kind: 'drop', reason: 'workflow-gone' };
  const awaited = awaitedPrompt(workflow, conversation.slots);
  const reminder = awaited?.reminders[timer.index];
  if (!awaited || !reminder) return { kind: 'drop', reason: 'not-awaiting' };
  if (marker && sent === timer.index + 1) return { kind: 'resend', awaited, reminder, at: marker.lastAt };
  const nowMs = now.getTime();
  const expiresMs = Date.parse(conversation.expiresAt);
  if (nowMs >= expiresMs) return { kind: 'drop', reason: 'expired' };
  const dueMs = Date.parse(timer.dueAt);
  if (nowMs < dueMs)
    return { kind: 'wait', timer, delaySeconds: timerDelaySeconds(dueMs, nowMs), quietHours: false };
  if (input.quiet) {
    const allowedMs = nextAllowedSendTime(now, input.quiet.quietHours, input.quiet.timeZone).getTime();
    if (allowedMs > nowMs) {
      if (allowedMs >= expiresMs) return { kind: 'drop', reason: 'expired' };
      return {
        kind: 'wait',
        timer: { ...timer, dueAt: new Date(allowedMs).toISOString() },
        delaySeconds: timerDelaySeconds(allowedMs, nowMs),
        quietHours: true,
      };
    }
  }
  const at = now.toISOString();
  return {
    kind: 'send',
    awaited,
    reminder,
    marker: { silenceKey: timer.silenceKey, sent: timer.index + 1, lastAt: at },
    at,
  };
}

/** A stored resumed prompt read back leniently (a malformed one is as none). */
export function resumedPromptOf(value: unknown): ResumedPrompt | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, at } = value as Record<string, unknown>;
  return typeof id === 'string' && id !== '' && typeof at === 'string' ? { id, at } : undefined;
}

/** A stored marker read back leniently (a malformed one is as none). */
export function reminderMarkerOf(value: unknown): ReminderMarker | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { silenceKey, sent, lastAt } = value as Record<string, unknown>;
  if (typeof silenceKey !== 'string' || typeof lastAt !== 'string') return undefined;
  if (typeof sent !== 'number' || !Number.isInteger(sent) || sent < 0) return undefined;
  return { silenceKey, sent, lastAt };
}
