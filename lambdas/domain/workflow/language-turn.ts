import { combineMedia } from '../outbound-media';
import { builtinMessage } from '../language/builtin-messages';
import { defaultLanguageOf, isMultilingual, workflowLanguageFor } from '../language/languages';
import { textIn } from '../language/localized-text';
import { switchingKeyword } from '../language/switching';
import type { Workflow } from './definition';
import type { SlotState, TurnResult } from './engine';
import { renderForCustomer } from './render';

/**
 * The language side of a turn (issue 19): which of the workflow's languages a turn speaks, the
 * state remembering it, and the turn of a switching keyword (ESPAÑOL, ENGLISH, ...).
 */

/** The workflow's language `candidate` names (its own, or one of its primary language), else the default. */
export function conversationLanguage(workflow: Workflow, candidate: string | undefined): string {
  return workflowLanguageFor(workflow, candidate) ?? defaultLanguageOf(workflow);
}

/**
 * The state remembers the conversation's language when the workflow speaks several, so the next
 * turn goes on in it; a workflow of one language stores states as it always did.
 */
export function withConversationLanguage(
  result: TurnResult,
  workflow: Workflow,
  language: string,
): TurnResult {
  if (!isMultilingual(workflow)) return result;
  return { ...result, state: { ...result.state, language } };
}

/**
 * A message that is only a switching keyword changes the conversation's language for good: the
 * prompt being awaited is asked again in the new language, or, when nothing was started, the
 * greeting (a short acknowledgement when the workflow has none) opens the conversation in it.
 * Nothing collected is lost. Undefined for any other message, and while a person has the
 * conversation (the bot says nothing then).
 */
export function languageSwitchTurn(input: {
  workflow: Workflow;
  state: SlotState | undefined;
  text: string;
  now: Date;
}): TurnResult | undefined {
  const { workflow, state, now } = input;
  if (state?.status === 'handed-off') return undefined;
  const language = switchingKeyword(input.text, workflow);
  if (language === undefined) return undefined;
  const going = state?.status === 'collecting' ? state : undefined;
  const route =
    going?.routeId === undefined
      ? undefined
      : workflow.routes.find((candidate) => candidate.id === going.routeId);
  const awaiting = route?.mandatoryVariables.find(
    (variable) => !Object.hasOwn(going?.variables ?? {}, variable.name),
  );
  if (going && route && awaiting) {
    return {
      state: { ...going, language },
      replies: [
        renderForCustomer(textIn(awaiting.prompt, language, workflow), going.variables, {
          workflow,
          route,
          now,
          language,
        }),
      ],
      media: [combineMedia(awaiting.promptMedia)],
      completed: false,
      languageChanged: language,
    };
  }
  const greeting = textIn(workflow.greeting, language, workflow);
  const opened: SlotState = going ?? {
    status: 'collecting',
    variables: Object.create(null) as Record<string, string>,
    attempts: Object.create(null) as Record<string, number>,
  };
  return {
    state: { ...opened, language },
    replies: [greeting || builtinMessage('languageChanged', language)],
    media: [combineMedia(greeting ? workflow.greetingMedia : undefined)],
    completed: false,
    languageChanged: language,
  };
}
