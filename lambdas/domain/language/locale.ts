import { defaultLanguageOf, type LanguageSettings, primaryLanguage } from './languages';
import type { LocalizedText } from './localized-text';

/** Dates and times of an English conversation without a `locale`: as they always were. */
export const DEFAULT_LOCALE = 'en-US';

/**
 * The locale dates and times are shown in to a conversation in `language`. `locale` as a map by
 * language: the language's entry. One locale (as before languages existed): it is the default
 * language's, and any language's of the same primary language (`en-GB` for `en` and `en-US`); other
 * languages use their own tag (`es`: "viernes, 4 de diciembre"). Without `locale`: `en-US` for
 * English, the language's own tag otherwise.
 */
export function localeFor(
  workflow: LanguageSettings & { readonly locale?: LocalizedText },
  language: string | undefined,
): string {
  const speaking = language ?? defaultLanguageOf(workflow);
  const { locale } = workflow;
  if (locale !== undefined && typeof locale !== 'string') {
    const own = Object.hasOwn(locale, speaking) ? locale[speaking] : undefined;
    if (own !== undefined) return own;
    const near = Object.keys(locale).find((key) => primaryLanguage(key) === primaryLanguage(speaking));
    return near !== undefined ? (locale[near] as string) : ownLocale(speaking);
  }
  if (locale !== undefined) {
    const isDefault = speaking === defaultLanguageOf(workflow);
    return isDefault || primaryLanguage(locale) === primaryLanguage(speaking) ? locale : ownLocale(speaking);
  }
  return ownLocale(speaking);
}

function ownLocale(language: string): string {
  return language === 'en' ? DEFAULT_LOCALE : language;
}
