import { extractLanguage, foldMapped, originalSpan, type ExtractLanguage } from './language';
import { NUMBER_WORDS } from './numbers';
import { reason } from './reasons';
import { TIME_WORDS, type TimeWords } from './time-words';
import type { ExtractOptions, Extraction } from './types';

/** "one" to "twelve": the hours of a clock in words. */
const HOUR_WORDS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(NUMBER_WORDS).filter(([, value]) => value >= 1 && value <= 12),
);
const MINUTE_WORDS: Readonly<Record<string, number>> = {
  five: 5,
  ten: 10,
  quarter: 15,
  'a quarter': 15,
  twenty: 20,
  'twenty five': 25,
  'twenty-five': 25,
  half: 30,
};
const HOUR = `(\\d{1,2}|${Object.keys(HOUR_WORDS).join('|')})`;
const MERIDIEM = `\\s*(a\\.?m\\.?|p\\.?m\\.?)(?![a-z])`;
/** "3pm", "3:30 p.m.", "10.30am", "1030am", and "7p" (a single letter only right after the digits). */
const CLOCK_MERIDIEM = new RegExp(`\\b(\\d{1,2})(?:[:.]?([0-5]\\d))?(?:${MERIDIEM}|([ap])(?![a-z']))`, 'i');
const CLOCK_24H = /\b([01]?\d|2[0-3])[:h]([0-5]\d)(?!\d)/;
/** "at 9.30", "9.30": a dot between hour and minutes only after "at"/"around" or as the whole answer (not a price). */
const CLOCK_DOT =
  /(?:\b(?:at|around|about|by)\s+|^\s*)([01]?\d|2[0-3])\.([0-5]\d)(?!\d)(?=\s*(?:ish)?\s*[.!?]*\s*$|\s+[a-z])/;
const WORDS_PAST_TO = new RegExp(
  `\\b(${Object.keys(MINUTE_WORDS).join('|')})\\s+(past|after|to|till|before)\\s+${HOUR}\\b(?:${MERIDIEM})?`,
  'i',
);
/** British "half three" (half past three), "half 3". */
const HALF_HOUR = new RegExp(`\\bhalf\\s+${HOUR}\\b(?!\\s*(?:hours?|hrs?|days?|[:./]))(?:${MERIDIEM})?`, 'i');
/** "9 in the morning", "7 in the evening", "9 at night", "10 tonight", "3 this afternoon". */
const DAY_PART = new RegExp(
  `\\b${HOUR}(?::([0-5]\\d))?(?:\\s*o'?\\s*clock)?(?:\\s*-?\\s*ish)?\\s+(?:in\\s+the|this|at|tomorrow|tmrw|tmr)?\\s*(morning|afternoon|evening|night|tonight)\\b`,
  'i',
);
/** "at 3", "by 4", "5 o'clock": an hour without am/pm. */
const HOUR_ALONE = new RegExp(
  `\\b${HOUR}\\s*o'?\\s*clock\\b(?:${MERIDIEM})?|\\b(?:at|by)\\s+${HOUR}\\b(?!\\s*[:/.\\d])(?:${MERIDIEM})?`,
  'i',
);
/**
 * "around 3", "about 3", "3ish": an approximate hour, which could as well be a count ("about 3
 * people"); read only when a time is being asked.
 */
const APPROXIMATE_HOUR = new RegExp(
  `\\b(?:around|about|abt|say|maybe)\\s+${HOUR}\\b(?!\\s*[:/.\\d])(?:${MERIDIEM})?|\\b${HOUR}\\s*-?\\s*ish\\b`,
  'i',
);
/** The whole answer is an hour: "4", "11?". */
const ONLY_HOUR = /^\s*(\d{1,2})\s*[.!?]*\s*$/;
const NAMED = /\b(noon|midday|midnight)(?:\s*-?\s*ish)?\b/;

function hourValue(raw: string): number {
  return HOUR_WORDS[raw.toLowerCase()] ?? Number(raw);
}

