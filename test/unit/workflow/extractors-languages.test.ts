import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WorkflowVariable } from '../../../lambdas/domain/workflow/definition';
import { extractChoice } from '../../../lambdas/domain/workflow/extract/choice';
import { correctionCue } from '../../../lambdas/domain/workflow/extract/corrections';
import { extractEmail } from '../../../lambdas/domain/workflow/extract/email';
import {
  dateLanguage,
  extractLanguage,
  fold,
  foldMapped,
  originalSpan,
} from '../../../lambdas/domain/workflow/extract/language';
import { NUMBER_WORDS_BY_LANGUAGE } from '../../../lambdas/domain/workflow/extract/number-words';
import { extractNumber, NUMBER_REASON } from '../../../lambdas/domain/workflow/extract/numbers';
import { REASONS, reason } from '../../../lambdas/domain/workflow/extract/reasons';
import { extractText } from '../../../lambdas/domain/workflow/extract/text';
import { TIME_REASON } from '../../../lambdas/domain/workflow/extract/times';
import { YES_NO_REASON } from '../../../lambdas/domain/workflow/extract/yesno';
import { YES_NO_WORDS } from '../../../lambdas/domain/workflow/extract/yesno-words';
import {
  DATE_REASONS,
  defaultReasons,
  EXTRACT_LANGUAGES,
  extractDate,
  extractTime,
  extractVariable,
  extractYesNo,
  refusalReasons,
} from '../../../lambdas/domain/workflow/extractors';

/** Thursday 3 December 2026, noon in New York. */
const now = new Date('2026-12-03T17:00:00Z');
const timeZone = 'America/New_York';
const foreign = ['es', 'fr', 'pt', 'de'] as const;

describe('the language of an answer', () => {
  it('is the primary subtag of a BCP 47 tag, English when not read', () => {
    expect(extractLanguage('es-MX')).toBe('es');
    expect(extractLanguage('pt_BR')).toBe('pt');
    expect(extractLanguage('FR')).toBe('fr');
    expect(extractLanguage('ja')).toBe('en');
    expect(extractLanguage(undefined)).toBe('en');
    expect(dateLanguage('nl-BE')).toBe('nl');
    expect(dateLanguage('it')).toBe('en');
  });

  it('folds case, accents, ß and curly apostrophes', () => {
    expect(fold('  Sí, MAÑANA ’ Weiß ')).toBe("si, manana ' weiss");
  });

  it('maps a match in folded text back to the words as written', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'é', 'ñ', 'ß', ' ', 'Ü', 'º', 'x') }), (text) => {
        const folded = foldMapped(text);
        expect(originalSpan(text, folded, 0, folded.text.length)).toBe(text);
      }),
    );
    const folded = foldMapped('el Miércoles 10');
    const at = folded.text.indexOf('miercoles');
    expect(originalSpan('el Miércoles 10', folded, at, at + 'miercoles'.length)).toBe('Miércoles');
  });
});

