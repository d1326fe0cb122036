/**
 * Languages of a workflow (issue 19): BCP 47 tags as `Intl` reads them. A workflow declares the
 * languages it speaks (`languages`, the first the default); every text the customer can be sent
 * is then a string (the same in every language) or a map by language (localized-text.ts).
 * Pure: no AWS imports.
 */

/** What a workflow without `languages` speaks: today's behaviour, English only. */
export const DEFAULT_LANGUAGES: readonly string[] = ['en'];

/** Languages the platform's own texts (default HELP, failure, hand-off ...) are written in. */
export const BUILTIN_LANGUAGES = ['en', 'es', 'fr', 'pt', 'de'] as const;
export type BuiltinLanguage = (typeof BUILTIN_LANGUAGES)[number];

/** What the language settings of a workflow look like to the functions that read them. */
export interface LanguageSettings {
  readonly languages?: readonly string[];
}

const knownLanguageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/**
 * The canonical form of a BCP 47 language tag (`ES-mx` -> `es-MX`), or undefined when `tag` is
 * not one: malformed for `Intl.getCanonicalLocales`, or a language subtag that is not a two- or
 * three-letter ISO 639 code this runtime knows ("english", "xx").
 */
export function canonicalLanguageTag(tag: string): string | undefined {
  let canonical: string | undefined;
  try {
    canonical = Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
  if (canonical === undefined) return undefined;
  const primary = primaryLanguage(canonical);
  if (!/^[a-z]{2,3}$/.test(primary)) return undefined;
  return knownLanguageNames.of(primary) === undefined ? undefined : canonical;
}

export function isLanguageTag(tag: string): boolean {
  return canonicalLanguageTag(tag) === tag;
}

/** The language subtag: `es-MX` -> `es`. */
export function primaryLanguage(tag: string): string {
  return (tag.split('-')[0] ?? tag).toLowerCase();
}

export function languagesOf(workflow: LanguageSettings): readonly string[] {
  return workflow.languages && workflow.languages.length > 0 ? workflow.languages : DEFAULT_LANGUAGES;
}

export function defaultLanguageOf(workflow: LanguageSettings): string {
  return languagesOf(workflow)[0] as string;
}

/** Whether the workflow speaks more than one language (only then is a conversation's language decided). */
export function isMultilingual(workflow: LanguageSettings): boolean {
  return languagesOf(workflow).length > 1;
}

/**
 * The workflow's language that `candidate` names: itself, or the one with its primary subtag
 * (a detected `es` is the workflow's `es-MX`; a customer's `pt-BR` preference its `pt`).
 * Undefined when the workflow does not speak it.
 */
export function workflowLanguageFor(
  workflow: LanguageSettings,
  candidate: string | undefined,
): string | undefined {
  if (candidate === undefined) return undefined;
  const languages = languagesOf(workflow);
  if (languages.includes(candidate)) return candidate;
  const primary = primaryLanguage(candidate);
  return languages.find((language) => primaryLanguage(language) === primary);
}

/** The built-in language for `language` (its primary subtag), English when there is none. */
export function builtinLanguageFor(language: string | undefined): BuiltinLanguage {
  const primary = language === undefined ? 'en' : primaryLanguage(language);
  return (BUILTIN_LANGUAGES as readonly string[]).includes(primary) ? (primary as BuiltinLanguage) : 'en';
}
