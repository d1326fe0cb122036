import type { Workflow, WorkflowVariable } from '../workflow/definition';
import { extractOptionsFor, nullMap } from '../workflow/engine';
import { extractVariable } from '../workflow/extractors';
import type { Proposal, UnderstandingRequest } from './request';
import { ROUTE_FIELD } from './tool-schema';

/** A proposed value longer than this is not an answer copied from one SMS. */
const MAX_PROPOSED_LENGTH = 320;

/**
 * The tool input the model returned, as a proposal: only string members the schema asked for, a
 * route only when it is one of the request's routes. Anything else the model wrote is dropped.
 */
export function proposalFromToolInput(input: unknown, request: UnderstandingRequest): Proposal {
  const values: Record<string, string> = nullMap({});
  if (!input || typeof input !== 'object' || Array.isArray(input)) return { values };
  const given = input as Record<string, unknown>;
  for (const variable of request.variables) {
    const value = Object.hasOwn(given, variable.name) ? given[variable.name] : undefined;
    if (typeof value === 'string' && value.trim().length > 0 && value.length <= MAX_PROPOSED_LENGTH)
      values[variable.name] = value;
  }
  const route = Object.hasOwn(given, ROUTE_FIELD) ? given[ROUTE_FIELD] : undefined;
  const routeId =
    typeof route === 'string' && request.routes.some((candidate) => candidate.id === route)
      ? route
      : undefined;
  return { ...(routeId !== undefined ? { routeId } : {}), values };
}

export interface ReviewedProposal {
  /** What the engine may read: the proposals the typed extractor accepts (still the model's words). */
  readonly proposal: Proposal;
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
}

/**
 * The types decide: each proposed text is read by the variable's extractor, as an answer to its
 * question; a text the extractor finds no value in ("next blursday" for a date, "blue" for a choice
 * of sizes) is rejected. The engine reads the accepted texts once more, so what is stored is always
 * the extractor's value, never the model's text. A route is accepted only if it is the workflow's.
 */
export function reviewProposal(
  proposal: Proposal,
  variables: readonly WorkflowVariable[],
  workflow: Workflow,
  now: Date,
): ReviewedProposal {
  const options = { ...extractOptionsFor(workflow), asked: true };
  const accepted: string[] = [];
  const rejected: string[] = [];
  const values: Record<string, string> = nullMap({});
  for (const variable of variables) {
    const text = Object.hasOwn(proposal.values, variable.name) ? proposal.values[variable.name] : undefined;
    if (text === undefined) continue;
    if (extractVariable(variable, text, now, options).found) {
      values[variable.name] = text;
      accepted.push(variable.name);
    } else rejected.push(variable.name);
  }
  const routeId =
    proposal.routeId !== undefined && workflow.routes.some((route) => route.id === proposal.routeId)
      ? proposal.routeId
      : undefined;
  if (proposal.routeId !== undefined) (routeId !== undefined ? accepted : rejected).push(ROUTE_FIELD);
  return { proposal: { ...(routeId !== undefined ? { routeId } : {}), values }, accepted, rejected };
}
