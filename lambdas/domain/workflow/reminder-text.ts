import { type LocalizedText, textIn } from '../language/localized-text';
import { combineMedia } from '../outbound-media';
import type { Workflow } from './definition';
import type { SlotState } from './engine';
import type { AwaitedPrompt, WorkflowReminder } from './reminders';
import { renderForCustomer } from './render';

/**
 * What a reminder says: its `reply` and the prompt being awaited, in one message (the shape of a
 * re-prompt, `${reason} ${prompt}`), both in the conversation's language and rendered with the
 * variables collected so far as any reply is; with the reminder's pictures and the prompt's.
 */
export function reminderReply(
  workflow: Workflow,
  awaited: AwaitedPrompt,
  reminder: WorkflowReminder,
  slots: SlotState,
  now: Date,
): { text: string; media: string[] } {
  const { language } = slots;
  const context = {
    workflow,
    route: awaited.route,
    now,
    ...(language !== undefined ? { language } : {}),
  };
  const render = (template: LocalizedText) =>
    renderForCustomer(textIn(template, language, workflow), slots.variables, context);
  return {
    text: `${render(reminder.reply)} ${render(awaited.variable.prompt)}`,
    media: combineMedia(reminder.media, awaited.variable.promptMedia),
  };
}