describe('reasons in every language', () => {
  it('has every reason in en, es, fr, pt and de, none empty, none the English text', () => {
    for (const [id, texts] of Object.entries(REASONS)) {
      expect(Object.keys(texts).sort(), id).toEqual([...EXTRACT_LANGUAGES].sort());
      for (const language of EXTRACT_LANGUAGES) {
        const text = texts[language] as string | ((...args: unknown[]) => string);
        const args =
          id === 'choice' ? [['A', 'B']] : id === 'text' || id === 'pattern' ? ['order number', 6] : [3];
        const said = typeof text === 'string' ? text : text(...args);
        expect(said.length, `${id} ${language}`).toBeGreaterThan(10);
        if (language !== 'en') {
          const english = texts.en as string | ((...args: unknown[]) => string);
          expect(said).not.toBe(typeof english === 'string' ? english : english(...args));
        }
      }
    }
  });

  it('keeps the English texts as they were', () => {
    expect(reason('dateUnreadable', undefined)).toBe(DATE_REASONS.unreadable);
    expect(reason('datePast', 'en-GB')).toBe(DATE_REASONS.past);
    expect(reason('number', 'ja')).toBe(NUMBER_REASON);
    expect(reason('time', undefined)).toBe(TIME_REASON);
    expect(reason('yesNo', undefined)).toBe(YES_NO_REASON);
    expect(reason('dateMin', undefined, 2)).toBe('Please pick a day at least 2 days from now.');
    expect(reason('dateMax', undefined, -1)).toBe("That's too recent: please pick a day at least 1 day ago.");
  });

  it('gives the reasons of a variable in its language', () => {
    const date: WorkflowVariable = { name: 'cita', type: 'date', direction: 'future', max: 60, prompt: 'p' };
    expect(defaultReasons(date, 'es')).toEqual([
      'No pude leer una fecha (por ejemplo: 10 de diciembre o 10/12).',
      'Ese día ya pasó.',
      'Elige un día dentro de los próximos 60 días.',
    ]);
    expect(refusalReasons(date, 'de')).toEqual([
      'Dieser Tag ist schon vorbei.',
      'Bitte wählen Sie einen Tag in den nächsten 60 Tagen.',
    ]);
    const order: WorkflowVariable = { name: 'order_number', type: 'pattern', pattern: '\\d{6}', prompt: 'p' };
    expect(defaultReasons(order, 'fr')).toEqual([
      'Cela ne semble pas valide pour order number (6 chiffres).',
    ]);
    expect(defaultReasons(order)).toEqual(["That doesn't look like an order number (6 digits)."]);
    const email: WorkflowVariable = { name: 'email', type: 'email', prompt: 'p' };
    expect(extractVariable(email, 'no tengo', now, { language: 'es' })).toEqual({
      found: false,
      reason: 'Eso no parece un correo electrónico (p. ej. nombre@ejemplo.com).',
    });
    expect(extractVariable(date, 'ontem', now, { language: 'pt', timeZone })).toEqual({
      found: false,
      reason: 'Esse dia já passou.',
      refused: true,
    });
  });
});

