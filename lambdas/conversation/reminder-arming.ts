import type { Workflow } from '../domain/workflow/definition';
import {
  firstReminderTimer,
  type ReminderTimerMessage,
  silenceOf,
  timerDelaySeconds,
} from '../domain/workflow/reminders';
import type { ConversationRecord, ConversationScope } from '../ports/conversation-store';
import type { MessageQueue } from '../ports/message-queue';

/**
 * Arms the first reminder of the prompt a turn asked (a route's `reminders`). After a commit, from
 * the state written; after a duplicate (a redelivered message whose turn was recorded by an earlier
 * attempt, which may have crashed before arming), from the state read again, when this message is
 * still the last the customer sent. A timer armed twice is harmless: the reminder is committed once.
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
  const { timers, workflow } = input;
  if (!timers || !input.written.slots.routeId) return;
  if (!workflow.routes.some((route) => route.reminders?.length)) return;
  const state = input.outcome === 'committed' ? input.written : await input.load(input.written);
  if (!state || silenceOf(state).key !== input.messageSid) return;
  const timer = firstReminderTimer(workflow, state);
  if (!timer) return;
  await timers.send([
    { body: timer, delaySeconds: timerDelaySeconds(Date.parse(timer.dueAt), input.now().getTime()) },
  ]);
}
