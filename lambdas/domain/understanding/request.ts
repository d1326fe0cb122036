import type { Workflow, WorkflowRoute, WorkflowVariable } from '../workflow/definition';
import type { SlotState } from '../workflow/engine';

/**
 * The understanding port (issue #19): beside the rules, a language model may propose which route a
 * message is about and the literal words that answer the route's missing variables. The model
 * proposes, the types decide: every proposed value is read again by the typed extractor
 * (proposals.ts) and only the extractor's value is ever stored. Pure: no AWS imports.
 */

/** `workflow.understanding` (definition.ts): when the port is asked, and which model. */
export const UNDERSTANDING_USES = ['fallback', 'always'] as const;
export type UnderstandingUse = (typeof UNDERSTANDING_USES)[number];
export const UNDERSTANDING_PROVIDERS = ['bedrock'] as const;

/** After this long the rules' answer stands (the customer is not kept waiting on a model). */
export const DEFAULT_UNDERSTANDING_DEADLINE_MS = 2500;
export const UNDERSTANDING_DEADLINE_BOUNDS = { min: 500, max: 10_000 } as const;

export interface UnderstandingSettings {
  readonly provider: (typeof UNDERSTANDING_PROVIDERS)[number];
  readonly modelId: string;
  readonly use: UnderstandingUse;
  readonly deadlineMs?: number;
}

/** A route as the model sees it: its id and what it is about (its keywords), never a reply text. */
export interface RouteSummary {
  readonly id: string;
  readonly description: string;
}

/**
 * What the port is asked about one message: everything in it is the workflow's own wording and the
 * customer's message with phone numbers removed (scrub.ts). Never the customer's number, a
 * tenant's secret, or what was collected so far.
 */
export interface UnderstandingRequest {
  readonly workflowId: string;
  readonly modelId: string;
  /** Routes to choose from; empty when the conversation's route is already known. */
  readonly routes: readonly RouteSummary[];
  /** The variables to propose answers for: the route's missing ones the model may read. */
  readonly variables: readonly WorkflowVariable[];
  /** The variable whose question the customer is answering, if any. */
  readonly awaiting?: string;
  /** The customer's message, scrubbed. */
  readonly text: string;
  /** BCP 47 locale of the workflow, a hint for dates and numbers. */
  readonly locale?: string;
  readonly deadlineMs: number;
}

/** What the model proposed, before the types decide: literal text per variable, and maybe a route. */
export interface Proposal {
  readonly routeId?: string;
  readonly values: Readonly<Record<string, string>>;
}

/**
 * Types the model is never asked about. `phone`: the customer may type their own number for it,
 * and no phone number enters a prompt (scrub.ts), so the rules alone read phone answers.
 */
const NEVER_ASKED: ReadonlySet<WorkflowVariable['type']> = new Set(['phone']);
/** As in the engine: free text and yes/no only answer the question being asked. */
const ONLY_WHEN_ASKED: ReadonlySet<WorkflowVariable['type']> = new Set(['text', 'yesno']);

/** The workflow's understanding settings with the deadline's default applied; undefined when it has none. */
export function understandingOf(workflow: Workflow): Required<UnderstandingSettings> | undefined {
  const settings = (workflow as { understanding?: UnderstandingSettings }).understanding;
  if (!settings) return undefined;
  return { ...settings, deadlineMs: settings.deadlineMs ?? DEFAULT_UNDERSTANDING_DEADLINE_MS };
}

/** A text of the workflow: a plain string, or (localized workflows) the first text of a language map. */
export function plainText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const first = Object.values(value as Record<string, unknown>).find((text) => typeof text === 'string');
    return typeof first === 'string' ? first : '';
  }
  return '';
}

export function routeSummary(route: WorkflowRoute): RouteSummary {
  // Keywords are a list, or (localized workflows) a list per language: every language's, once.
  const given: unknown = route.match.keywords;
  const lists: unknown[] = Array.isArray(given) ? [given] : Object.values((given ?? {}) as object);
  const keywords = [
    ...new Set(
      lists
        .flatMap((list) => (Array.isArray(list) ? list : []))
        .map(plainText)
        .filter((keyword) => keyword.length > 0),
    ),
  ];
  return {
    id: route.id,
    description: keywords.length > 0 ? `about: ${keywords.join(', ')}` : 'anything else',
  };
}

/**
 * What to ask the model after the rules read a message: the routes when the rules found none, or
 * the route's variables still missing (never a phone; free text and yes/no only when asked).
 * Undefined when there is nothing the model could add.
 */
export function understandingRequestFor(input: {
  readonly workflow: Workflow;
  readonly settings: Required<UnderstandingSettings>;
  /** The state before the turn (what was asked). */
  readonly before: SlotState | undefined;
  /** The state the rules alone would leave. */
  readonly after: SlotState;
  readonly scrubbedText: string;
}): UnderstandingRequest | undefined {
  const { workflow, settings, before, after } = input;
  if (input.scrubbedText.trim().length === 0) return undefined;
  const common = {
    workflowId: workflow.id,
    modelId: settings.modelId,
    text: input.scrubbedText,
    deadlineMs: settings.deadlineMs,
    ...(plainText(workflow.locale) ? { locale: plainText(workflow.locale) } : {}),
  };
  const routeId = after.routeId ?? (before?.status === 'collecting' ? before.routeId : undefined);
  const route =
    routeId === undefined ? undefined : workflow.routes.find((candidate) => candidate.id === routeId);
  if (!route) return { ...common, routes: workflow.routes.map(routeSummary), variables: [] };
  const asked =
    before?.status === 'collecting' && before.routeId === route.id
      ? route.mandatoryVariables.find((variable) => !Object.hasOwn(before.variables, variable.name))
      : undefined;
  const variables = route.mandatoryVariables.filter(
    (variable) =>
      !Object.hasOwn(after.variables, variable.name) &&
      !NEVER_ASKED.has(variable.type) &&
      (!ONLY_WHEN_ASKED.has(variable.type) || variable === asked),
  );
  if (variables.length === 0) return undefined;
  return { ...common, routes: [], variables, ...(asked ? { awaiting: asked.name } : {}) };
}