describe('dates in other languages (chrono-node locales and a few rewrites)', () => {
  it.each([
    ['es', 'ayer', '2026-12-02'],
    ['es', 'mañana', '2026-12-04'],
    ['es', 'mñn', '2026-12-04'],
    ['es', 'pasado mañana', '2026-12-05'],
    ['es', 'antier', '2026-12-01'],
    ['es', 'el martes que viene', '2026-12-08'],
    ['es', 'el lunes pasado', '2026-11-30'],
    ['es', 'el pasado lunes', '2026-11-30'],
    ['es', 'el 10 de dic', '2026-12-10'],
    ['es', '10-12', '2026-12-10'],
    ['es', 'el 28', '2026-11-28'],
    ['es', 'hace 3 días', '2026-11-30'],
    ['es', 'hace una semana', '2026-11-26'],
    ['fr', 'demain', '2026-12-04'],
    ['fr', 'après-demain', '2026-12-05'],
    ['fr', 'avant-hier', '2026-12-01'],
    ['fr', 'mardi dernier', '2026-12-01'],
    ['fr', 'le 12 décembre vers 15h', '2026-12-12'],
    ['fr', 'le 1er', '2026-12-01'],
    ['pt', 'amanhã de manhã', '2026-12-04'],
    ['pt', 'depois de amanhã', '2026-12-05'],
    ['pt', 'terça que vem', '2026-12-08'],
    ['pt', 'terca passada', '2026-12-01'],
    ['pt', 'dia 28', '2026-11-28'],
    ['pt', '10 de marco', '2027-03-10'],
    ['de', 'morgen früh', '2026-12-04'],
    ['de', 'übermorgen', '2026-12-05'],
    ['de', 'am 10.12.', '2026-12-10'],
    ['de', 'kommenden Montag', '2026-12-07'],
    ['de', 'vergangenen Montag', '2026-11-30'],
    ['de', 'am 28.', '2026-11-28'],
    ['nl', 'overmorgen', '2026-12-05'],
    ['nl', 'zaterdag', '2026-12-05'],
  ])('%s "%s" is %s', (language, said, expected) => {
    expect(extractDate(said, now, { timeZone, language })).toMatchObject({ found: true, value: expected });
  });

  it.each([
    ['es', 'la semana pasada'],
    ['fr', 'la semaine dernière'],
    ['de', 'letzte Woche'],
    ['pt', 'quando der'],
  ])('%s "%s" names no day', (language, said) => {
    expect(extractDate(said, now, { timeZone, language }).found).toBe(false);
  });

  it('keeps direction and bounds language-independent', () => {
    expect(extractDate('el martes', now, { timeZone, language: 'es', direction: 'past' })).toMatchObject({
      value: '2026-12-01',
    });
    expect(extractDate('el martes', now, { timeZone, language: 'es', direction: 'future' })).toMatchObject({
      value: '2026-12-08',
    });
    expect(extractDate('hier', now, { timeZone, language: 'fr', direction: 'future' })).toEqual({
      found: false,
      reason: 'Ce jour est déjà passé.',
      refused: true,
    });
  });

  it('masks only words of the message as written', () => {
    const result = extractDate('creo que el Miércoles', now, { timeZone, language: 'es' });
    expect(result).toMatchObject({ found: true, matched: 'Miércoles' });
  });

  it('reads back any date Intl writes in long form, with or without the weekday', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2032-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom('es', 'fr', 'pt', 'de', 'nl'),
        fc.boolean(),
        (date, language, weekday) => {
          const iso = date.toISOString().slice(0, 10);
          const written = new Intl.DateTimeFormat(language, {
            timeZone: 'UTC',
            day: 'numeric',
            month: 'long',
            year: 'numeric',
            ...(weekday ? { weekday: 'long' } : {}),
          }).format(date);
          expect(extractDate(written, now, { timeZone, language }), written).toMatchObject({ value: iso });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('times in other languages', () => {
  it.each([
    ['es', 'a las 3', '15:00'],
    ['es', 'a las 3 de la tarde', '15:00'],
    ['es', 'las 10 de la mañana', '10:00'],
    ['es', '3 y media', '15:30'],
    ['es', 'a las 5 menos cuarto', '16:45'],
    ['es', 'mediodía', '12:00'],
    ['es', 'a las nueve', '09:00'],
    ['es', 'a las 10pm', '22:00'],
    ['fr', '15h', '15:00'],
    ['fr', '15h30', '15:30'],
    ['fr', 'à 9h du matin', '09:00'],
    ['fr', '10 heures et demie', '10:30'],
    ['fr', 'à 8h du soir', '20:00'],
    ['fr', 'midi', '12:00'],
    ['pt', 'às 15h', '15:00'],
    ['pt', '3 da tarde', '15:00'],
    ['pt', '3 e meia', '15:30'],
    ['pt', 'meio-dia', '12:00'],
    ['de', 'um 15 Uhr', '15:00'],
    ['de', 'halb 4', '15:30'],
    ['de', 'viertel nach 3', '15:15'],
    ['de', 'viertel vor 5', '16:45'],
    ['de', '8 Uhr abends', '20:00'],
  ])('%s "%s" is %s', (language, said, expected) => {
    expect(extractTime(said, { language })).toMatchObject({ found: true, value: expected });
  });

  it.each([
    ['es', 'por la tarde'],
    ['es', 'somos 4'],
    ['fr', "l'après-midi"],
    ['pt', 'de tarde'],
    ['de', 'nachmittags'],
  ])('%s "%s" is not a time', (language, said) => {
    expect(extractTime(said, { language }).found).toBe(false);
  });

  it('reads an approximate or bare hour only when the time is asked', () => {
    for (const [language, said] of [
      ['es', 'tipo 4'],
      ['fr', 'vers 4'],
      ['pt', 'lá pelas 4'],
      ['de', 'gegen 4'],
      ['es', '4'],
    ] as const) {
      expect(extractTime(said, { language }), said).toMatchObject({ found: true, value: '16:00' });
      expect(extractTime(said, { language, asked: false }).found, said).toBe(false);
    }
  });
});

describe('numbers in other languages', () => {
  it.each([
    ['es', 'somos cuatro', '4'],
    ['es', 'una mesa para 4', '4'],
    ['es', 'solo una', '1'],
    ['es', 'treinta y dos', '32'],
    ['es', 'media docena', '6'],
    ['es', '1.500', '1500'],
    ['es', '1,5', '1.5'],
    ['es', 'dos mil', '2000'],
    ['fr', 'vingt-deux', '22'],
    ['fr', 'quatre-vingt-dix-neuf', '99'],
    ['fr', '1 500 €', '1500'],
    ['pt', 'vinte e um', '21'],
    ['pt', 'R$ 75,50', '75.50'],
    ['pt', 'meia dúzia', '6'],
    ['de', 'einundzwanzig', '21'],
    ['de', 'wir sind zu viert', '4'],
    ['de', 'zwölf', '12'],
  ])('%s "%s" is %s', (language, said, expected) => {
    expect(extractNumber(said, { language })).toMatchObject({ found: true, value: expected });
  });

  it.each([
    ['es', 'un momento'],
    ['fr', 'un instant'],
    ['pt', 'um pouco'],
    ['de', 'einen Moment'],
  ])('%s "%s" is no count', (language, said) => {
    expect(extractNumber(said, { language }).found).toBe(false);
  });

  it('reads every number word of every language back to its value', () => {
    for (const language of foreign) {
      const words = NUMBER_WORDS_BY_LANGUAGE[language];
      for (const [word, value] of words.words) {
        expect(extractNumber(word, { language }), `${language} ${word}`).toMatchObject({
          value: String(value),
        });
      }
    }
  });
});

describe('yes and no in other languages', () => {
  it.each([
    ['es', 'sí porfa', 'yes'],
    ['es', 'Siii 👍', 'yes'],
    ['es', 'claro', 'yes'],
    ['es', 'vale', 'yes'],
    ['es', '¿por qué no?', 'yes'],
    ['es', 'cómo no', 'yes'],
    ['es', 'claro que no', 'no'],
    ['es', 'mejor no, gracias', 'no'],
    ['fr', 'ouais', 'yes'],
    ['fr', "d'accord", 'yes'],
    ['fr', 'pourquoi pas', 'yes'],
    ['fr', 'pas du tout', 'no'],
    ['fr', 'ça marche pas', 'no'],
    ['pt', 'sim', 'yes'],
    ['pt', 'pode ser', 'yes'],
    ['pt', 'nao', 'no'],
    ['pt', 'claro que não', 'no'],
    ['de', 'ja', 'yes'],
    ['de', 'jawohl', 'yes'],
    ['de', 'na klar', 'yes'],
    ['de', 'auf keinen Fall', 'no'],
    ['de', 'nee', 'no'],
  ])('%s "%s" is %s', (language, said, expected) => {
    expect(extractYesNo(said, { language })).toMatchObject({ found: true, value: expected });
  });

  it.each([
    ['es', 'no sé'],
    ['es', 'sí y no'],
    ['fr', 'je sais pas'],
    ['pt', 'talvez'],
    ['de', 'kein Problem'],
  ])('%s "%s" is asked again', (language, said) => {
    expect(extractYesNo(said, { language }).found).toBe(false);
  });

  it('never reads a listed word as both, and reads each alone as what it is', () => {
    for (const language of foreign) {
      const { yes, no } = YES_NO_WORDS[language];
      expect(
        [...yes].filter((word) => no.has(word)),
        language,
      ).toEqual([]);
      for (const word of yes)
        expect(extractYesNo(word, { language }), `${language} ${word}`).toMatchObject({ value: 'yes' });
      for (const word of no)
        expect(extractYesNo(word, { language }), `${language} ${word}`).toMatchObject({ value: 'no' });
    }
  });

  it('never answers both yes and no, whatever the words', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...foreign),
        fc.array(
          fc.constantFrom(
            'si',
            'no',
            'oui',
            'non',
            'sim',
            'não',
            'ja',
            'nein',
            'claro',
            'pas',
            'que',
            'ok',
            '👍',
          ),
          {
            maxLength: 5,
          },
        ),
        (language, words) => {
          const result = extractYesNo(words.join(' '), { language });
          if (result.found) expect(['yes', 'no']).toContain(result.value);
          const yesOnly = extractYesNo(`${words.join(' ')} 👍 👎`, { language });
          expect(yesOnly.found && words.length === 0).toBe(false);
        },
      ),
    );
  });
});