function hhmm(hour: number, minute: number): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/**
 * Converts a 12-hour clock reading. Without am/pm, 1 to 6 o'clock mean the afternoon (people
 * book appointments at "half past two", not at 02:30); 7 to 12 are taken as written.
 */
function twelveHour(hour: number, minute: number, meridiem: string | undefined): string | undefined {
  if (hour > 12 || minute > 59) return undefined;
  const pm = meridiem?.toLowerCase().startsWith('p');
  const am = meridiem?.toLowerCase().startsWith('a');
  if (hour === 0 && meridiem !== undefined) return undefined;
  if (am) return hhmm(hour % 12, minute);
  if (pm) return hhmm((hour % 12) + 12, minute);
  return hhmm(hour >= 1 && hour <= 6 ? hour + 12 : hour, minute);
}

/** An hour said with a part of the day: "9 in the morning" 09:00, "9 at night" 21:00, "12 at night" 00:00. */
function withDayPart(hour: number, minute: number, part: string): string | undefined {
  if (hour < 1 || hour > 12 || minute > 59) return undefined;
  if (part === 'morning') return hhmm(hour % 12, minute);
  if (part === 'afternoon' || part === 'evening') return hhmm(hour === 12 ? 12 : hour + 12, minute);
  // night, tonight: 6 to 11 in the evening, 12 midnight, 1 to 5 the small hours.
  if (hour === 12) return hhmm(0, minute);
  return hhmm(hour >= 6 ? hour + 12 : hour, minute);
}

export const TIME_REASON = "I couldn't read a time in that (for example: 3pm or 15:30).";

/**
 * A time of day, stored as 24-hour `HH:MM`: "3pm", "3:30 p.m.", "1030am", "7p", "15:30", "noon",
 * "half past two", "quarter to 5", "9 in the morning", "7 in the evening", "9 at night",
 * "9am-ish", "noonish", "at 11", and, when the time is being asked (`asked` is not false),
 * "around 3", "3ish" or just "4", which could otherwise be a count. A part of the day alone ("in
 * the afternoon", "first thing") is not a time.
 */
