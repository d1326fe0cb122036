import { foldCase } from '../workflow/fuzzy';
import { type LanguageSettings, languagesOf, primaryLanguage } from './languages';

/**
 * Switching keywords: a message that is only the name of one of the workflow's languages
 * (ESPAÑOL, ESPANOL, SPANISH, ENGLISH, INGLÉS, FRANÇAIS, DEUTSCH ...) changes the conversation's
 * language for good. Names come from Intl.DisplayNames: each language's name in itself, in
 * English, and in every other language of the workflow; case, accents and punctuation ignored.
 */

const displayNames = new Map<string, Intl.DisplayNames>();

function namesIn(locale: string): Intl.DisplayNames | undefined {
  let names = displayNames.get(locale);
  if (!names) {
    try {
      names = new Intl.DisplayNames([locale], { type: 'language', fallback: 'none' });
    } catch {
      return undefined;
    }
    displayNames.set(locale, names);
  }
  return names;
}

function folded(text: string): string {
  return foldCase(text.normalize('NFKC'))
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0)
    .join(' ');
}

/** Every name a customer may switch to `language` with, folded ("espanol", "spanish", ...). */
export function switchingNames(language: string, workflow: LanguageSettings): string[] {
  const tags = [language, primaryLanguage(language)];
  const readers = new Set(['en', ...languagesOf(workflow), ...tags]);
  const names = new Set<string>();
  for (const reader of readers)
    for (const tag of tags) {
      const name = namesIn(reader)?.of(tag);
      if (name) names.add(folded(name));
    }
  return [...names].filter((name) => name.length > 0);
}

/**
 * The workflow language a message switches to, when the message is a switching keyword of one of
 * its languages; undefined for any other message and in a workflow of one language.
 */
export function switchingKeyword(text: string, workflow: LanguageSettings): string | undefined {
  const languages = languagesOf(workflow);
  if (languages.length < 2) return undefined;
  const said = folded(text);
  // A name is one or two words ("español de México" is three; its primary "español" is one).
  if (said.length === 0 || said.split(' ').length > 4) return undefined;
  return languages.find((language) => switchingNames(language, workflow).includes(said));
}
