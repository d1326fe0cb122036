import { mmsCapability } from '../outbound-media';
import type { Workflow } from './definition';

/** One list of pictures a workflow defines, named as lint names texts (`routes.<id>.mandatoryVariables.<name>.promptMedia`). */
export interface WorkflowMediaField {
  readonly where: string;
  readonly urls: readonly string[];
}

/**
 * Every non-empty list of pictures in a workflow (`greetingMedia`, `promptMedia`,
 * `onComplete.media`, ...), in the order of the definition: what `workflow put` checks against the
 * stage's outbound URL policy, and what makes a workflow need numbers that can send MMS.
 */
export function workflowMediaFields(workflow: Workflow): WorkflowMediaField[] {
  const fields: WorkflowMediaField[] = [];
  const add = (where: string, urls: readonly string[] | undefined) => {
    if (urls && urls.length > 0) fields.push({ where, urls });
  };
  add('greetingMedia', workflow.greetingMedia);
  for (const route of workflow.routes) {
    for (const variable of route.mandatoryVariables) {
      const at = `routes.${route.id}.mandatoryVariables.${variable.name}`;
      add(`${at}.promptMedia`, variable.promptMedia);
      add(`${at}.invalidMessageMedia`, variable.invalidMessageMedia);
      if (variable.type === 'yesno') add(`${at}.onNo.media`, variable.onNo?.media);
    }
    add(`routes.${route.id}.onComplete.media`, route.onComplete.media);
    route.reminders?.forEach((reminder, index) =>
      add(`routes.${route.id}.reminders.${index}.media`, reminder.media),
    );
  }
  add('fallback.media', workflow.fallback.media);
  add('failureMessageMedia', workflow.failureMessageMedia);
  add('helpMedia', workflow.helpMedia);
  return fields;
}

/**
 * Why a workflow with pictures cannot answer from these numbers: one line per number that cannot
 * send MMS (its `mms` setting, else the country rule), naming the pictures and the reason. Empty
 * when the workflow has none or every number can send them. `workflow put` and `number put` refuse
 * on it: what the sender would otherwise record as a failed reply, they know beforehand.
 */
export function mmsRoutingProblems(
  workflow: Workflow,
  numbers: readonly { readonly number: string; readonly mms?: boolean }[],
): string[] {
  const fields = workflowMediaFields(workflow);
  if (fields.length === 0) return [];
  const named = fields.map((field) => field.where).join(', ');
  return numbers.flatMap(({ number, mms }) => {
    const capability = mmsCapability(number, mms);
    return capability.canSend
      ? []
      : [`${number} cannot send the pictures of workflow ${workflow.id} (${named}): ${capability.reason}`];
  });
}