export function extractTime(
  text: string,
  options: Pick<ExtractOptions, 'asked' | 'language'> = {},
): Extraction {
  const language = extractLanguage(options.language);
  if (language !== 'en') return extractLocaleTime(text, language, options);
  const lower = text.toLowerCase().replace(/[\u2018\u2019]/g, "'");
  const found = (value: string | undefined, matched: string): Extraction | undefined =>
    value === undefined ? undefined : { found: true, value, matched };
  const words = lower.match(WORDS_PAST_TO);
  if (words?.[1] && words[2] && words[3]) {
    const minutes = MINUTE_WORDS[words[1].replace(/\s+/g, ' ')] ?? 0;
    const hour = hourValue(words[3]);
    const before = /^(to|till|before)$/.test(words[2]);
    const result = before
      ? twelveHour(hour === 1 ? 12 : hour - 1, 60 - minutes, words[4])
      : twelveHour(hour, minutes, words[4]);
    const value = found(result, words[0]);
    if (value) return value;
  }
  const half = lower.match(HALF_HOUR);
  if (half?.[1]) {
    const value = found(twelveHour(hourValue(half[1]), 30, half[2]), half[0]);
    if (value) return value;
  }
  // "2pm or 3pm": two times offered, none chosen.
  const offered = new Set(
    [...lower.matchAll(new RegExp(CLOCK_MERIDIEM.source, 'gi'))].map((m) =>
      twelveHour(Number(m[1]), Number(m[2] ?? 0), m[3] ?? m[4]),
    ),
  );
  if (offered.size > 1 && /\b(?:or|and)\b/.test(lower)) return { found: false, reason: TIME_REASON };
  const withMeridiem = lower.match(CLOCK_MERIDIEM);
  if (withMeridiem?.[1]) {
    const value = found(
      twelveHour(Number(withMeridiem[1]), Number(withMeridiem[2] ?? 0), withMeridiem[3] ?? withMeridiem[4]),
      withMeridiem[0],
    );
    if (value) return value;
  }
  const dayPart = lower.match(DAY_PART);
  if (dayPart?.[1] && dayPart[3]) {
    const value = found(withDayPart(hourValue(dayPart[1]), Number(dayPart[2] ?? 0), dayPart[3]), dayPart[0]);
    if (value) return value;
  }
  const clock = lower.match(CLOCK_24H) ?? lower.match(CLOCK_DOT);
  if (clock?.[1] && clock[2]) {
    const hour = Number(clock[1]);
    const minute = Number(clock[2]);
    // "15:30" is already 24h; "3:30" is a 12-hour reading.
    return {
      found: true,
      value:
        hour > 12 || clock[1].length === 2
          ? hhmm(hour, minute)
          : (twelveHour(hour, minute, undefined) ?? hhmm(hour, minute)),
      matched: clock[0],
    };
  }
  const named = lower.match(NAMED);
  if (named?.[1])
    return { found: true, value: named[1] === 'midnight' ? '00:00' : '12:00', matched: named[0] };
  const alone = lower.match(HOUR_ALONE);
  const hourText = alone?.[1] ?? alone?.[3];
  if (alone && hourText) {
    const value = found(twelveHour(hourValue(hourText), 0, alone[2] ?? alone[4]), alone[0]);
    if (value) return value;
  }
  if (options.asked === false) return { found: false, reason: TIME_REASON };
  const approximate = lower.match(APPROXIMATE_HOUR);
  const approximateHour = approximate?.[1] ?? approximate?.[3];
  if (approximate && approximateHour) {
    const value = found(twelveHour(hourValue(approximateHour), 0, approximate[2]), approximate[0]);
    if (value) return value;
  }
  const only = lower.match(ONLY_HOUR);
  if (only?.[1]) {
    const hour = Number(only[1]);
    const value = found(hour > 12 && hour < 24 ? hhmm(hour, 0) : twelveHour(hour, 0, undefined), only[1]);
    if (value && hour > 0) return value;
  }
  return { found: false, reason: TIME_REASON };
}

interface LocalePatterns {
  readonly fractions: readonly (readonly [RegExp, number])[];
  readonly withPart: RegExp;
  readonly withSuffix: RegExp;
  readonly at: RegExp;
  readonly about: RegExp;
  readonly named: RegExp;
}

const localePatterns = new Map<ExtractLanguage, LocalePatterns>();

function patternsFor(language: Exclude<ExtractLanguage, 'en'>): LocalePatterns {
  const cached = localePatterns.get(language);
  if (cached) return cached;
  const words = TIME_WORDS[language];
  const hour = `(\\d{1,2}|${Object.keys(words.hours).join('|')})`;
  const clock = `${hour}(?:\\s*[:h.]\\s*([0-5]\\d))?`;
  const edge = (source: string) => new RegExp(`(?<![\\p{L}\\p{N}])(?:${source})(?![\\p{L}\\p{N}])`, 'u');
  const parts = (Object.entries(words.parts) as [keyof TimeWords['parts'], string][])
    .map(([part, source]) => `(?<${part}>${source})`)
    .join('|');
  const patterns: LocalePatterns = {
    fractions: words.fractions.map(
      ([source, minutes]) => [edge(source.replace('{H}', hour)), minutes] as const,
    ),
    withPart: edge(`${clock}(?:\\s*(?:${words.suffix}))?\\s*(?:${parts})`),
    withSuffix: edge(`${hour}\\s*(?:${words.suffix})(?:\\s*([0-5]\\d))?`),
    at: edge(`(?:${words.at})\\s+${clock}`),
    about: edge(`(?:${words.about})\\s+${clock}`),
    named: edge(`(?<noon>${words.noon})|(?<midnight>${words.midnight})`),
  };
  localePatterns.set(language, patterns);
  return patterns;
}