describe('choices in other languages', () => {
  const es = ['Limpieza', 'Revisión', 'Blanqueamiento'];
  it.each([
    ['es', es, 'revision', 'Revisión'],
    ['es', es, 'el primero', 'Limpieza'],
    ['es', es, 'la segunda opción', 'Revisión'],
    ['es', es, 'la última', 'Blanqueamiento'],
    ['es', es, 'la del medio', 'Revisión'],
    ['es', es, 'una limpieza porfa', 'Limpieza'],
    ['fr', ['Nettoyage', 'Contrôle', 'Blanchiment'], 'le deuxième svp', 'Contrôle'],
    ['fr', ['Nettoyage', 'Contrôle', 'Blanchiment'], 'controle', 'Contrôle'],
    ['pt', ['Limpeza', 'Revisão', 'Clareamento'], 'segunda opção', 'Revisão'],
    ['pt', ['Limpeza', 'Revisão', 'Clareamento'], 'o último', 'Clareamento'],
    ['de', ['Reinigung', 'Kontrolle', 'Bleaching'], 'die erste', 'Reinigung'],
    ['de', ['Reinigung', 'Kontrolle', 'Bleaching'], 'die letzte', 'Bleaching'],
  ])('%s %j: "%s" is %s', (language, options, said, expected) => {
    expect(extractChoice(said, options, { language })).toMatchObject({ found: true, value: expected });
  });

  it('matches any option accent-insensitively in any language', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('Revisión', 'Contrôle', 'Clareamento', 'Größe', 'Café'),
        fc.constantFrom(...foreign),
        (option, language) => {
          const options = [option, 'Otra cosa'];
          expect(extractChoice(fold(option), options, { language })).toMatchObject({ value: option });
          expect(extractChoice(option.toUpperCase(), options, { language })).toMatchObject({ value: option });
        },
      ),
    );
  });

  it('asks again in the language when two options are named', () => {
    expect(extractChoice('limpieza y blanqueamiento', es, { language: 'es' })).toEqual({
      found: false,
      reason: 'Por favor, responde con una de estas opciones: Limpieza, Revisión, Blanqueamiento.',
    });
  });
});

