import { templateVariables } from '../templates';
import type { Workflow } from './definition';
import { extractOptionsFor, greeted, greetedMedia, nextMissing, nullMap, type SlotState } from './engine';
import { extractVariable } from './extractors';
import { renderForCustomer } from './render';
import { type LocalizedText, textIn } from '../language/localized-text';
import { conversationLanguage, withConversationLanguage } from './language-turn';

export type WorkflowStart =
  | {
      ok: true;
      state: SlotState;
      replies: string[];
      /** The pictures of each reply, as TurnResult.media. */
      media: string[][];
      completed: boolean;
    }
  | { ok: false; reason: string };

/**
 * Opens a conversation the business starts: the first message is the greeting and the prompt
 * for the first variable still missing, rendered with the prefilled variables, and the state
 * waits for that answer, so the customer's reply continues it like any turn (runTurn).
 *
 * Route: the named one, else the only one. A workflow with several routes and no route named
 * opens with just its greeting and lets the customer's reply pick the route by keyword.
 * Prefilled values of the route's mandatory variables are read by their type's extractor
 * (stored normalised, refused with the reason a customer would get); other variables are
 * template values (a first name, an order total) kept as given.
 */
export function startWorkflow(input: {
  workflow: Workflow;
  routeId?: string;
  variables: Readonly<Record<string, string>>;
  now: Date;
  /** The conversation's language (default the workflow's default language). */
  language?: string;
}): WorkflowStart {
  const { workflow, now } = input;
  const language = conversationLanguage(workflow, input.language);
  const route =
    input.routeId !== undefined
      ? workflow.routes.find((candidate) => candidate.id === input.routeId)
      : workflow.routes.length === 1
        ? workflow.routes[0]
        : undefined;
  if (input.routeId !== undefined && !route)
    return { ok: false, reason: `workflow ${workflow.id} has no route ${input.routeId}` };

  const variables = nullMap(input.variables);
  for (const variable of route?.mandatoryVariables ?? []) {
    const given = Object.hasOwn(input.variables, variable.name) ? input.variables[variable.name] : undefined;
    if (given === undefined) continue;
    const read = extractVariable(variable, given, now, extractOptionsFor(workflow, language));
    if (!read.found) return { ok: false, reason: `variable ${variable.name}: ${read.reason}` };
    variables[variable.name] = read.value;
  }

  const render = (template: LocalizedText) =>
    renderForCustomer(textIn(template, language, workflow), variables, { workflow, route, now, language });
  const greeting = workflow.greeting === undefined ? undefined : render(workflow.greeting);
  let reply: string;
  let media: string[];
  let completed = false;
  if (!route) {
    if (!greeting)
      return {
        ok: false,
        reason: `workflow ${workflow.id} has several routes and no greeting: name the routeId to start in`,
      };
    reply = greeting;
    media = greetedMedia(workflow, greeting, undefined);
  } else {
    const missing = nextMissing(route, variables);
    completed = missing === undefined;
    reply = greeted(greeting, render(missing ? missing.prompt : route.onComplete.reply));
    media = greetedMedia(workflow, greeting, missing ? missing.promptMedia : route.onComplete.media);
  }
  const unfilled = templateVariables(reply);
  if (unfilled.length > 0)
    return { ok: false, reason: `the first message needs variable(s) ${[...new Set(unfilled)].join(', ')}` };

  const state: SlotState = {
    status: completed ? 'completed' : 'collecting',
    ...(route ? { routeId: route.id } : {}),
    variables,
    attempts: {},
  };
  const started = withConversationLanguage(
    { state, replies: [reply], media: [media], completed },
    workflow,
    language,
  );
  return { ok: true, ...started, completed };
}