/** An hour as written (digits, or a word of the language), with minutes: 24-hour above 12, else as `twelveHour`. */
function clockValue(words: TimeWords, hourText: string, minute: number): string | undefined {
  const hour = words.hours[hourText] ?? Number(hourText);
  if (!Number.isInteger(hour) || hour > 23 || minute > 59) return undefined;
  if (hour > 12 || (hour === 0 && /^\d+$/.test(hourText))) return hhmm(hour, minute);
  return twelveHour(hour, minute, undefined);
}

/**
 * A time in Spanish, French, Portuguese or German as customers text it: "a las 3 de la tarde",
 * "3 y media", "15h", "15h30", "à 9h du matin", "10 heures et demie", "às 15h", "3 da tarde",
 * "meio-dia", "um 15 Uhr", "halb 4", "viertel nach 3", "8 Uhr abends"; "3pm" and "15:30" too.
 * As in English, an hour from 1 to 6 without a part of the day is in the afternoon, and "como a
 * las 4" or a bare "4" are read only when the time is asked.
 */
function extractLocaleTime(
  text: string,
  language: Exclude<ExtractLanguage, 'en'>,
  options: Pick<ExtractOptions, 'asked' | 'language'>,
): Extraction {
  const words = TIME_WORDS[language];
  const patterns = patternsFor(language);
  const folded = foldMapped(text);
  const said = folded.text;
  const refused: Extraction = { found: false, reason: reason('time', options.language) };
  const found = (value: string | undefined, match: RegExpMatchArray): Extraction | undefined =>
    value === undefined
      ? undefined
      : {
          found: true,
          value,
          matched: originalSpan(text, folded, match.index ?? 0, (match.index ?? 0) + match[0].length),
        };
  // "3pm" and "10:30am" are written the same in every language.
  const meridiem = said.match(CLOCK_MERIDIEM);
  if (meridiem?.[1]) {
    const value = found(
      twelveHour(Number(meridiem[1]), Number(meridiem[2] ?? 0), meridiem[3] ?? meridiem[4]),
      meridiem,
    );
    if (value) return value;
  }
  for (const [pattern, minutes] of patterns.fractions) {
    const match = said.match(pattern);
    if (!match?.[1]) continue;
    const hour = words.hours[match[1]] ?? Number(match[1]);
    const shifted = minutes < 0 ? (hour === 1 ? 12 : hour - 1) : hour;
    const value = found(
      hour > 12
        ? hhmm(minutes < 0 ? hour - 1 : hour, (60 + minutes) % 60)
        : twelveHour(shifted, (60 + minutes) % 60, undefined),
      match,
    );
    if (value) return value;
  }
  const withPart = said.match(patterns.withPart);
  if (withPart?.[1] && withPart.groups) {
    const part = (['morning', 'afternoon', 'evening', 'night'] as const).find(
      (name) => withPart.groups?.[name],
    );
    const hour = words.hours[withPart[1]] ?? Number(withPart[1]);
    const value = found(part ? withDayPart(hour, Number(withPart[2] ?? 0), part) : undefined, withPart);
    if (value) return value;
  }
  const clock = said.match(CLOCK_24H);
  if (clock?.[1] && clock[2]) {
    const value = found(clockValue(words, clock[1], Number(clock[2])), clock);
    if (value) return value;
  }
  for (const pattern of [patterns.withSuffix, patterns.at]) {
    const match = said.match(pattern);
    if (!match?.[1]) continue;
    const value = found(clockValue(words, match[1], Number(match[2] ?? 0)), match);
    if (value) return value;
  }
  const named = said.match(patterns.named);
  if (named) return found(named.groups?.midnight ? '00:00' : '12:00', named) ?? refused;
  if (options.asked === false) return refused;
  const about = said.match(patterns.about);
  if (about?.[1]) {
    const value = found(clockValue(words, about[1], Number(about[2] ?? 0)), about);
    if (value) return value;
  }
  const only = said.match(/^\s*(\d{1,2})\s*[.!?]*\s*$/);
  if (only?.[1]) {
    const hour = Number(only[1]);
    const value = found(hour > 12 && hour < 24 ? hhmm(hour, 0) : twelveHour(hour, 0, undefined), only);
    if (value && hour > 0) return value;
  }
  return refused;
}
