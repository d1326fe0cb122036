import type { Workflow } from './definition';
import { DATE_DIRECTIONS } from './extract/types';
import { compileTenantRegex } from './tenant-regex';

/**
 * Reads a workflow back from storage in the functions that run it, without zod: `workflow put`
 * (and the seed) store only what `parseWorkflow` accepted, so here a lean check of the shape the
 * engine relies on suffices, and the conversation bundle sheds zod (450 KB, ~30 ms of its cold
 * start: docs/performance.md). The defaults `parseWorkflow` applies are applied here too, so a
 * workflow stored before a default existed reads the same. Authors get zod's full errors from
 * `workflow lint`/`put`; a definition edited by hand in the table fails here naming the field.
 * Two refusals are repeated here whatever was stored, because they would hurt the platform rather
 * than one conversation: a variable named after a property of every object (`constructor`), and a
 * pattern the linear-time engine cannot run.
 */
export class StoredWorkflowError extends Error {
  override readonly name = 'StoredWorkflowError';
}

/** Defaults and bounds shared with `parseWorkflow` (definition.ts imports them from here). */
export const DEFAULT_EXPIRES_AFTER_HOURS = 24;
export const DEFAULT_MAX_ATTEMPTS = 3;
/**
 * Bounds the functions depend on, checked again on every read: an expiry of 1e10 hours is past
 * the last date JavaScript can hold, and would fail every turn of the workflow.
 */
export const EXPIRES_AFTER_HOURS_BOUNDS = { min: 1, max: 720 } as const;
export const MAX_ATTEMPTS_BOUNDS = { min: 1, max: 10 } as const;

function within(value: unknown, bounds: { min: number; max: number }): value is number {
  return typeof value === 'number' && value >= bounds.min && value <= bounds.max;
}

/**
 * Names of properties every JavaScript object has (`constructor`, `toString`, `__proto__`, ...)
 * and `prototype`, lower case: a variable with one of these names (in any case, since templates
 * fall back to the lower-case name) would read as already collected from an empty object.
 */
const RESERVED_NAMES = new Set(
  [...Object.getOwnPropertyNames(Object.prototype), 'prototype'].map((name) => name.toLowerCase()),
);

export function isReservedVariableName(name: string): boolean {
  return RESERVED_NAMES.has(name.toLowerCase());
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
const DIRECTIONS: ReadonlySet<string> = new Set(DATE_DIRECTIONS);

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

function optionalText(value: unknown, path: string): void {
  if (value !== undefined) text(value, path);
}

/** A text for customers: a string, or a map by language of strings (issue 19). */
function localizedText(value: unknown, path: string): void {
  if (typeof value === 'string') return;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(path, 'text (or a map by language of texts)');
  const byLanguage = value as Json;
  for (const [language, item] of Object.entries(byLanguage)) text(item, `${path}.${language}`);
}

function optionalLocalizedText(value: unknown, path: string): void {
  if (value !== undefined) localizedText(value, path);
}

/** A list, or a map by language of lists; `each` checks every entry. */
function localizedList(value: unknown, path: string, each: (item: unknown, path: string) => void): void {
  const lists: [string, unknown][] = Array.isArray(value)
    ? [[path, value]]
    : Object.entries(object(value, path)).map(([language, items]) => [`${path}.${language}`, items]);
  for (const [at, items] of lists) list(items, at).forEach((item, index) => each(item, `${at}.${index}`));
}

function optionalNumber(value: unknown, path: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) fail(path, 'a number');
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'a list');
  return value;
}

function texts(value: unknown, path: string): string[] {
  return list(value, path).map((item, index) => text(item, `${path}.${index}`));
}

/** A list of pictures (`media`, `promptMedia`, ...): the engine sends whatever is there. */
function optionalMedia(value: unknown, path: string): void {
  if (value !== undefined) texts(value, path);
}

function pattern(value: unknown, path: string): void {
  const compiled = compileTenantRegex(text(value, path));
  if (!compiled.ok) throw new StoredWorkflowError(`${path}: ${compiled.reason}`);
}

