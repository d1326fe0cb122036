import { combineMedia } from '../outbound-media';
import type { Workflow, WorkflowRoute, WorkflowVariable } from './definition';
import { correctionCue, type ExtractOptions, extractVariable } from './extractors';
import { foldCase, sameWord } from './fuzzy';
import {
  fallbackActionOf,
  type HandoffReason,
  handoffKeywordsOf,
  handoffReplyOf,
  isHandoffRequest,
} from './handoff';
import { renderForCustomer } from './render';
import { compileTenantRegex } from './tenant-regex';
import { allOfList, type LocalizedText, textIn } from '../language/localized-text';
import { conversationLanguage, languageSwitchTurn, withConversationLanguage } from './language-turn';

/** `handed-off`: a person has the conversation (handoff.ts); the bot sends nothing until a release. */
export type ConversationStatus = 'collecting' | 'completed' | 'fallback' | 'handed-off';

/** What the engine remembers between turns; stored with the conversation. */
export interface SlotState {
  readonly status: ConversationStatus;
  readonly routeId?: string;
  readonly variables: Readonly<Record<string, string>>;
  /** Invalid answers per variable (and `route` for unmatched messages). */
  readonly attempts: Readonly<Record<string, number>>;
  /**
   * The conversation's language (issue 19), kept only for a workflow of several languages; absent
   * in states stored before, and for one language: the workflow's default.
   */
  readonly language?: string;
}

export interface TurnResult {
  readonly state: SlotState;
  readonly replies: string[];
  /**
   * The pictures sent with each reply (`media[i]` with `replies[i]`, empty for an SMS): those of
   * every text the reply is made of (`promptMedia`, `onComplete.media`, ...), each once.
   */
  readonly media: string[][];
  readonly completed: boolean;
  /** Set on the turn that handed the conversation to a person, with why (the state says `handed-off`). */
  readonly handoff?: HandoffReason;
  /** Set when the message was a switching keyword (ESPAÑOL, ENGLISH, ...): the language it switched to. */
  readonly languageChanged?: string;
  /**
   * Set when the rules could not read the message: `answer` (an invalid answer: a re-prompt with the
   * reason, or the fallback after too many) or `route` (no route matched). The understanding port's
   * `fallback` use asks the model only then (lambdas/conversation/understanding.ts).
   */
  readonly missed?: 'answer' | 'route';
}

/**
 * What the understanding port proposed for this message, reviewed by the types
 * (domain/understanding/proposals.ts): the model's words per variable, and maybe a route. The
 * engine reads each with the variable's extractor only where the rules found nothing, so a stored
 * value is always the extractor's.
 */
export interface TurnProposals {
  readonly routeId?: string;
  readonly values: Readonly<Record<string, string>>;
}

const ROUTE_ATTEMPTS = '__route';
/** One GSM-7 segment: longer unmatched messages are not read for a route's answers. */
const ROUTE_BY_ANSWER_MAX_LENGTH = 160;
const ONLY_WHEN_ASKED: ReadonlySet<WorkflowVariable['type']> = new Set(['text', 'yesno']);

/**
 * The order typed extractors read a message in, most specific first; each masks the words it took
 * (see runTurn). Dates and times come first and read the whole message: chrono's match for
 * "Dec 10 at 3pm" covers the time, so the time reads the message, not what the date left. Then
 * what the tenant's own pattern or an email/phone takes cannot also be read as a bare number.
 */
const READ_ORDER: Readonly<Record<WorkflowVariable['type'], number>> = {
  date: 0,
  time: 1,
  email: 2,
  pattern: 3,
  phone: 4,
  choice: 5,
  number: 6,
  yesno: 7,
  text: 8,
};
/** Types that read the message minus what earlier extractors (and known values) took. */
const READS_MASKED: ReadonlySet<WorkflowVariable['type']> = new Set([
  'email',
  'pattern',
  'phone',
  'choice',
  'number',
]);

function maskOnce(text: string, matched: string): string {
  const at = text.toLowerCase().indexOf(matched.toLowerCase());
  return at < 0 ? text : `${text.slice(0, at)} ${text.slice(at + matched.length)}`;
}

