import { extractLanguage, foldMapped, originalSpan, type ExtractLanguage } from './language';
import { NUMBER_WORDS_BY_LANGUAGE, type NumberWords } from './number-words';
import { reason } from './reasons';
import type { ExtractOptions, Extraction } from './types';

export const NUMBER_REASON = 'Please reply with a number.';

/**
 * "1,234.56" and "1,234" (US thousands separators), "-12", "1.5", and "3,5" (a decimal comma, as
 * many customers write it): a comma followed by exactly three digits groups thousands, any other
 * comma is a decimal point. A scale may follow: "2k", "5 hundred", "3 grand".
 */
const NUMBER_PATTERN =
  /-?(?:\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:[.,]\d+)?)(?:\s*(k|hundred|thousand|grand|million)\b)?/i;
const GROUPED_NUMBER = /^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const SCALE: Readonly<Record<string, number>> = {
  k: 1000,
  hundred: 100,
  thousand: 1000,
  grand: 1000,
  million: 1_000_000,
};

function normalizeNumber(written: string): string {
  return GROUPED_NUMBER.test(written) ? written.replace(/,/g, '') : written.replace(',', '.');
}

/** Numbers up to nineteen in words (times read their hours from it too). */
export const NUMBER_WORDS: Readonly<Record<string, number>> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Readonly<Record<string, number>> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fourty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALES: Readonly<Record<string, number>> = { hundred: 100, thousand: 1000, million: 1_000_000 };
/** Words that are a number on their own or after "a": "a dozen", "a couple (of)", "a hundred". */
const COUNTS: Readonly<Record<string, number>> = { dozen: 12, couple: 2, pair: 2 };

const NOT_A_COUNT_BEFORE = /^(?:no|any|some|every|that|this|which|the|each|other|another)$/;
const NOT_A_COUNT_AFTER = /^(?:sec|secs|second|seconds|moment|min|mins|minute|minutes|day|time|way|another)$/;

