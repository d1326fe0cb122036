import type { Workflow } from '../lambdas/domain/workflow/definition';
import { reminderReply } from '../lambdas/domain/workflow/reminder-text';
import {
  awaitedPrompt,
  decideReminder,
  firstReminderTimer,
  nextReminderTimer,
  type ReminderMarker,
  type ReminderTimerMessage,
  silenceOf,
} from '../lambdas/domain/workflow/reminders';
import type { ConversationRecord } from '../lambdas/ports/conversation-store';

/** A reminder that fell due during a `:wait`, in the shape of a turn's line plus which reminder and when. */
export interface SimulatedReminder {
  readonly reminder: number;
  readonly at: string;
  readonly replies: string[];
  readonly media?: string[][];
  readonly variables: Readonly<Record<string, string>>;
  readonly route: string | null;
  readonly status: string;
}

/** A conversation with reminders that expired during a `:wait` (its next message starts a new one). */
export interface SimulatedExpiry {
  readonly expired: true;
  readonly at: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly route: string | null;
  readonly status: string;
}

export type SimulatedWaitLine = SimulatedReminder | SimulatedExpiry;

/**
 * The reminders function's decisions (lambdas/domain/workflow/reminders.ts) on `workflow simulate`'s
 * clock: the conversation function's first timer after each message, then each timer as it falls
 * due, the next armed from the one sent. No quiet hours: the simulation has no tenant.
 */
export class SimulatedReminders {
  private pending: ReminderTimerMessage | undefined;
  private marker: ReminderMarker | undefined;

  constructor(private readonly workflow: Workflow) {}

  /** A customer message was applied (or not): what the conversation function would arm after it. */
  afterMessage(record: ConversationRecord | undefined, messageSid: string): void {
    this.marker = undefined;
    this.pending =
      record && silenceOf(record).key === messageSid ? firstReminderTimer(this.workflow, record) : undefined;
  }

  /** What falls due in (fromMs, toMs]: each reminder, then the expiry of a conversation that has reminders. */
  during(
    record: ConversationRecord | undefined,
    fromMs: number,
    toMs: number,
    optedOut: boolean,
  ): SimulatedWaitLine[] {
    if (!record) return [];
    const lines: SimulatedWaitLine[] = [];
    const view = { variables: { ...record.slots.variables }, route: record.slots.routeId ?? null };
    while (this.pending && Date.parse(this.pending.dueAt) <= toMs) {
      const timer = this.pending;
      const now = new Date(timer.dueAt);
      const conversation = { ...record, ...(this.marker ? { reminder: this.marker } : {}) };
      const decision = decideReminder({ timer, conversation, workflow: this.workflow, now });
      this.pending = undefined;
      // The sender sends nothing to an opted-out customer, so the reminders function sends nothing.
      if (decision.kind !== 'send' || optedOut) break;
      const { text, media } = reminderReply(
        this.workflow,
        decision.awaited,
        decision.reminder,
        record.slots,
        now,
      );
      lines.push({
        reminder: timer.index,
        at: decision.at,
        replies: [text],
        ...(media.length > 0 ? { media: [media] } : {}),
        ...view,
        status: record.slots.status,
      });
      this.marker = decision.marker;
      this.pending = nextReminderTimer(
        decision.awaited,
        conversation,
        timer.silenceKey,
        timer.index,
        decision.at,
      );
    }
    const expiresMs = Date.parse(record.expiresAt);
    if (expiresMs > fromMs && expiresMs <= toMs && awaitedPrompt(this.workflow, record.slots)) {
      this.pending = undefined;
      lines.push({ expired: true, at: record.expiresAt, ...view, status: 'expired' });
    }
    return lines;
  }
}