function words(text: string): string[] {
  return foldCase(text)
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/** The word forms a message offers for matching: each word and, for plurals, its singular. */
function saidForms(text: string): Set<string> {
  return new Set(words(text).flatMap((word) => [word, word.replace(/e?s$/, '')]));
}

function keywordMatches(keyword: string, said: ReadonlySet<string>, forgiveTypos: boolean): boolean {
  return words(keyword).every((part) =>
    forgiveTypos ? [...said].some((form) => sameWord(form, part)) : said.has(part),
  );
}

/** A route's `match.patterns` (linear-time engine); a pattern `workflow put` refused never matches. */
function patternMatches(route: WorkflowRoute, text: string): boolean {
  return allOfList(route.match.patterns).some((source) => {
    const compiled = compileTenantRegex(source);
    return compiled.ok && compiled.regex.test(text);
  });
}

/**
 * Keyword match tolerating case, punctuation, plurals ("packages" matches "package") and one typo
 * in words of 5 or more letters (`sameWord`: "pakage", "delivry"; "ordr" has 4 letters, so no),
 * or a match of one of the route's `match.patterns`. An exact keyword or a pattern in any route
 * wins over a typo match, so a typo never steals a message from the route whose keyword was
 * written correctly; a route with neither keywords nor patterns is the default.
 */
export function matchRoute(
  workflow: Workflow,
  text: string,
  answers: (route: WorkflowRoute) => boolean = () => false,
): WorkflowRoute | undefined {
  const said = saidForms(text);
  const matching = (forgiveTypos: boolean) =>
    workflow.routes.find(
      (route) =>
        allOfList(route.match.keywords).some((keyword) => keywordMatches(keyword, said, forgiveTypos)) ||
        (!forgiveTypos && patternMatches(route, text)),
    );
  return (
    matching(false) ??
    matching(true) ??
    workflow.routes.find(
      (route) => allOfList(route.match.keywords).length === 0 && allOfList(route.match.patterns).length === 0,
    ) ??
    onlyRouteAnswered(workflow, answers)
  );
}

/**
 * Without a keyword, a message that answers a question of exactly one route ("123456" to an
 * order-tracking number) starts that route: the customer went straight to the point.
 */
function onlyRouteAnswered(
  workflow: Workflow,
  answers: (route: WorkflowRoute) => boolean,
): WorkflowRoute | undefined {
  const answered = workflow.routes.filter(answers);
  return answered.length === 1 ? answered[0] : undefined;
}

/**
 * A variables (or attempts) map without a prototype: the engine looks names up in it, and a name
 * like `constructor` must find the customer's answer or nothing, never Object.prototype's.
 */
export function nullMap<T>(entries: Readonly<Record<string, T>>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

/**
 * What the workflow tells every reader: where "today" is, the country of a national phone number,
 * and the conversation's language (answers read and reasons given in it).
 */
export function extractOptionsFor(workflow: Workflow, language?: string): ExtractOptions {
  return {
    ...(language !== undefined ? { language } : {}),
    ...(workflow.timeZone ? { timeZone: workflow.timeZone } : {}),
    ...(workflow.defaultCountry ? { defaultCountry: workflow.defaultCountry } : {}),
  };
}

/** The greeting travels in the same SMS as the first answer: one message, one charge. */
export function greeted(greeting: string | undefined, reply: string): string {
  return greeting ? `${greeting} ${reply}` : reply;
}

/** The pictures of a reply that may carry the greeting (only when it does). */
export function greetedMedia(
  workflow: Workflow,
  greeting: string | undefined,
  media: readonly string[] | undefined,
): string[] {
  return combineMedia(greeting ? workflow.greetingMedia : undefined, media);
}

/** The reason an invalid answer gets, and the pictures of the variable's `invalidMessage` when that is it. */
function invalidReason(
  variable: WorkflowVariable,
  read: { refused?: boolean; reason: string },
  say: (text: LocalizedText) => string,
): { text: string; media: readonly string[] | undefined } {
  if (read.refused || variable.invalidMessage === undefined) return { text: read.reason, media: undefined };
  return { text: say(variable.invalidMessage), media: variable.invalidMessageMedia };
}

export function nextMissing(route: WorkflowRoute, variables: Readonly<Record<string, string>>) {
  return route.mandatoryVariables.find((variable) => !Object.hasOwn(variables, variable.name));
}

/**
 * Runs one customer message through a workflow. Pure: same inputs, same outputs. `language`: the
 * conversation's language (lambdas/conversation/language.ts decides it; default the state's, else
 * the workflow's default); every text is sent in it, and a switching keyword changes it.
 */
export function runTurn(input: {
  workflow: Workflow;
  state: SlotState | undefined;
  text: string;
  now: Date;
  proposals?: TurnProposals;
  language?: string;
}): TurnResult {
  const language = conversationLanguage(input.workflow, input.language ?? input.state?.language);
  const switched = languageSwitchTurn(input);
  if (switched) return switched;
  return withConversationLanguage(turnIn({ ...input, language }), input.workflow, language);
}

function turnIn(input: {
  workflow: Workflow;
  state: SlotState | undefined;
  text: string;
  now: Date;
  proposals?: TurnProposals;
  language: string;
}): TurnResult {
  const { workflow, text, now, language } = input;
  const say = (localized: LocalizedText) => textIn(localized, language, workflow);
  // A person has the conversation: the bot says nothing; the turn records the message for them.
  if (input.state?.status === 'handed-off')
    return { state: input.state, replies: [], media: [], completed: false };
  if (isHandoffRequest(handoffKeywordsOf(workflow), text)) {
    const going = input.state?.status === 'collecting' ? input.state : undefined;
    return handedOff(
      workflow,
      language,
      {
        ...(going?.routeId !== undefined ? { routeId: going.routeId } : {}),
        variables: nullMap(going?.variables ?? {}),
        attempts: nullMap(going?.attempts ?? {}),
      },
      'keyword',
      undefined,
    );
  }
  const isNew = input.state === undefined || input.state.status !== 'collecting';
  const state: SlotState = isNew
    ? { status: 'collecting', variables: nullMap({}), attempts: nullMap({}) }
    : {
        ...(input.state as SlotState),
        variables: nullMap((input.state as SlotState).variables),
        attempts: nullMap((input.state as SlotState).attempts),
      };
  const greeting = isNew ? textIn(workflow.greeting, language, workflow) : undefined;

  const extractOptions = extractOptionsFor(workflow, language);
  // Values that say which route the message is about: typed ones, not free text or a yes/no. Only
  // in a short message (one going straight to the point), so a long unmatched one is not read by
  // every route's readers.
  const answersRoute = (candidate: WorkflowRoute) =>
    text.length <= ROUTE_BY_ANSWER_MAX_LENGTH &&
    candidate.mandatoryVariables.some(
      (variable) =>
        !ONLY_WHEN_ASKED.has(variable.type) &&
        extractVariable(variable, text, now, { ...extractOptions, asked: false }).found,
    );
  const route =
    state.routeId !== undefined
      ? workflow.routes.find((candidate) => candidate.id === state.routeId)
      : (matchRoute(workflow, text, answersRoute) ?? proposedRoute(workflow, input.proposals));
  if (!route) return { ...unmatched(workflow, state, greeting, now, language), missed: 'route' };
  const render = (template: LocalizedText, values: Readonly<Record<string, string>>) =>
    renderForCustomer(say(template), values, { workflow, route, now, language });

  const awaiting = state.routeId !== undefined ? nextMissing(route, state.variables) : undefined;
  // "actually it was 654321", "sorry, I meant Dec 11": a filled slot is only replaced on a correction.
  // A filled slot is only replaced when the message says it corrects something ("actually it was
  // 654321", "perdón, quise decir el 11"): without a cue, a value for a filled slot is more likely
  // part of another answer ("it was 654321 on Dec 10" while the date is asked) than a change of mind.
  const correcting = state.routeId !== undefined && correctionCue(text, language);
  const variables = nullMap(state.variables);
  const attempts = nullMap(state.attempts);
  let awaitingReason: { text: string; media: readonly string[] | undefined } | undefined;
  let changedOther = false;
  // Most specific first (READ_ORDER); each extractor after the date and time reads the message
  // minus what the ones before took, so "11" of "Dec 11" or "2024" of "12/10/2024" never fills a
  // number or a 4-digit pattern, and a number never takes what the tenant's pattern took.
  // Between two slots of one type, the one being asked reads first: "500" answers the budget
  // being asked, not the quantity given before.
  // A day and a time are answered together ("thurs next week around 2"): a time is asked with a date.
  const isAsked = (variable: WorkflowVariable) =>
    variable === awaiting || (variable.type === 'time' && awaiting?.type === 'date');
  let masked = text;
  const ordered = [...route.mandatoryVariables].sort(
    (a, b) => READ_ORDER[a.type] - READ_ORDER[b.type] || Number(b === awaiting) - Number(a === awaiting),
  );
  for (const variable of ordered) {
    // Free text and yes/no only answer the question being asked; typed values may fill any slot.
    if (ONLY_WHEN_ASKED.has(variable.type) && variable !== awaiting) continue;
    const previous = state.variables[variable.name];
    const source = READS_MASKED.has(variable.type) ? masked : text;
    if (previous !== undefined && !correcting) {
      // Repeating a known value ("order 123456, 3 items") does not answer another slot, and a
      // date or time mentioned again keeps its digits ("Dec 11") away from numbers and patterns.
      if (READS_MASKED.has(variable.type)) masked = maskOnce(masked, previous);
      else {
        const repeated = extractVariable(variable, source, now, {
          ...extractOptions,
          asked: isAsked(variable),
        });
        if (repeated.found && repeated.matched) masked = maskOnce(masked, repeated.matched);
      }
      continue;
    }
    // A bare "4" or "around 2" answers the time being asked, but is no time when a count is asked.
    const ruled = extractVariable(variable, source, now, {
      ...extractOptions,
      asked: isAsked(variable),
    });
    // Where the rules found nothing, the model's words for this variable, read by the same extractor.
    const proposed = Object.hasOwn(input.proposals?.values ?? {}, variable.name)
      ? input.proposals?.values[variable.name]
      : undefined;
    const fromProposal =
      ruled.found || proposed === undefined
        ? undefined
        : extractVariable(variable, proposed, now, { ...extractOptions, asked: true });
    // A refused proposal changes nothing: the customer hears the rules' reason for their own words.
    const extraction = fromProposal?.found ? fromProposal : ruled;
    if (extraction.found) {
      if (variable !== awaiting && extraction.value !== previous) changedOther = true;
      variables[variable.name] = extraction.value;
      if (extraction.matched) masked = maskOnce(masked, extraction.matched);
    } else if (variable === awaiting) {
      awaitingReason = invalidReason(variable, extraction, say);
    }
  }
  // A message that corrected an earlier answer is not also the answer to a question that takes
  // any text or a yes/no ("No, I meant Dec 11" corrects the date; it does not decline).
  if (changedOther && awaiting && ONLY_WHEN_ASKED.has(awaiting.type)) delete variables[awaiting.name];

  if (awaiting?.type === 'yesno' && awaiting.onNo && variables[awaiting.name] === 'no') {
    for (const name of [...awaiting.onNo.clear, awaiting.name]) {
      delete variables[name];
      delete attempts[name];
    }
    const ask = nextMissing(route, variables);
    const reply = render(awaiting.onNo.reply, variables);
    return {
      state: { status: 'collecting', routeId: route.id, variables, attempts },
      replies: [ask ? `${reply} ${render(ask.prompt, variables)}` : reply],
      media: [combineMedia(awaiting.onNo.media, ask?.promptMedia)],
      completed: false,
    };
  }

  const missing = nextMissing(route, variables);
  if (!missing) {
    return {
      state: { status: 'completed', routeId: route.id, variables, attempts },
      replies: [greeted(greeting, render(route.onComplete.reply, variables))],
      media: [greetedMedia(workflow, greeting, route.onComplete.media)],
      completed: true,
    };
  }
  if (awaiting && missing === awaiting && awaitingReason !== undefined && !changedOther) {
    // "actually my order is 555" while the date is asked: the order number's reason, not the date's.
    const refusedCorrection = correcting
      ? refusedCorrectionReason(
          route,
          state.variables,
          awaiting,
          text,
          (variable) => extractVariable(variable, text, now, { ...extractOptions, asked: false }),
          say,
        )
      : undefined;
    if (refusedCorrection !== undefined) {
      return {
        state: { status: 'collecting', routeId: route.id, variables, attempts },
        replies: [`${refusedCorrection.text} ${render(awaiting.prompt, variables)}`],
        media: [combineMedia(refusedCorrection.media, awaiting.promptMedia)],
        completed: false,
      };
    }
    const count = (attempts[awaiting.name] ?? 0) + 1;
    attempts[awaiting.name] = count;
    if (count >= workflow.fallback.maxAttempts)
      return {
        ...fellBack(workflow, { routeId: route.id, variables, attempts }, undefined, now, route, language),
        missed: 'answer',
      };
    return {
      state: { status: 'collecting', routeId: route.id, variables, attempts },
      replies: [`${awaitingReason.text} ${render(awaiting.prompt, variables)}`],
      media: [combineMedia(awaitingReason.media, awaiting.promptMedia)],
      completed: false,
      missed: 'answer',
    };
  }
  return {
    state: { status: 'collecting', routeId: route.id, variables, attempts },
    replies: [greeted(greeting, render(missing.prompt, variables))],
    media: [greetedMedia(workflow, greeting, missing.promptMedia)],
    completed: false,
  };
}

/** The route the understanding port proposed, when it is one of the workflow's. */
function proposedRoute(workflow: Workflow, proposals: TurnProposals | undefined): WorkflowRoute | undefined {
  const routeId = proposals?.routeId;
  return routeId === undefined ? undefined : workflow.routes.find((route) => route.id === routeId);
}

/** The words of a variable's name a customer may use for it: `order_number` -> order, number. */
function nameWords(name: string): string[] {
  return words(name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_+/g, ' ')).filter(
    (word) => word.length >= 3,
  );
}

/**
 * A correction that names an answered variable ("actually my order is 555") but gives no value it
 * can take: that variable's reason, so the customer hears what was wrong with what they meant to
 * change. The variable named by most words wins; undefined when the message names none.
 */
function refusedCorrectionReason(
  route: WorkflowRoute,
  answered: Readonly<Record<string, string>>,
  awaiting: WorkflowVariable,
  text: string,
  extract: (variable: WorkflowVariable) => ReturnType<typeof extractVariable>,
  say: (text: LocalizedText) => string,
): { text: string; media: readonly string[] | undefined } | undefined {
  const said = saidForms(text);
  let best: { variable: WorkflowVariable; named: number } | undefined;
  for (const variable of route.mandatoryVariables) {
    if (variable === awaiting || !Object.hasOwn(answered, variable.name)) continue;
    const named = nameWords(variable.name).filter((word) => said.has(word)).length;
    if (named > 0 && named > (best?.named ?? 0)) best = { variable, named };
  }
  if (!best) return undefined;
  const read = extract(best.variable);
  if (read.found) return undefined;
  return invalidReason(best.variable, read, say);
}

function unmatched(
  workflow: Workflow,
  state: SlotState,
  greeting: string | undefined,
  now: Date,
  language: string,
): TurnResult {
  const count = (state.attempts[ROUTE_ATTEMPTS] ?? 0) + 1;
  const attempts = { ...state.attempts, [ROUTE_ATTEMPTS]: count };
  if (count >= workflow.fallback.maxAttempts)
    return fellBack(workflow, { ...state, attempts }, greeting, now, undefined, language);
  return {
    state: { ...state, status: 'collecting', attempts },
    replies: [
      greeted(
        greeting,
        renderForCustomer(textIn(workflow.fallback.reply, language, workflow), state.variables, {
          workflow,
          route: undefined,
          now,
          language,
        }),
      ),
    ],
    media: [greetedMedia(workflow, greeting, workflow.fallback.media)],
    completed: false,
  };
}

/**
 * The fallback fired (too many invalid answers, or unmatched messages): its reply, and what
 * `fallback.action` does to the conversation (handoff.ts): `end` it, `restart` it from the
 * workflow's start, or `handoff` it to a person (whose acknowledgement replaces the reply).
 */
function fellBack(
  workflow: Workflow,
  state: Omit<SlotState, 'status'>,
  greeting: string | undefined,
  now: Date,
  route: WorkflowRoute | undefined,
  language: string,
): TurnResult {
  const action = fallbackActionOf(workflow);
  if (action === 'handoff') return handedOff(workflow, language, state, 'fallback', greeting);
  const reply = renderForCustomer(textIn(workflow.fallback.reply, language, workflow), state.variables, {
    workflow,
    route,
    now,
    language,
  });
  const common = {
    replies: [greeted(greeting, reply)],
    media: [greetedMedia(workflow, greeting, workflow.fallback.media)],
    completed: false,
  };
  if (action === 'restart')
    return { ...common, state: { status: 'collecting', variables: nullMap({}), attempts: nullMap({}) } };
  return { ...common, state: { ...state, status: 'fallback' } };
}

/** A person takes over: one acknowledgement; what was collected is kept for a release that resumes. */
function handedOff(
  workflow: Workflow,
  language: string,
  state: Omit<SlotState, 'status'>,
  reason: HandoffReason,
  greeting: string | undefined,
): TurnResult {
  const reply = handoffReplyOf(workflow, language);
  return {
    state: { ...state, status: 'handed-off' },
    replies: [greeted(greeting, reply.text)],
    media: [greetedMedia(workflow, greeting, reply.media)],
    completed: false,
    handoff: reason,
  };
}
