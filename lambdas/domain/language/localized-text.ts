import { defaultLanguageOf, type LanguageSettings, primaryLanguage } from './languages';

/**
 * A text a customer can be sent: one string (the same in every language of the workflow), or a
 * map by language (`{"en": "When?", "es": "¿Cuándo?"}`). The schema requires a map to hold the
 * workflow's default language; a language a map lacks gets the default's text (and `workflow
 * lint` fails on it, naming the path and the language).
 */
export type LocalizedText = string | Readonly<Record<string, string>>;

/** Keywords or patterns: one list for every language, or a list per language. */
export type LocalizedList = readonly string[] | Readonly<Record<string, readonly string[]>>;

function own<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** The entry of a map for `language`: its own, one of the same primary language, else undefined. */
function entryFor<T>(map: Readonly<Record<string, T>>, language: string): T | undefined {
  const exact = own(map, language);
  if (exact !== undefined) return exact;
  const primary = primaryLanguage(language);
  const near = Object.keys(map).find((key) => primaryLanguage(key) === primary);
  return near === undefined ? undefined : own(map, near);
}

/**
 * The text in `language` (default: the workflow's default language): a string as it is; a map's
 * entry for the language, else for the default language, else its first entry (a map the schema
 * refused, read from storage). Total: a string for any text.
 */
export function textIn(text: LocalizedText, language: string | undefined, workflow: LanguageSettings): string;
export function textIn(
  text: LocalizedText | undefined,
  language: string | undefined,
  workflow: LanguageSettings,
): string | undefined;
export function textIn(
  text: LocalizedText | undefined,
  language: string | undefined,
  workflow: LanguageSettings,
): string | undefined {
  if (text === undefined || typeof text === 'string') return text;
  const fallback = defaultLanguageOf(workflow);
  return entryFor(text, language ?? fallback) ?? entryFor(text, fallback) ?? Object.values(text)[0] ?? '';
}

/** Every text of a localized text, each language's once (for checks that must see them all). */
export function allTexts(text: LocalizedText | undefined): string[] {
  if (text === undefined) return [];
  return typeof text === 'string' ? [text] : [...new Set(Object.values(text))];
}

/** The languages a map names; undefined for a plain string (the same text in every language). */
export function languagesNamed(text: LocalizedText | LocalizedList | undefined): string[] | undefined {
  if (text === undefined || typeof text === 'string' || Array.isArray(text)) return undefined;
  return Object.keys(text);
}

/** The list in `language`: a plain list as it is; a map's entry for it, else the default language's, else none. */
export function listIn(
  list: LocalizedList | undefined,
  language: string | undefined,
  workflow: LanguageSettings,
): readonly string[] {
  if (list === undefined) return [];
  if (isPlainList(list)) return list;
  return (
    entryFor(list, language ?? defaultLanguageOf(workflow)) ??
    entryFor(list, defaultLanguageOf(workflow)) ??
    []
  );
}

/** Every entry of a list in every language, each once: route keywords pick a route whatever the language. */
export function allOfList(list: LocalizedList | undefined): string[] {
  if (list === undefined) return [];
  if (isPlainList(list)) return [...list];
  return [...new Set(Object.values(list).flat())];
}

/** The lists of a localized list by language; a plain list under `undefined` (every language). */
export function listsByLanguage(list: LocalizedList | undefined): [string | undefined, readonly string[]][] {
  if (list === undefined) return [];
  if (isPlainList(list)) return [[undefined, list]];
  return Object.entries(list);
}

function isPlainList(list: LocalizedList): list is readonly string[] {
  return Array.isArray(list);
}
