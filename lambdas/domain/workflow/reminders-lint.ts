import { allTexts } from '../language/localized-text';
import { combineMedia } from '../outbound-media';
import type { Workflow, WorkflowRoute, WorkflowVariable } from './definition';
import { REMINDER_LINT_MIN_SECONDS } from './reminders';

/** lint.ts's check of one text: where, the whole text, the variables known, the new part, its pictures. */
export type TextCheck = (
  where: string,
  template: string,
  known: readonly WorkflowVariable[],
  newPart?: string,
  media?: readonly string[],
) => void;

function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * A route's reminders: each is sent with whichever prompt is awaited, so it is measured with the
 * longest one (and its template may name any variable of the route: those not collected yet are
 * empty). Warned: a reminder sooner than REMINDER_LINT_MIN_SECONDS, and one that would come after
 * the conversation expires (each waits from the one before), so is never sent.
 */
export function lintReminders(
  workflow: Workflow,
  route: WorkflowRoute,
  check: TextCheck,
  warnings: string[],
): void {
  const reminders = route.reminders ?? [];
  // The longest prompt in any language, with its pictures.
  let longest: { text: string; media: readonly string[] | undefined } | undefined;
  for (const variable of route.mandatoryVariables)
    for (const text of allTexts(variable.prompt))
      if (!longest || text.length > longest.text.length) longest = { text, media: variable.promptMedia };
  const expiresSeconds = workflow.expiresAfterHours * 3600;
  let elapsed = 0;
  reminders.forEach((reminder, index) => {
    const where = `routes.${route.id}.reminders.${index}`;
    if (longest)
      for (const reply of allTexts(reminder.reply))
        check(
          where,
          `${reply} ${longest.text}`,
          route.mandatoryVariables,
          reply,
          combineMedia(reminder.media, longest.media),
        );
    if (reminder.afterSeconds < REMINDER_LINT_MIN_SECONDS)
      warnings.push(
        `${where}.afterSeconds: ${duration(reminder.afterSeconds)} is soon; customers often take minutes to answer (at least ${REMINDER_LINT_MIN_SECONDS} s suggested)`,
      );
    elapsed += reminder.afterSeconds;
    if (elapsed >= expiresSeconds)
      warnings.push(
        `${where}: due ${duration(elapsed)} after the prompt, not before the conversation expires (expiresAfterHours ${workflow.expiresAfterHours}): never sent`,
      );
  });
}
