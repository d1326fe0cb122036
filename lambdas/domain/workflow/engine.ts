import { renderTemplate } from '../templates';
import type { Workflow, WorkflowRoute } from './definition';
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

function words(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/**
 * Keyword match tolerating case, punctuation and plurals ("packages" matches "package"); a route
 * without keywords is the default when no other matches.
 */
export function matchRoute(workflow: Workflow, text: string): WorkflowRoute | undefined {
  const said = new Set(words(text).flatMap((word) => [word, word.replace(/e?s$/, '')]));
  const matched = workflow.routes.find((route) =>
    route.match.keywords.some((keyword) => words(keyword).every((part) => said.has(part))),
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
  const variables: Record<string, string> = { ...state.variables };
  const attempts: Record<string, number> = { ...state.attempts };
  let awaitingReason: string | undefined;
  for (const variable of route.mandatoryVariables) {
    const extraction = extractVariable(variable, text, now);
    // Free text only answers the question being asked; typed values may fill or correct any slot.
    const fillsThis = variable.type !== 'text' || variable === awaiting;
    if (extraction.found && fillsThis) variables[variable.name] = extraction.value;
    else if (!extraction.found && variable === awaiting) awaitingReason = extraction.reason;
  }

  const missing = nextMissing(route, variables);
  if (!missing) {
    return {
      state: { status: 'completed', routeId: route.id, variables, attempts },
      replies: [greeted(greeting, renderTemplate(route.onComplete.reply, variables))],
      completed: true,
    };
  }
  if (awaiting && missing === awaiting && awaitingReason !== undefined) {
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
