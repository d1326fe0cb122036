import type { Workflow } from '../domain/workflow/definition';
import type { ReminderTimerMessage } from '../domain/workflow/reminders';
import type { ConversationRecord, ConversationScope } from '../ports/conversation-store';
import type { MessageQueue } from '../ports/message-queue';
import { armFirstReminder } from '../reminders/arm-first';

/**
 * Arms the first reminder of the prompt a turn asked (a route's `reminders`). After a commit, from
 * the state written; after a duplicate (a redelivered message whose turn was recorded by an earlier
 * attempt, which may have crashed before arming), from the state read again, when this message is
 * still the last the customer sent. A timer armed twice is harmless: the reminder is committed once.
 * The same arming as a business start's and a release's (lambdas/reminders/arm-first.ts).
 */
export async function armReminderAfterTurn(input: {
  readonly timers: MessageQueue<ReminderTimerMessage> | undefined;
  readonly workflow: Workflow;
  readonly outcome: 'committed' | 'duplicate';
  readonly messageSid: string;
  /** The state the turn wrote. */
  readonly written: ConversationRecord;
  readonly load: (scope: ConversationScope) => Promise<ConversationRecord | undefined>;
  readonly now: () => Date;
}): Promise<void> {
  const { messageSid, ...rest } = input;
  await armFirstReminder({ ...rest, silenceKey: messageSid });
}
