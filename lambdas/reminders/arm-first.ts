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
 * Arms the first reminder of the prompt a write just asked (a route's `reminders`), wherever the
 * silence began: a customer's turn (the conversation function), a business start (startOutbound:
 * the API, a campaign, `smsctl send`) or a hand-off released to resume (releaseFromHandoff).
 *
 * After a commit it arms from the state written. After a duplicate (an earlier attempt of the same
 * write committed, and may have crashed before arming) it reads the state again and arms only if
 * the silence this write began is still the conversation's: a customer who answered since owes
 * nothing. A timer armed twice is harmless: the reminders function commits each reminder once.
 * Returns the timer put, if any.
 */
export async function armFirstReminder(input: {
  /** Absent: none armed (a caller without a reminders queue). */
  readonly timers: MessageQueue<ReminderTimerMessage> | undefined;
  readonly workflow: Workflow;
  readonly outcome: 'committed' | 'duplicate';
  /** The state the write wrote. */
  readonly written: ConversationRecord;
  /** The silence the write began: its message's SID, the start's conversation id, the release's id. */
  readonly silenceKey: string;
  readonly load: (scope: ConversationScope) => Promise<ConversationRecord | undefined>;
  readonly now: () => Date;
}): Promise<ReminderTimerMessage | undefined> {
  const { timers, workflow } = input;
  if (!timers || !input.written.slots.routeId) return undefined;
  // Most workflows have none: no read for them, even after a duplicate.
  if (!workflow.routes.some((route) => route.reminders?.length)) return undefined;
  const state = input.outcome === 'committed' ? input.written : await input.load(input.written);
  if (!state || silenceOf(state).key !== input.silenceKey) return undefined;
  const timer = firstReminderTimer(workflow, state);
  if (!timer) return undefined;
  await timers.send([
    { body: timer, delaySeconds: timerDelaySeconds(Date.parse(timer.dueAt), input.now().getTime()) },
  ]);
  return timer;
}