function variable(value: unknown, path: string): Json {
  const checked = object(value, path);
  const name = text(checked.name, `${path}.name`);
  if (isReservedVariableName(name))
    throw new StoredWorkflowError(`${path}.name: "${name}" is reserved (a property of every object)`);
  localizedText(checked.prompt, `${path}.prompt`);
  optionalLocalizedText(checked.invalidMessage, `${path}.invalidMessage`);
  optionalMedia(checked.promptMedia, `${path}.promptMedia`);
  optionalMedia(checked.invalidMessageMedia, `${path}.invalidMessageMedia`);
  if (!VARIABLE_TYPES.has(text(checked.type, `${path}.type`))) fail(`${path}.type`, 'a variable type');
  if (checked.type === 'pattern') pattern(checked.pattern, `${path}.pattern`);
  if (checked.type === 'choice') texts(checked.options, `${path}.options`);
  if (checked.type === 'date') {
    if (checked.direction !== undefined && !DIRECTIONS.has(text(checked.direction, `${path}.direction`)))
      fail(`${path}.direction`, 'past, future or any');
    optionalNumber(checked.min, `${path}.min`);
    optionalNumber(checked.max, `${path}.max`);
  }
  if (checked.type === 'yesno' && checked.onNo !== undefined) {
    const onNo = object(checked.onNo, `${path}.onNo`);
    localizedText(onNo.reply, `${path}.onNo.reply`);
    optionalMedia(onNo.media, `${path}.onNo.media`);
    texts(onNo.clear, `${path}.onNo.clear`);
  }
  return checked;
}

function route(value: unknown, path: string): Json {
  const checked = object(value, path);
  text(checked.id, `${path}.id`);
  const match = checked.match === undefined ? { keywords: [] } : object(checked.match, `${path}.match`);
  const keywords = match.keywords ?? [];
  localizedList(keywords, `${path}.match.keywords`, text);
  if (match.patterns !== undefined) localizedList(match.patterns, `${path}.match.patterns`, pattern);
  const variables =
    checked.mandatoryVariables === undefined
      ? []
      : list(checked.mandatoryVariables, `${path}.mandatoryVariables`);
  variables.forEach((item, index) => variable(item, `${path}.mandatoryVariables.${index}`));
  const onComplete = object(checked.onComplete, `${path}.onComplete`);
  localizedText(onComplete.reply, `${path}.onComplete.reply`);
  optionalMedia(onComplete.media, `${path}.onComplete.media`);
  if (checked.reminders !== undefined)
    list(checked.reminders, `${path}.reminders`).forEach((item, index) => {
      const reminder = object(item, `${path}.reminders.${index}`);
      // A timer's delay is computed from it: a non-number would arm a timer due at NaN.
      if (typeof reminder.afterSeconds !== 'number' || !(reminder.afterSeconds >= 1))
        fail(`${path}.reminders.${index}.afterSeconds`, 'a number of seconds');
      localizedText(reminder.reply, `${path}.reminders.${index}.reply`);
      optionalMedia(reminder.media, `${path}.reminders.${index}.media`);
    });
  return { ...checked, match: { ...match, keywords }, mandatoryVariables: variables };
}

export function readStoredWorkflow(definition: string): Workflow {
  const stored = object(JSON.parse(definition), '(root)');
  text(stored.id, 'id');
  const routes = list(stored.routes, 'routes');
  if (routes.length === 0) fail('routes', 'at least one route');
  const fallback = object(stored.fallback, 'fallback');
  localizedText(fallback.reply, 'fallback.reply');
  optionalMedia(fallback.media, 'fallback.media');
  const maxAttempts = fallback.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!within(maxAttempts, MAX_ATTEMPTS_BOUNDS) || !Number.isInteger(maxAttempts))
    fail(
      'fallback.maxAttempts',
      `a whole number from ${MAX_ATTEMPTS_BOUNDS.min} to ${MAX_ATTEMPTS_BOUNDS.max}`,
    );
  localizedText(stored.failureMessage, 'failureMessage');
  const expiresAfterHours = stored.expiresAfterHours ?? DEFAULT_EXPIRES_AFTER_HOURS;
  if (!within(expiresAfterHours, EXPIRES_AFTER_HOURS_BOUNDS))
    fail(
      'expiresAfterHours',
      `a number of hours from ${EXPIRES_AFTER_HOURS_BOUNDS.min} to ${EXPIRES_AFTER_HOURS_BOUNDS.max}`,
    );
  for (const field of ['timeZone', 'defaultCountry']) optionalText(stored[field], field);
  for (const field of ['greeting', 'help', 'locale']) optionalLocalizedText(stored[field], field);
  if (stored.handoff !== undefined) localizedText(object(stored.handoff, 'handoff').reply, 'handoff.reply');
  if (stored.handoffKeywords !== undefined) localizedList(stored.handoffKeywords, 'handoffKeywords', text);
  if (stored.languages !== undefined) texts(stored.languages, 'languages');
  for (const field of ['greetingMedia', 'failureMessageMedia', 'helpMedia'])
    optionalMedia(stored[field], field);
  return {
    ...stored,
    routes: routes.map((item, index) => route(item, `routes.${index}`)),
    fallback: { ...fallback, maxAttempts },
    expiresAfterHours,
  } as Workflow;
}
