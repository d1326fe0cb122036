import { sameWord } from './fuzzy';
import { renderTemplate } from '../templates';
import type { Workflow, WorkflowRoute, WorkflowVariable } from './definition';
import { extractVariable } from './extractors';

export type ConversationStatus = 'collecting' | 'completed' | 'fallback';

/** What the engine remembers between turns; stored with the conversation. */
export interface SlotState {
  readonly status: ConversationStatus;
  readonly routeId?: string;
  readonly variables: Readonly<Record<string, string>>;
  /** Invalid answers per variable (and `route` for unmatched messages). */
  readonly attempts: Readonly<Record<string, number>>;
}

export interface TurnResult {
  readonly state: SlotState;
  readonly replies: string[];
  readonly completed: boolean;
}

const ROUTE_ATTEMPTS = '__route';
const ONLY_WHEN_ASKED: ReadonlySet<WorkflowVariable['type']> = new Set(['text', 'yesno']);
/** Read first; their matched words are masked for the types in MASKED. */
const MASKING: ReadonlySet<WorkflowVariable['type']> = new Set(['date', 'time']);
const MASKED: ReadonlySet<WorkflowVariable['type']> = new Set(['number', 'pattern', 'phone', 'choice']);

function maskOnce(text: string, matched: string): string {
  const at = text.toLowerCase().indexOf(matched.toLowerCase());
  return at < 0 ? text : `${text.slice(0, at)} ${text.slice(at + matched.length)}`;
}

const CORRECTION =
  /\b(actually|sorry|i meant|i mean|correction|oops|my mistake|make (?:it|that)|change (?:it|that) to|should (?:be|have been)|instead)\b/i;

function words(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/**
 * Keyword match tolerating case, punctuation, plurals and one typo in longer words ("packages" matches "package"); a route
 * without keywords is the default when no other matches.
 */
export function matchRoute(workflow: Workflow, text: string): WorkflowRoute | undefined {
  const said = [...new Set(words(text).flatMap((word) => [word, word.replace(/e?s$/, '')]))];
  const matched = workflow.routes.find((route) =>
    route.match.keywords.some((keyword) =>
      words(keyword).every((part) => said.some((word) => sameWord(word, part))),
    ),
  );
  return matched ?? workflow.routes.find((route) => route.match.keywords.length === 0);
}

/** The greeting travels in the same SMS as the first answer: one message, one charge. */
function greeted(greeting: string | undefined, reply: string): string {
  return greeting ? `${greeting} ${reply}` : reply;
}

function nextMissing(route: WorkflowRoute, variables: Readonly<Record<string, string>>) {
  return route.mandatoryVariables.find((variable) => variables[variable.name] === undefined);
}

/** Runs one customer message through a workflow. Pure: same inputs, same outputs. */
export function runTurn(input: {
  workflow: Workflow;
  state: SlotState | undefined;
  text: string;
  now: Date;
}): TurnResult {
  const { workflow, text, now } = input;
  const isNew = input.state === undefined || input.state.status !== 'collecting';
  const state: SlotState = isNew
    ? { status: 'collecting', variables: {}, attempts: {} }
    : (input.state as SlotState);
  const greeting = isNew ? workflow.greeting : undefined;

  const route =
    state.routeId !== undefined
      ? workflow.routes.find((candidate) => candidate.id === state.routeId)
      : matchRoute(workflow, text);
  if (!route) return unmatched(workflow, state, greeting);

  const awaiting = state.routeId !== undefined ? nextMissing(route, state.variables) : undefined;
  // "actually it was 654321", "sorry, I meant Dec 11": a filled slot is only replaced on a correction.
  const correcting = state.routeId !== undefined && CORRECTION.test(text);
  const variables: Record<string, string> = { ...state.variables };
  const attempts: Record<string, number> = { ...state.attempts };
  let awaitingReason: string | undefined;
  let changedOther = false;
  // Dates and times first: the words they were read from ("Dec 11", "10/12/2024", "3:30 pm") are
  // masked before numbers and patterns are looked for, so "11" or "2024" never fills those; what
  // a number, pattern or phone took is masked for the ones after it in the route.
  let masked = text;
  const ordered = [
    ...route.mandatoryVariables.filter((variable) => MASKING.has(variable.type)),
    ...route.mandatoryVariables.filter((variable) => !MASKING.has(variable.type)),
  ];
  for (const variable of ordered) {
    // Free text and yes/no only answer the question being asked; typed values may fill any slot.
    if (ONLY_WHEN_ASKED.has(variable.type) && variable !== awaiting) continue;
    const previous = state.variables[variable.name];
    if (previous !== undefined && !correcting) {
      // Repeating a known value ("order 123456, 3 items") does not answer another slot.
      if (MASKED.has(variable.type)) masked = maskOnce(masked, previous);
      continue;
    }
    const source = MASKED.has(variable.type) ? masked : text;
    const extraction = extractVariable(variable, source, now, { timeZone: workflow.timeZone });
    if (extraction.found) {
      if (variable !== awaiting && extraction.value !== previous) changedOther = true;
      variables[variable.name] = extraction.value;
      if (extraction.matched) masked = maskOnce(masked, extraction.matched);
    } else if (variable === awaiting) {
      awaitingReason = variable.invalidMessage ?? extraction.reason;
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
    const reply = renderTemplate(awaiting.onNo.reply, variables);
    return {
      state: { status: 'collecting', routeId: route.id, variables, attempts },
      replies: [ask ? `${reply} ${renderTemplate(ask.prompt, variables)}` : reply],
      completed: false,
    };
  }

  const missing = nextMissing(route, variables);
  if (!missing) {
    return {
      state: { status: 'completed', routeId: route.id, variables, attempts },
      replies: [greeted(greeting, renderTemplate(route.onComplete.reply, variables))],
      completed: true,
    };
  }
  if (awaiting && missing === awaiting && awaitingReason !== undefined && !changedOther) {
    const count = (attempts[awaiting.name] ?? 0) + 1;
    attempts[awaiting.name] = count;
    if (count >= workflow.fallback.maxAttempts) {
      return {
        state: { status: 'fallback', routeId: route.id, variables, attempts },
        replies: [renderTemplate(workflow.fallback.reply, variables)],
        completed: false,
      };
    }
    return {
      state: { status: 'collecting', routeId: route.id, variables, attempts },
      replies: [`${awaitingReason} ${renderTemplate(awaiting.prompt, variables)}`],
      completed: false,
    };
  }
  return {
    state: { status: 'collecting', routeId: route.id, variables, attempts },
    replies: [greeted(greeting, renderTemplate(missing.prompt, variables))],
    completed: false,
  };
}

function unmatched(workflow: Workflow, state: SlotState, greeting: string | undefined): TurnResult {
  const count = (state.attempts[ROUTE_ATTEMPTS] ?? 0) + 1;
  const attempts = { ...state.attempts, [ROUTE_ATTEMPTS]: count };
  const status: ConversationStatus = count >= workflow.fallback.maxAttempts ? 'fallback' : 'collecting';
  return {
    state: { ...state, status, attempts },
    replies: [greeted(greeting, workflow.fallback.reply)],
    completed: false,
  };
}
