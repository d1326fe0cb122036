import type { ExtractLanguage } from './language';

/**
 * How times are said in the languages other than English, on folded text (lower case, no
 * accents). Each pattern names its hour `(?<hour>...)` (digits or a word of `hours`).
 */
export interface TimeWords {
  /** Hours 1 to 12 in words. */
  readonly hours: Readonly<Record<string, number>>;
  /** Before an hour: "a las 3", "à 3", "às 3", "um 3". */
  readonly at: string;
  /** Before an hour, approximately (read only when the time is asked): "como a las 4", "vers 4". */
  readonly about: string;
  /** After an hour, making it a time: "15h", "3 heures", "3 horas", "15 Uhr". */
  readonly suffix: string;
  /** After an hour: the part of the day. */
  readonly parts: Readonly<Record<'morning' | 'afternoon' | 'evening' | 'night', string>>;
  /** Minutes past an hour (before it when negative: "halb 4" is 3:30): [pattern with {H}, minutes]. */
  readonly fractions: readonly (readonly [string, number])[];
  readonly noon: string;
  readonly midnight: string;
}

export const TIME_WORDS: Readonly<Record<Exclude<ExtractLanguage, 'en'>, TimeWords>> = {
  es: {
    hours: {
      una: 1,
      uno: 1,
      dos: 2,
      tres: 3,
      cuatro: 4,
      cinco: 5,
      seis: 6,
      siete: 7,
      ocho: 8,
      nueve: 9,
      diez: 10,
      once: 11,
      doce: 12,
    },
    at: '(?:a|para|desde|antes de|despues de)\\s+las?|las?',
    about:
      'como\\s+a\\s+las?|sobre\\s+las?|hacia\\s+las?|tipo(?:\\s+a\\s+las?)?|a\\s+eso\\s+de\\s+las?|tipo\\s+las?|como\\s+las?',
    suffix: 'h|hs|hrs?|horas?',
    parts: {
      morning: '(?:de|por|en)\\s+la\\s+(?:manana|madrugada)',
      afternoon: '(?:de|por|en)\\s+la\\s+tarde',
      evening: 'de\\s+la\\s+tardecita',
      night: '(?:de|por|en)\\s+la\\s+noche',
    },
    fractions: [
      ['{H}\\s+y\\s+media', 30],
      ['{H}\\s+y\\s+cuarto', 15],
      ['{H}\\s+menos\\s+cuarto', -15],
    ],
    noon: 'mediodia|medio\\s+dia',
    midnight: 'medianoche|media\\s+noche',
  },
  fr: {
    hours: {
      une: 1,
      un: 1,
      deux: 2,
      trois: 3,
      quatre: 4,
      cinq: 5,
      six: 6,
      sept: 7,
      huit: 8,
      neuf: 9,
      dix: 10,
      onze: 11,
      douze: 12,
    },
    at: 'a|pour|des|vers\\s+les|apres|avant',
    about: 'vers|aux\\s+alentours\\s+de|autour\\s+de|environ|genre',
    suffix: 'h|heures?|hr',
    parts: {
      morning: 'du\\s+mat(?:in)?',
      afternoon: "de\\s+l'?\\s*apres[-\\s]?midi|de\\s+l'?\\s*aprem|l'?aprem",
      evening: 'du\\s+soir|ce\\s+soir',
      night: 'de\\s+la\\s+nuit',
    },
    fractions: [
      ['{H}\\s*(?:h|heures?)?\\s+et\\s+demie?', 30],
      ['{H}\\s*(?:h|heures?)?\\s+et\\s+quart', 15],
      ['{H}\\s*(?:h|heures?)?\\s+moins\\s+(?:le\\s+)?quart', -15],
    ],
    noon: '(?<!apres[-\\s]?)midi',
    midnight: 'minuit',
  },
  pt: {
    hours: {
      uma: 1,
      um: 1,
      duas: 2,
      dois: 2,
      tres: 3,
      quatro: 4,
      cinco: 5,
      seis: 6,
      sete: 7,
      oito: 8,
      nove: 9,
      dez: 10,
      onze: 11,
      doze: 12,
    },
    at: '(?:as|a|pras?|para\\s+as|depois\\s+das|antes\\s+das)',
    about: '(?:la\\s+)?pel[ao]s?|por\\s+volta\\s+d[ao]s?|tipo(?:\\s+as)?|umas?|la\\s+pras?',
    suffix: 'h|hs|hrs?|horas?',
    parts: {
      morning: 'da\\s+(?:manha|madrugada)|de\\s+manha',
      afternoon: 'da\\s+tarde|de\\s+tarde|a\\s+tarde',
      evening: 'do\\s+fim\\s+da\\s+tarde',
      night: 'da\\s+noite|de\\s+noite|a\\s+noite',
    },
    fractions: [
      ['{H}\\s*(?:h|horas?)?\\s+e\\s+meia', 30],
      ['{H}\\s*(?:h|horas?)?\\s+e\\s+quinze', 15],
      ['quinze\\s+(?:pras?|para\\s+as)\\s+{H}', -15],
    ],
    noon: 'meio[-\\s]?dia',
    midnight: 'meia[-\\s]?noite',
  },
  de: {
    hours: {
      eins: 1,
      ein: 1,
      zwei: 2,
      drei: 3,
      vier: 4,
      funf: 5,
      fuenf: 5,
      sechs: 6,
      sieben: 7,
      acht: 8,
      neun: 9,
      zehn: 10,
      elf: 11,
      zwolf: 12,
      zwoelf: 12,
    },
    at: 'um|ab|bis|gegen\\s+um',
    about: 'gegen|so\\s+um|ungefahr\\s+um|etwa\\s+um|so\\s+gegen',
    suffix: 'uhr|h',
    parts: {
      morning: 'morgens|fruh|vormittags|am\\s+morgen|am\\s+vormittag|in\\s+der\\s+fruh',
      afternoon: 'nachmittags|am\\s+nachmittag|mittags',
      evening: 'abends|am\\s+abend',
      night: 'nachts|in\\s+der\\s+nacht',
    },
    fractions: [
      ['halb\\s+{H}', -30],
      ['viertel\\s+nach\\s+{H}', 15],
      ['viertel\\s+vor\\s+{H}', -15],
      ['dreiviertel\\s+{H}', -15],
    ],
    noon: 'mittags?',
    midnight: 'mitternacht',
  },
};