interface Word {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

function tokens(text: string): Word[] {
  return [...text.matchAll(/[a-z]+/gi)].map((m) => ({
    text: m[0].toLowerCase(),
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/** Only spaces or a hyphen between two words of one number ("twenty-five", "one hundred"). */
function adjacent(text: string, left: Word, right: Word): boolean {
  return /^\s*-?\s*$/.test(text.slice(left.end, right.start));
}

interface WordNumber {
  readonly value: number;
  readonly start: number;
  readonly end: number;
}

/**
 * The first number written in words: "six", "twenty-five", "one hundred and five", "a dozen",
 * "half a dozen", "a couple", "a hundred", "two thousand".
 */
function wordNumber(text: string): WordNumber | undefined {
  const words = tokens(text);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as Word;
    const next = words[i + 1];
    const afterNext = words[i + 2];
    // "half a dozen"
    if (word.text === 'half' && next?.text === 'a' && afterNext?.text === 'dozen') {
      if (adjacent(text, word, next) && adjacent(text, next, afterNext)) {
        return { value: 6, start: word.start, end: afterNext.end };
      }
    }
    // "a dozen", "a couple", "a hundred", "a couple hundred"
    if (word.text === 'a' && next && adjacent(text, word, next)) {
      const count =
        COUNTS[next.text] ??
        (next.text === 'hundred' || next.text === 'thousand' ? SCALES[next.text] : undefined);
      if (count !== undefined) {
        const rest = spelled(
          text,
          words,
          i + 2,
          count,
          next.end,
          COUNTS[next.text] === undefined ? 'scale' : 'unit',
        );
        return { value: rest.value, start: word.start, end: rest.end };
      }
    }
    if (COUNTS[word.text] !== undefined && word.text !== 'pair') {
      const rest = spelled(text, words, i + 1, COUNTS[word.text] as number, word.end, 'unit');
      return { value: rest.value, start: word.start, end: rest.end };
    }
    // "no one", "someone", "one sec": not a count.
    if (
      word.text === 'one' &&
      (NOT_A_COUNT_BEFORE.test(words[i - 1]?.text ?? '') || NOT_A_COUNT_AFTER.test(next?.text ?? ''))
    ) {
      continue;
    }
    if (NUMBER_WORDS[word.text] !== undefined || TENS[word.text] !== undefined) {
      const result = spelled(text, words, i, 0, word.start, undefined);
      return { value: result.value, start: word.start, end: result.end };
    }
  }
  return undefined;
}

type Kind = 'unit' | 'ten' | 'scale';

/**
 * Reads number words from `words[from]` on, adding to `base`, a count already read ("a hundred"
 * is a scale, "a couple" a unit that "hundred" may multiply).
 */
function spelled(
  text: string,
  words: readonly Word[],
  from: number,
  base: number,
  baseEnd: number,
  baseKind: Kind | undefined,
): { value: number; end: number } {
  let total = 0;
  let current = base;
  let end = baseEnd;
  let previous: Word | undefined = from > 0 ? words[from - 1] : undefined;
  let lastKind: Kind | undefined = baseKind;
  for (let j = from; j < words.length; j++) {
    const word = words[j] as Word;
    if (previous && j > from && !adjacent(text, previous, word)) break;
    if (previous && j === from && base > 0 && !adjacent(text, previous, word)) break;
    // "one hundred and five": "and" only joins a scale to what follows it.
    if (word.text === 'and' && lastKind === 'scale') {
      const following = words[j + 1];
      if (following && (NUMBER_WORDS[following.text] !== undefined || TENS[following.text] !== undefined)) {
        previous = word;
        continue;
      }
      break;
    }
    const unit = NUMBER_WORDS[word.text];
    const ten = TENS[word.text];
    const scale = SCALES[word.text];
    if (unit !== undefined && lastKind !== 'unit') {
      current += unit;
      lastKind = 'unit';
    } else if (ten !== undefined && lastKind !== 'unit' && lastKind !== 'ten') {
      current += ten;
      lastKind = 'ten';
    } else if (
      scale !== undefined &&
      lastKind !== undefined &&
      (lastKind !== 'scale' || (scale > 100 && current > 0))
    ) {
      if (scale === 100) current *= 100;
      else {
        total += current * scale;
        current = 0;
      }
      lastKind = 'scale';
    } else break;
    end = word.end;
    previous = word;
  }
  return { value: total + current, end };
}

/**
 * A number in digits ("4", "1,200", "$75.50", "2k", "5 hundred") or in words ("six", "twenty-five",
 * "one hundred and five", "a dozen", "a couple"), whichever the message says first. `matched` is
 * the words the number was read from.
 */
export function extractNumber(text: string, options: Pick<ExtractOptions, 'language'> = {}): Extraction {
  const language = extractLanguage(options.language);
  if (language !== 'en') return extractLocaleNumber(text, language, options.language);
  const digits = text.match(NUMBER_PATTERN);
  const words = wordNumber(text);
  if (digits && (words === undefined || (digits.index ?? 0) <= words.start)) {
    const scale = digits[1] ? SCALE[digits[1].toLowerCase()] : undefined;
    const written =
      scale === undefined ? digits[0] : digits[0].slice(0, digits[0].length - digits[1]!.length).trim();
    const value = normalizeNumber(written);
    return {
      found: true,
      value: scale === undefined ? value : String(Math.round(Number(value) * scale * 100) / 100),
      matched: digits[0],
    };
  }
  if (words) return { found: true, value: String(words.value), matched: text.slice(words.start, words.end) };
  return { found: false, reason: NUMBER_REASON };
}

/**
 * Digits as written where a comma is the decimal mark: "1.500" and (in French) "1 500" group
 * thousands, "3,5" and "3.5" are decimals; a scale may follow ("5 mil", "3 mille", "2 tausend").
 */
const LOCALE_NUMBER: Readonly<Record<Exclude<ExtractLanguage, 'en'>, RegExp>> = {
  es: /-?(?:\d{1,3}(?:\.\d{3})+(?![\d.])(?:,\d+)?|\d+(?:[.,]\d+)?)(?:\s*(k|mil|mill[oó]n|millones)(?![\p{L}]))?/iu,
  fr: /-?(?:\d{1,3}(?:\.\d{3})+(?![\d.])(?:,\d+)?|\d{1,3}(?:[\u00a0\u202f ]\d{3})+(?![\d.,])|\d+(?:[.,]\d+)?)(?:\s*(k|mille|millions?)(?![\p{L}]))?/iu,
  pt: /-?(?:\d{1,3}(?:\.\d{3})+(?![\d.])(?:,\d+)?|\d+(?:[.,]\d+)?)(?:\s*(k|mil|milh[aã]o|milh[oõ]es)(?![\p{L}]))?/iu,
  de: /-?(?:\d{1,3}(?:\.\d{3})+(?![\d.])(?:,\d+)?|\d+(?:[.,]\d+)?)(?:\s*(k|tausend|millionen|million)(?![\p{L}]))?/iu,
};

function localeScale(word: string, words: NumberWords): number | undefined {
  const folded = foldMapped(word.toLowerCase()).text;
  return words.scales.get(folded);
}

function localeDigits(written: string): string {
  if (/^-?\d{1,3}(?:\.\d{3})+(?:,\d+)?$/.test(written)) return written.replace(/\./g, '').replace(',', '.');
  if (/^-?\d{1,3}(?:[\u00a0\u202f ]\d{3})+$/.test(written)) return written.replace(/[\u00a0\u202f ]/g, '');
  return written.replace(',', '.');
}

const phrasePatterns = new Map<string, RegExp>();

/** Every number phrase of a language, longest first, as whole words of folded text. */
function phrasePattern(language: Exclude<ExtractLanguage, 'en'>, words: NumberWords): RegExp {
  let pattern = phrasePatterns.get(language);
  if (!pattern) {
    const phrases = [...words.counts.keys(), ...words.words.keys()]
      .sort((a, b) => b.length - a.length)
      .map((phrase) => phrase.replace(/[-\s]+/g, '[-\\s]+'));
    pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${phrases.join('|')})(?![\\p{L}\\p{N}])`, 'gu');
    phrasePatterns.set(language, pattern);
  }
  return pattern;
}

interface WordRead {
  readonly value: number;
  readonly start: number;
  readonly end: number;
  readonly article: boolean;
}

/** Numbers written in words in a language other than English, in the order said. */
function localeWordNumbers(folded: string, language: Exclude<ExtractLanguage, 'en'>): WordRead[] {
  const words = NUMBER_WORDS_BY_LANGUAGE[language];
  const found: WordRead[] = [];
  for (const match of folded.matchAll(phrasePattern(language, words))) {
    const phrase = match[0].replace(/[-\s]+/g, (gap) => (gap.includes('-') ? '-' : ' '));
    const key = words.counts.has(phrase) || words.words.has(phrase) ? phrase : phrase.replace(/-/g, ' ');
    const base = words.counts.get(key) ?? words.words.get(key) ?? words.words.get(phrase);
    if (base === undefined) continue;
    const start = match.index;
    let end = start + match[0].length;
    const after = folded.slice(end);
    const article = words.articles.has(key);
    if (article && words.notACountAfter.test(after.trimStart())) continue;
    // "dos mil", "cinq mille": a scale after the number.
    const scaled = after.match(/^\s+([a-z]+)(?![\p{L}\p{N}])/u);
    const scale = scaled?.[1] === undefined ? undefined : words.scales.get(scaled[1]);
    let value = base;
    if (scale !== undefined && scaled) {
      value = base * scale;
      end += scaled[0].length;
    }
    found.push({ value, start, end, article: article && scale === undefined });
  }
  return found;
}

function extractLocaleNumber(
  text: string,
  language: Exclude<ExtractLanguage, 'en'>,
  tag: string | undefined,
): Extraction {
  const words = NUMBER_WORDS_BY_LANGUAGE[language];
  const digits = text.match(LOCALE_NUMBER[language]);
  const folded = foldMapped(text);
  const spelled = localeWordNumbers(folded.text, language);
  // "una mesa para cuatro": an article is a count only when nothing else in the answer is one.
  const counted = spelled.filter((read) => !read.article);
  const first = counted[0] ?? (digits ? undefined : spelled[0]);
  const digitsStart = digits ? folded.from.indexOf(digits.index ?? 0) : -1;
  if (digits && (first === undefined || digitsStart <= first.start)) {
    const scaleWord = digits[1];
    const scale = scaleWord === undefined ? undefined : localeScale(scaleWord, words);
    const written =
      scaleWord === undefined ? digits[0] : digits[0].slice(0, digits[0].length - scaleWord.length).trim();
    const value = localeDigits(written);
    return {
      found: true,
      value: scale === undefined ? value : String(Math.round(Number(value) * scale * 100) / 100),
      matched: digits[0],
    };
  }
  if (first) {
    return {
      found: true,
      value: String(first.value),
      matched: originalSpan(text, folded, first.start, first.end),
    };
  }
  return { found: false, reason: reason('number', tag) };
}
