import { templateVariables } from '../templates';
import type { Workflow, WorkflowRoute } from '../workflow/definition';
import { startWorkflow } from '../workflow/start';
import { allTexts } from '../language/localized-text';

/**
 * What a recipients file's columns must be for a campaign to start a workflow, derived from the
 * workflow the way startWorkflow (workflow/start.ts) opens a conversation: the recipients reader
 * takes these as parameters and knows nothing about workflows.
 */

/**
 * Given the variable columns a file has, either the columns every row must fill for the first
 * message to be complete, or why the workflow cannot start with these columns at all (the API's
 * `workflow-cannot-start`).
 */
export type StartRequirement = (
  columns: readonly string[],
) =>
  | { readonly ok: true; readonly required: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** The route a start opens: the named one, else the only one (startWorkflow's rule). */
function startRoute(
  workflow: Workflow,
  routeId: string | undefined,
): { ok: true; route: WorkflowRoute | undefined } | { ok: false; reason: string } {
  if (routeId === undefined)
    return { ok: true, route: workflow.routes.length === 1 ? workflow.routes[0] : undefined };
  const route = workflow.routes.find((candidate) => candidate.id === routeId);
  return route
    ? { ok: true, route }
    : { ok: false, reason: `workflow ${workflow.id} has no route ${routeId}` };
}

/** Every `{{name}}` in any text of the workflow (greeting, prompts, replies, help, ...), whatever its field. */
function tokensIn(value: unknown, into: Set<string>): Set<string> {
  if (typeof value === 'string') for (const name of templateVariables(value)) into.add(name);
  else if (Array.isArray(value)) for (const item of value) tokensIn(item, into);
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) tokensIn(item, into);
  return into;
}

/** The column that fills a template token: its own name, else its lowercase form (renderTemplate's lookup). */
function columnFor(token: string, columns: ReadonlySet<string>): string | undefined {
  if (columns.has(token)) return token;
  const lower = token.toLowerCase();
  return columns.has(lower) ? lower : undefined;
}

export interface WorkflowColumns {
  /**
   * Variable columns a file may have: the start route's mandatory variables (every route's when
   * the customer's reply picks the route) and every variable the workflow's texts use.
   */
  readonly allowedVariables: readonly string[];
  readonly startRequirement: StartRequirement;
}

/**
 * The allowed columns and the start requirement of a campaign that starts `workflow` (in `routeId`,
 * else its only route). The requirement assumes every column is filled: rows that leave a
 * mandatory variable's cell empty ask the customer for it instead, which may need other values
 * (the per-row check, workflowRowCheck, sees those).
 */
export function workflowColumns(workflow: Workflow, routeId?: string): WorkflowColumns {
  const opened = startRoute(workflow, routeId);
  const routes = opened.ok && opened.route ? [opened.route] : workflow.routes;
  const allowed = new Set<string>(
    routes.flatMap((route) => route.mandatoryVariables.map(({ name }) => name)),
  );
  // A token is filled by a variable of its own name or of its lowercase form (renderTemplate).
  for (const token of tokensIn(workflow, new Set())) allowed.add(token).add(token.toLowerCase());

  const startRequirement: StartRequirement = (columns) => {
    if (!opened.ok) return opened;
    const { route } = opened;
    const given = new Set(columns);
    let firstMessage: string[];
    if (!route) {
      if (workflow.greeting === undefined)
        return {
          ok: false,
          reason: `workflow ${workflow.id} has several routes and no greeting: name the route to start in`,
        };
      firstMessage = allTexts(workflow.greeting);
    } else {
      const missing = route.mandatoryVariables.find((variable) => !given.has(variable.name));
      // In any of the workflow's languages: a recipient's conversation may open in each.
      firstMessage = [
        ...allTexts(workflow.greeting),
        ...allTexts(missing ? missing.prompt : route.onComplete.reply),
      ];
    }
    const tokens = [...new Set(firstMessage.flatMap(templateVariables))];
    const unfilled = tokens.filter((token) => columnFor(token, given) === undefined);
    if (unfilled.length > 0)
      return {
        ok: false,
        reason: `the first message needs variable(s) ${unfilled.join(', ')}: add a column for each`,
      };
    return {
      ok: true,
      required: [...new Set(tokens.map((token) => columnFor(token, given) as string))],
    };
  };
  return { allowedVariables: [...allowed].sort(), startRequirement };
}

/**
 * The per-row check of a workflow campaign: startWorkflow itself, so a row's values are read by
 * their variables' types (an order number that does not match its pattern, a date that is not one)
 * and refused with the reason a customer would get. Call prepareReaders(workflow) first.
 */
export function workflowRowCheck(
  workflow: Workflow,
  routeId: string | undefined,
  now: Date,
): (variables: Readonly<Record<string, string>>) => string | undefined {
  return (variables) => {
    const opened = startWorkflow({ workflow, ...(routeId !== undefined ? { routeId } : {}), variables, now });
    return opened.ok ? undefined : opened.reason;
  };
}

/**
 * The columns of a campaign that sends one text (`--body`) with `{{name}}` tokens filled per
 * recipient: exactly the tokens, each required. A text without tokens allows no variable column.
 */
export function messageColumns(body: string): WorkflowColumns {
  const tokens = [...new Set(templateVariables(body))];
  return {
    allowedVariables: [...new Set(tokens.flatMap((token) => [token, token.toLowerCase()]))],
    startRequirement: (columns) => {
      const given = new Set(columns);
      const unfilled = tokens.filter((token) => columnFor(token, given) === undefined);
      if (unfilled.length > 0)
        return {
          ok: false,
          reason: `the text needs variable(s) ${unfilled.join(', ')}: add a column for each`,
        };
      return { ok: true, required: tokens.map((token) => columnFor(token, given) as string) };
    },
  };
}
