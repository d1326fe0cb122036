import type { Workflow } from './definition';

/**
 * Reads a workflow back from storage in the functions that run it, without zod: `workflow put`
 * (and the seed) store only what `parseWorkflow` accepted, so here a lean check of the shape the
 * engine relies on suffices, and the conversation bundle sheds zod (450 KB, ~30 ms of its cold
 * start: README "Performance"). The defaults `parseWorkflow` applies are applied here too, so a
 * workflow stored before a default existed reads the same. Authors get zod's full errors from
 * `workflow lint`/`put`; a definition edited by hand in the table fails here naming the field.
 */
export class StoredWorkflowError extends Error {
  override readonly name = 'StoredWorkflowError';
}

type Json = Record<string, unknown>;

const VARIABLE_TYPES = new Set([
  'text',
  'pattern',
  'number',
  'date',
  'time',
  'email',
  'phone',
  'yesno',
  'choice',
]);

function fail(path: string, expected: string): never {
  throw new StoredWorkflowError(`${path}: expected ${expected}`);
}

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object');
  return value as Json;
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'text');
  return value;
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'a list');
  return value;
}

function variable(value: unknown, path: string): Json {
  const checked = object(value, path);
  text(checked.name, `${path}.name`);
  text(checked.prompt, `${path}.prompt`);
  if (!VARIABLE_TYPES.has(text(checked.type, `${path}.type`))) fail(`${path}.type`, 'a variable type');
  if (checked.type === 'pattern') text(checked.pattern, `${path}.pattern`);
  if (checked.type === 'choice')
    list(checked.options, `${path}.options`).forEach((o, i) => text(o, `${path}.options.${i}`));
  return checked;
}

function route(value: unknown, path: string): Json {
  const checked = object(value, path);
  text(checked.id, `${path}.id`);
  const match = checked.match === undefined ? { keywords: [] } : object(checked.match, `${path}.match`);
  const keywords = match.keywords === undefined ? [] : list(match.keywords, `${path}.match.keywords`);
  keywords.forEach((keyword, index) => text(keyword, `${path}.match.keywords.${index}`));
  const variables =
    checked.mandatoryVariables === undefined
      ? []
      : list(checked.mandatoryVariables, `${path}.mandatoryVariables`);
  variables.forEach((item, index) => variable(item, `${path}.mandatoryVariables.${index}`));
  text(object(checked.onComplete, `${path}.onComplete`).reply, `${path}.onComplete.reply`);
  return { ...checked, match: { ...match, keywords }, mandatoryVariables: variables };
}

export function readStoredWorkflow(definition: string): Workflow {
  const stored = object(JSON.parse(definition), '(root)');
  text(stored.id, 'id');
  const routes = list(stored.routes, 'routes');
  if (routes.length === 0) fail('routes', 'at least one route');
  const fallback = object(stored.fallback, 'fallback');
  text(fallback.reply, 'fallback.reply');
  const maxAttempts = fallback.maxAttempts ?? 3;
  if (typeof maxAttempts !== 'number') fail('fallback.maxAttempts', 'a number');
  text(stored.failureMessage, 'failureMessage');
  const expiresAfterHours = stored.expiresAfterHours ?? 24;
  if (typeof expiresAfterHours !== 'number') fail('expiresAfterHours', 'a number');
  return {
    ...stored,
    routes: routes.map((item, index) => route(item, `routes.${index}`)),
    fallback: { ...fallback, maxAttempts },
    expiresAfterHours,
  } as Workflow;
}
