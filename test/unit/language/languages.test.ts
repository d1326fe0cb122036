import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_LANGUAGES,
  builtinLanguageFor,
  canonicalLanguageTag,
  defaultLanguageOf,
  isMultilingual,
  primaryLanguage,
  workflowLanguageFor,
} from '../../../lambdas/domain/language/languages';
import {
  allOfList,
  allTexts,
  listIn,
  type LocalizedText,
  textIn,
} from '../../../lambdas/domain/language/localized-text';
import { localeFor } from '../../../lambdas/domain/language/locale';
import { builtinMessage, builtinTranslations } from '../../../lambdas/domain/language/builtin-messages';
import { countSegments } from '../../../lambdas/domain/segments';

describe('language tags (BCP 47, as Intl reads them)', () => {
  it.each([
    ['en', 'en'],
    ['es-MX', 'es-MX'],
    ['ES-mx', 'es-MX'],
    ['pt-br', 'pt-BR'],
    ['spa', 'es'],
  ])('%s is the tag %s', (tag, canonical) => {
    expect(canonicalLanguageTag(tag)).toBe(canonical);
  });

  it.each(['english', 'xx', 'e', '', 'en_US', '123', 'es-'])('"%s" is not a language tag', (tag) => {
    expect(canonicalLanguageTag(tag)).toBeUndefined();
  });

  it('picks the workflow language a detected or stored one names (its own, or its primary language)', () => {
    const workflow = { languages: ['en', 'es-MX'] };
    expect(workflowLanguageFor(workflow, 'es')).toBe('es-MX');
    expect(workflowLanguageFor(workflow, 'en-GB')).toBe('en');
    expect(workflowLanguageFor(workflow, 'fr')).toBeUndefined();
    expect(defaultLanguageOf(workflow)).toBe('en');
    expect(defaultLanguageOf({})).toBe('en');
    expect(isMultilingual({})).toBe(false);
    expect(primaryLanguage('pt-BR')).toBe('pt');
    expect(builtinLanguageFor('de-AT')).toBe('de');
    expect(builtinLanguageFor('ja')).toBe('en');
  });
});

describe('localized texts', () => {
  const workflow = { languages: ['en', 'es', 'fr'] };

  it('a string is the same text in every language; a map gives each its own, else the default', () => {
    expect(textIn('Hi', 'es', workflow)).toBe('Hi');
    const greeting = { en: 'Hi', es: 'Hola' };
    expect(textIn(greeting, 'es', workflow)).toBe('Hola');
    expect(textIn(greeting, 'es-MX', workflow)).toBe('Hola');
    expect(textIn(greeting, 'fr', workflow)).toBe('Hi');
    expect(textIn(greeting, undefined, workflow)).toBe('Hi');
    expect(textIn(undefined, 'es', workflow)).toBeUndefined();
    expect(allTexts(greeting)).toEqual(['Hi', 'Hola']);
  });

  it('a map never answers from the prototype ("constructor" is no language)', () => {
    expect(textIn({ en: 'Hi' }, 'constructor', workflow)).toBe('Hi');
  });

  it('is total: any map holding the default language answers a text of the map for any language', () => {
    const language = fc.constantFrom('en', 'es', 'fr', 'de', 'es-MX', 'zz');
    fc.assert(
      fc.property(
        fc.string(),
        fc.dictionary(fc.constantFrom('es', 'fr', 'de', 'pt'), fc.string()),
        language,
        (english, others, asked) => {
          const text: LocalizedText = { ...others, en: english };
          const said = textIn(text, asked, workflow);
          expect(Object.values(text)).toContain(said);
          if (!Object.hasOwn(others, asked.split('-')[0] as string)) expect(said).toBe(english);
        },
      ),
    );
  });

  it('lists: one for every language, or one per language (every language picks a route)', () => {
    const keywords = { en: ['book'], es: ['cita', 'reservar'] };
    expect(listIn(keywords, 'es', workflow)).toEqual(['cita', 'reservar']);
    expect(listIn(keywords, 'fr', workflow)).toEqual(['book']);
    expect(listIn(['order'], 'es', workflow)).toEqual(['order']);
    expect(allOfList(keywords)).toEqual(['book', 'cita', 'reservar']);
  });
});

describe('locale per language', () => {
  it('keeps a single locale for the default language (and its kin), each other language its own tag', () => {
    expect(localeFor({}, undefined)).toBe('en-US');
    expect(localeFor({ locale: 'fr-FR' }, undefined)).toBe('fr-FR');
    const bilingual = { languages: ['en', 'es'], locale: 'en-GB' };
    expect(localeFor(bilingual, 'en')).toBe('en-GB');
    expect(localeFor(bilingual, 'es')).toBe('es');
    expect(localeFor({ languages: ['en', 'es'], locale: { en: 'en-US', es: 'es-MX' } }, 'es')).toBe('es-MX');
    expect(localeFor({ languages: ['en', 'es'], locale: { en: 'en-US' } }, 'es')).toBe('es');
  });
});

describe('built-in messages', () => {
  it.each(['help', 'failure', 'handoff', 'languageChanged'] as const)(
    '%s exists in every built-in language, each in one segment',
    (message) => {
      const translations = builtinTranslations(message);
      expect(Object.keys(translations).sort()).toEqual([...BUILTIN_LANGUAGES].sort());
      for (const text of Object.values(translations)) expect(countSegments(text).segments).toBe(1);
    },
  );

  it('answers English for a language it does not have, and a regional tag in its language', () => {
    expect(builtinMessage('help', 'ja')).toBe(builtinMessage('help', 'en'));
    expect(builtinMessage('help', 'es-MX')).toBe(builtinTranslations('help').es);
  });

  it('HELP and the failure text avoid UCS-2 where the language allows', () => {
    for (const message of ['help', 'failure', 'handoff'] as const)
      for (const text of Object.values(builtinTranslations(message)))
        expect(countSegments(text).encoding, text).toBe('GSM-7');
  });
});
