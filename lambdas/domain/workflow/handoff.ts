import { combineMedia } from '../outbound-media';
import type { FallbackAction, Workflow } from './definition';
import { foldCase, sameWord } from './fuzzy';
import { renderForCustomer } from './render';
import { builtinLanguageFor, languagesOf } from '../language/languages';
import { builtinMessage, DEFAULT_HANDOFF_KEYWORDS_BY_LANGUAGE } from '../language/builtin-messages';
import { allOfList, textIn } from '../language/localized-text';

/**
 * Hand-off to a person (issue 18): a conversation whose fallback action is `handoff`, or whose
 * customer asks for a person with one of the workflow's `handoffKeywords`, becomes `handed-off`.
 * The bot then sends nothing (STOP and HELP keep their meaning: they are read before the workflow);
 * the customer's messages are recorded for the person, who answers through the conversations API
 * or `smsctl conversation reply` and gives the conversation back with a release.
 */

export const DEFAULT_HANDOFF_KEYWORDS: readonly string[] = DEFAULT_HANDOFF_KEYWORDS_BY_LANGUAGE.en;
export const DEFAULT_HANDOFF_REPLY = builtinMessage('handoff', 'en');

/**
 * A request naming a keyword ("I want a human", "agent please") counts up to this many words; a
 * longer message is more likely an answer that mentions one ("the agent at the store said...").
 */
export const MAX_HANDOFF_REQUEST_WORDS = 8;

/** Words that turn a request around ("no agent", "I don't want a human"): not a hand-off. */
const NEGATIONS = new Set(['no', 'not', 'don', 'dont', 'never', 'without', 'nobody']);

/** Why a conversation was handed to a person: its fallback fired, or the customer asked. */
export type HandoffReason = 'fallback' | 'keyword';

/** How a release gives the conversation back: from the workflow's start, or at the prompt it was at. */
export type ReleaseMode = 'restart' | 'resume';

export function fallbackActionOf(workflow: Workflow): FallbackAction {
  return workflow.fallback.action ?? 'end';
}

/**
 * The keywords that hand off, in every language of the workflow (a customer may ask for a person
 * in any): its own (a list, or a list per language), else the defaults of each of its languages.
 */
export function handoffKeywordsOf(workflow: Workflow): readonly string[] {
  if (workflow.handoffKeywords !== undefined) return allOfList(workflow.handoffKeywords);
  const languages = new Set(languagesOf(workflow).map(builtinLanguageFor));
  return [...new Set([...languages].flatMap((language) => DEFAULT_HANDOFF_KEYWORDS_BY_LANGUAGE[language]))];
}

/** The acknowledgement a customer gets, once, when a person takes over, in the conversation's language. */
export function handoffReplyOf(workflow: Workflow, language?: string): { text: string; media: string[] } {
  return workflow.handoff
    ? {
        text: textIn(workflow.handoff.reply, language, workflow),
        media: combineMedia(workflow.handoff.media),
      }
    : { text: builtinMessage('handoff', language ?? languagesOf(workflow)[0]), media: [] };
}

function wordsOf(text: string): string[] {
  return foldCase(text.normalize('NFKC'))
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

/**
 * Whether a message asks for a person: a handoff keyword as the whole message, as the carrier
 * keywords are read (case, spaces and punctuation ignored), or inside a short request without a
 * negation ("I want a human", "AGENT please"). Words of five letters or more forgive one typo, as
 * route keywords do ("agnet", "huamn"); plurals come with that ("agents").
 */
export function isHandoffRequest(keywords: readonly string[], text: string): boolean {
  const said = wordsOf(text);
  if (said.length === 0 || said.length > MAX_HANDOFF_REQUEST_WORDS) return false;
  if (said.some((word) => NEGATIONS.has(word))) return false;
  return keywords.some((keyword) => {
    const wanted = wordsOf(keyword);
    if (wanted.length === 0 || wanted.length > said.length) return false;
    for (let at = 0; at + wanted.length <= said.length; at++) {
      if (wanted.every((word, offset) => sameWord(said[at + offset] as string, word))) return true;
    }
    return false;
  });
}

/** What a release sends and leaves: the state the bot goes on from, and the prompt it asks again. */
export interface Release {
  readonly state: {
    readonly status: 'collecting';
    readonly routeId?: string;
    readonly variables: Readonly<Record<string, string>>;
    readonly attempts: Readonly<Record<string, number>>;
    readonly language?: string;
  };
  /** Empty, or the one prompt asked again (resume on a route with something left to ask). */
  readonly replies: string[];
  readonly media: string[][];
}

/**
 * Gives a handed-off conversation back to the bot. `restart`: from the workflow's start (nothing
 * collected, no route: the next message picks one, not greeted again), and nothing is sent. `resume`: what was collected is kept, the invalid-answer count
 * starts again, and the prompt the conversation was at is asked again (nothing is sent when no
 * route was chosen yet: the next message picks one).
 */
export function releaseHandoff(input: {
  workflow: Workflow;
  state: { routeId?: string; variables: Readonly<Record<string, string>>; language?: string };
  mode: ReleaseMode;
  now: Date;
}): Release {
  const { workflow, state, mode, now } = input;
  const language = state.language;
  const route =
    state.routeId === undefined
      ? undefined
      : workflow.routes.find((candidate) => candidate.id === state.routeId);
  if (mode === 'restart' || !route) return { state: fresh(language), replies: [], media: [] };
  const variables = Object.assign(Object.create(null) as Record<string, string>, state.variables);
  const missing = route.mandatoryVariables.find((variable) => !Object.hasOwn(variables, variable.name));
  // Everything was collected before the hand-off (a keyword on the last answer's turn cannot do
  // that, but a workflow changed since can): the route starts again rather than complete unasked.
  if (!missing) return { state: fresh(language), replies: [], media: [] };
  return {
    state: {
      status: 'collecting',
      routeId: route.id,
      variables,
      attempts: Object.create(null),
      ...(language !== undefined ? { language } : {}),
    },
    replies: [
      renderForCustomer(textIn(missing.prompt, language, workflow), variables, {
        workflow,
        route,
        now,
        language,
      }),
    ],
    media: [combineMedia(missing.promptMedia)],
  };
}

/** A fresh start; the conversation's language (a multilingual workflow's) is kept. */
function fresh(language: string | undefined): Release['state'] {
  return {
    status: 'collecting',
    variables: Object.create(null) as Record<string, string>,
    attempts: Object.create(null) as Record<string, number>,
    ...(language !== undefined ? { language } : {}),
  };
}
