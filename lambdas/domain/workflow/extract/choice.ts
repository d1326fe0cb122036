import { foldCase, sameWord } from '../fuzzy';
import { CHOICE_WORDS } from './choice-words';
import { extractLanguage, fold, type ExtractLanguage } from './language';
import { reason } from './reasons';
import type { ExtractOptions, Extraction } from './types';

export function choiceReason(options: readonly string[], language?: string): string {
  return reason('choice', language, options);
}

interface Word {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

function words(text: string): Word[] {
  return [...text.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => ({
    // "Größe" and "grosse" alike (foldCase keeps "ß").
    text: foldCase(m[0].replace(/ß/g, 'ss')),
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/** "whitened", "whitens", "whitening" -> "whiten"; "cleanings" -> "clean"; "sales", "sale" -> "sal". */
function stem(word: string): string {
  const stripped = word.replace(/(?:ings|ing|ed|es|s)$/, '');
  const base = stripped.length >= 3 ? stripped : word;
  return base.replace(/e$/, '');
}

/** Below this many letters a word is no abbreviation of an option's word ("tech", "bill"; not "te"). */
const MIN_ABBREVIATION = 4;

/** 3: as written; 2: another form of the word; 1: one typo, or its first letters ("tech" for "technical"). */
function wordMatch(said: string, option: string): number {
  if (said === option) return 3;
  if (/^\d+$/.test(said) || /^\d+$/.test(option)) return 0;
  if (stem(said) === stem(option) && Math.min(said.length, option.length) >= 3) return 2;
  if (said.length >= MIN_ABBREVIATION && option.startsWith(said)) return 1;
  return sameWord(said, option) || sameWord(stem(said), stem(option)) ? 1 : 0;
}

/** A one-letter answer that is the initial of exactly one option ("L" for Large among S, M, L). */
function byInitial(text: string, options: readonly string[]): string | undefined {
  const letter = text.replace(/[!?.,\s]+/g, '').toLowerCase();
  if (!/^\p{L}$/u.test(letter)) return undefined;
  const starting = options.filter((option) => option.trim().toLowerCase().startsWith(letter));
  return starting.length === 1 ? starting[0] : undefined;
}

/** Words too common to tell options apart ("Technical support" and "Sales support"). */
const STOPWORDS = new Set([
  'a',
  'an',
  'the',
  'and',
  'or',
  'of',
  'for',
  'to',
  'in',
  'on',
  'my',
  'with',
  'please',
]);

interface OptionMatch {
  readonly option: string;
  /** Indexes of the said words this option took. */
  readonly taken: Set<number>;
  readonly words: number;
  readonly quality: number;
  readonly start: number;
  readonly end: number;
}

/**
 * How the answer names `option`: each of the option's words found in the answer (as written, in
 * another form, or with one typo; "check up" and "check-up" for "checkup"). A word shared with
 * another option does not count alone.
 */
function matchOption(
  option: string,
  said: readonly Word[],
  shared: ReadonlySet<string>,
  stopwords: ReadonlySet<string> = STOPWORDS,
): OptionMatch | undefined {
  const optionWords = words(option).map((word) => word.text);
  const joined = optionWords.join('');
  const taken = new Set<number>();
  let quality = 3;
  let counted = 0;
  let start = Number.POSITIVE_INFINITY;
  let end = -1;
  const take = (from: number, to: number, score: number) => {
    for (let k = from; k <= to; k++) taken.add(k);
    quality = Math.min(quality, score);
    start = Math.min(start, (said[from] as Word).start);
    end = Math.max(end, (said[to] as Word).end);
  };
  // The option's words run together or apart: "check up" for "Checkup", "checkup" for "Check up".
  for (let i = 0; i + 1 < said.length && optionWords.length === 1; i++) {
    const pair = `${(said[i] as Word).text}${(said[i + 1] as Word).text}`;
    const score = wordMatch(pair, joined);
    if (score > 0) {
      take(i, i + 1, score);
      counted = 1;
      break;
    }
  }
  if (counted === 0) {
    for (const optionWord of optionWords) {
      if (stopwords.has(optionWord)) continue;
      let best = 0;
      let at = -1;
      said.forEach((word, index) => {
        const score = wordMatch(word.text, optionWord);
        if (score > best) [best, at] = [score, index];
      });
      if (best === 0 && optionWords.length > 1) {
        said.forEach((word, index) => {
          const score = wordMatch(word.text, joined);
          if (score > best) [best, at] = [score, index];
        });
      }
      if (best > 0) {
        take(at, at, best);
        if (!shared.has(optionWord) || optionWords.length === 1) counted++;
      }
    }
  }
  if (counted === 0) return undefined;
  return { option, taken, words: counted, quality, start, end };
}

const ORDINALS: Readonly<Record<string, number>> = {
  first: 1,
  '1st': 1,
  second: 2,
  '2nd': 2,
  third: 3,
  '3rd': 3,
  fourth: 4,
  '4th': 4,
  fifth: 5,
  '5th': 5,
  sixth: 6,
  '6th': 6,
  seventh: 7,
  '7th': 7,
  eighth: 8,
  '8th': 8,
  ninth: 9,
  '9th': 9,
  tenth: 10,
  '10th': 10,
};
const ORDINAL_WORD = Object.keys(ORDINALS).join('|');
/** "2", "option 2", "#3", "no. 2", "the 2nd one", "second", "the last one", "3rd option pls". */
const BY_POSITION = new RegExp(
  `^(?:(?:i'?ll|i'?d|i will|i would|let'?s|gimme|give me|i want|i'?ll take|take|go with|like|ok|okay|um+|uh+|hmm+)\\s+)*` +
    `(?:the\\s+)?(?:(?:option|number|num|no\\.?|choice|#)\\s*(\\d{1,2})|(\\d{1,2})|(${ORDINAL_WORD}|last))` +
    `(?:\\s+(?:one|option|choice))?(?:\\s+(?:please|pls|plz|thanks|thx|ty))*$`,
  'i',
);

function byPosition(
  text: string,
  options: readonly string[],
): { option: string; matched: string } | undefined {
  const said = text
    .toLowerCase()
    .replace(/[!?.,]+\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  const found = said.match(BY_POSITION);
  if (!found) return undefined;
  const position = found[1] ?? found[2];
  const index = position
    ? Number(position)
    : found[3] === 'last'
      ? options.length
      : (ORDINALS[found[3] as string] ?? 0);
  const option = options[index - 1];
  return option === undefined ? undefined : { option, matched: text.trim() };
}

/**
 * One of `options`, named in the answer (case, hyphens, spacing, inflections and one typo in words
 * of five letters or more forgiven: "check-up", "whitened", "cleanings", "whitning") or by position
 * ("2", "option 2", "the second one", "the last one"). When the answer names two options equally
 * ("cleaning and whitening") nothing is picked: the customer is asked again.
 */
export function extractChoice(
  text: string,
  options: readonly string[],
  extractOptions: Pick<ExtractOptions, 'language'> = {},
): Extraction {
  const language = extractLanguage(extractOptions.language);
  const trimmed = text.trim();
  const said = words(trimmed);
  // An option written as that very number ("2 bedrooms" for "2") wins over the position.
  const numberOption = /^\d+$/.test(trimmed)
    ? options.find((option) => words(option)[0]?.text === trimmed)
    : undefined;
  if (numberOption) return { found: true, value: numberOption, matched: trimmed };
  const position =
    language === 'en' ? byPosition(trimmed, options) : byLocalePosition(trimmed, options, language);
  if (position) return { found: true, value: position.option, matched: position.matched };
  const initial = byInitial(trimmed, options);
  if (initial) return { found: true, value: initial, matched: trimmed };
  const counts = new Map<string, number>();
  for (const option of options) {
    for (const word of new Set(words(option).map((w) => w.text)))
      counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const shared = new Set([...counts].filter(([, count]) => count > 1).map(([word]) => word));
  const stopwords = language === 'en' ? STOPWORDS : localeStopwords(language);
  const matches = options
    .map((option) => matchOption(option, said, shared, stopwords))
    .filter((match): match is OptionMatch => match !== undefined);
  // An option whose words another option also took, and more, is not what was meant
  // ("technical support" names "Technical support", not "Support").
  const undominated = matches.filter(
    (match) =>
      !matches.some(
        (other) =>
          other !== match &&
          [...match.taken].every((index) => other.taken.has(index)) &&
          (other.taken.size > match.taken.size || other.quality > match.quality),
      ),
  );
  if (undominated.length === 1) {
    const [match] = undominated as [OptionMatch];
    return { found: true, value: match.option, matched: trimmed.slice(match.start, match.end) };
  }
  return { found: false, reason: choiceReason(options, extractOptions.language) };
}

const localePositions = new Map<ExtractLanguage, RegExp>();

/** "2", "la 2", "opción 2", "el primero", "la segunda opción", "premier", "o último", "die erste bitte". */
function localePosition(language: Exclude<ExtractLanguage, 'en'>): RegExp {
  let pattern = localePositions.get(language);
  if (!pattern) {
    const words = CHOICE_WORDS[language];
    const ordinal = Object.keys(words.ordinals)
      .sort((a, b) => b.length - a.length)
      .map((word) => word.replace('.', '\\.'))
      .join('|');
    pattern = new RegExp(
      `^(?:${words.before}\\s*)*(?:(?:${words.option})\\s*(\\d{1,2})|(\\d{1,2})|(${ordinal}|${words.last}))` +
        `(?:\\s+(?:${words.option}|one|option))?(?:\\s*${words.after})*$`,
    );
    localePositions.set(language, pattern);
  }
  return pattern;
}

function byLocalePosition(
  text: string,
  options: readonly string[],
  language: Exclude<ExtractLanguage, 'en'>,
): { option: string; matched: string } | undefined {
  const english = byPosition(text, options);
  if (english) return english;
  const said = fold(text)
    .replace(/[!?.,¡¿]+\s*$/, '')
    .replace(/^[¡¿]+/, '')
    .replace(/[º°]/g, 'o')
    .trim();
  const words = CHOICE_WORDS[language];
  if (
    options.length % 2 === 1 &&
    new RegExp(`^(?:${words.before}\\s*)*(?:${words.middle})(?:\\s*${words.after})*$`).test(said)
  ) {
    const middle = options[(options.length - 1) / 2];
    if (middle !== undefined) return { option: middle, matched: text.trim() };
  }
  const found = said.match(localePosition(language));
  if (!found) return undefined;
  const position = found[1] ?? found[2];
  const index = position
    ? Number(position)
    : new RegExp(`^(?:${words.last})$`).test(found[3] ?? '')
      ? options.length
      : (words.ordinals[found[3] as string] ?? 0);
  const option = options[index - 1];
  return option === undefined ? undefined : { option, matched: text.trim() };
}

const localeStopwordSets = new Map<ExtractLanguage, ReadonlySet<string>>();

function localeStopwords(language: Exclude<ExtractLanguage, 'en'>): ReadonlySet<string> {
  let set = localeStopwordSets.get(language);
  if (!set) {
    set = new Set([...STOPWORDS, ...CHOICE_WORDS[language].stopwords]);
    localeStopwordSets.set(language, set);
  }
  return set;
}