describe('email and text in other languages', () => {
  it('reads an address spelt out with the words of the language', () => {
    expect(extractEmail('ana arroba gmail punto com', { language: 'es' })).toEqual({
      found: true,
      value: 'ana@gmail.com',
    });
    expect(extractEmail('paul arobase free point fr', { language: 'fr' })).toEqual({
      found: true,
      value: 'paul@free.fr',
    });
    expect(extractEmail('ana arroba gmail punto com').found).toBe(false);
  });

  it('refuses the non-answers of each language', () => {
    for (const [language, said] of [
      ['es', 'no sé'],
      ['es', '¿hola??'],
      ['fr', 'je sais pas'],
      ['pt', 'sei lá'],
      ['de', 'keine Ahnung'],
    ] as const) {
      expect(extractText(said, 'problema', language).found, said).toBe(false);
    }
    expect(extractText('mi pedido no llegó', 'problema', 'es')).toEqual({
      found: true,
      value: 'mi pedido no llegó',
    });
  });
});

describe('correction cues per language', () => {
  it.each([
    ['es', 'perdón, quise decir el 11'],
    ['es', 'en realidad son 5'],
    ['fr', 'plutôt le 12'],
    ['fr', 'en fait 4 personnes'],
    ['pt', 'na verdade é dia 12'],
    ['de', 'eigentlich am 12.'],
    ['es', 'sorry, el 11'],
  ])('%s "%s" corrects', (language, said) => {
    expect(correctionCue(said, language)).toBe(true);
  });

  it.each([
    ['es', 'el 11 de diciembre'],
    ['fr', 'le 12 décembre'],
    ['pt', 'dia 12'],
    ['de', 'am 12.'],
  ])('%s "%s" does not', (language, said) => {
    expect(correctionCue(said, language)).toBe(false);
  });
});
