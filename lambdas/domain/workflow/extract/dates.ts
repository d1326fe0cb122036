import * as chrono from 'chrono-node/en';
import { DATE_WORDS, NUMBER_OF_DAYS, type DateWords } from './date-words';
import { chronoFor } from './date-locales';
import { dateLanguage, foldMapped, originalSpan, type DateLanguage } from './language';
import { reason } from './reasons';
import type { DateDirection, ExtractOptions, Extraction } from './types';

function isoDate(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return date.toISOString().slice(0, 10);
}

/** Wall-clock date of `now` in `timeZone`. */
export function localDate(now: Date, timeZone: string): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

const DAY_MS = 24 * 60 * 60 * 1000;

function shiftDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** "next Friday", "last Monday", "this Sunday": the customer chose the week, so we keep it. */
const WEEK_MODIFIER = /\b(next|last|this|coming|past|previous)\b/i;
/** "last week", "next month", "a few days ago": a span, not a day. */
const VAGUE_SPAN =
  /^(?:the\s+)?(?:last|next|this|past|previous|coming)\s+(?:week|weekend|month|year)$|\b(?:few|several|couple|some)\b/i;
/** "this morning", "tonight": today. chrono reads them as times of day, not days. */
const TODAY_PART = /^(?:this\s+(?:morning|afternoon|evening)|tonight)$/i;

/** Texting spellings chrono does not know, rewritten before it reads the message. */
const SPELLINGS: readonly [RegExp, string][] = [
  [/\b(?:yday|ytd|yest|yesterdy|yesteday|yesturday)\b/gi, 'yesterday'],
  [/\b(?:tmr|tmrw|tmw|tmoz|tomoz|2morrow|2moro|2mrw|tomorow|tommorow|tommorrow|tomrrow)\b/gi, 'tomorrow'],
  [/\b(?:tdy|2day)\b/gi, 'today'],
  // Weekday shorthands people text that chrono-node does not read ("last tues", "next weds").
  [/\btues\b/gi, 'tuesday'],
  [/\bweds\b/gi, 'wednesday'],
  [/\b(?:thurs|thrs)\b/gi, 'thursday'],
];

/**
 * A bare day of the month, written as an ordinal: "the 28th", "28th", "on the 3rd", "Monday the
 * 14th"; not "the 3rd one" (a choice) or "my 2nd order".
 */
const DAY_OF_MONTH =
  /\b(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?,?\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:one|option|choice|item|floor|time|visit|order|person|attempt|place|try|of\s+(?:us|them)))/i;

export const DATE_REASONS = {
  unreadable: "I couldn't read a date in that (for example: December 10th or 12/10).",
  future: 'That date is still to come.',
  past: 'That day has already passed.',
} as const;

/** The reason a date before `min` days from today is refused. */
export function minReason(min: number, language?: string): string {
  return reason('dateMin', language, min);
}

/** The reason a date after `max` days from today is refused. */
export function maxReason(max: number, language?: string): string {
  return reason('dateMax', language, max);
}

/** Every refusal a date with this direction and these bounds can give. */
export function dateRefusalReasons(
  direction: DateDirection,
  min?: number,
  max?: number,
  language?: string,
): string[] {
  return [
    ...(direction === 'past'
      ? [reason('dateFuture', language)]
      : direction === 'future'
        ? [reason('datePast', language)]
        : []),
    ...(min === undefined ? [] : [minReason(min, language)]),
    ...(max === undefined ? [] : [maxReason(max, language)]),
  ];
}

interface Reading {
  /** `weekday`: a bare weekday, which a day of the month written beside it overrides. */
  readonly kind: 'weekday' | 'day';
  /** The days the words can mean: one for "tomorrow" or "12/10/2024", several for "Dec 10" or "Friday". */
  readonly candidates: string[];
  readonly matched: string;
  /** A weekday chrono put in a week by a word of its match ("next Friday", "próximo viernes"). */
  readonly weekdayModified?: true;
}

type Choice = { value: string } | { refusal: string };

/**
 * Picks what the customer meant among the candidates of one reading: on the side of today the
 * direction names (the latest past one, the earliest future one, or for `any` the nearest), within
 * the bounds if any candidate is; else the reason the best one is refused.
 */
function choose(
  candidates: readonly string[],
  today: string,
  direction: DateDirection,
  min: number | undefined,
  max: number | undefined,
  language: string | undefined,
): Choice {
  const onSide = (value: string) =>
    direction === 'past' ? value <= today : direction === 'future' ? value >= today : true;
  const inBounds = (value: string) => {
    const offset = daysBetween(today, value);
    return (min === undefined || offset >= min) && (max === undefined || offset <= max);
  };
  const best = (values: string[]): string | undefined => {
    if (values.length === 0) return undefined;
    const sorted = [...values].sort();
    if (direction === 'past') return sorted[sorted.length - 1];
    if (direction === 'future') return sorted[0];
    // Nearest; a tie goes to the later day.
    return sorted.reduce((a, b) =>
      Math.abs(daysBetween(today, b)) <= Math.abs(daysBetween(today, a)) ? b : a,
    );
  };
  const sided = candidates.filter(onSide);
  const good = best(sided.filter(inBounds));
  if (good !== undefined) return { value: good };
  const nearest = best(sided);
  if (nearest === undefined)
    return { refusal: reason(direction === 'past' ? 'dateFuture' : 'datePast', language) };
  const offset = daysBetween(today, nearest);
  if (min !== undefined && offset < min) return { refusal: minReason(min, language) };
  return { refusal: maxReason(max ?? 0, language) };
}

type ChronoParser = Pick<typeof chrono.casual, 'parse'>;

function chronoReadings(
  text: string,
  reference: Date,
  todayIso: string,
  parser: ChronoParser = chrono.casual,
): Reading[] {
  const readings: Reading[] = [];
  for (const result of parser.parse(text, reference)) {
    const start = result.start;
    const words = result.text.trim();
    if (VAGUE_SPAN.test(words)) continue;
    if (TODAY_PART.test(words)) {
      readings.push({ kind: 'day', candidates: [todayIso], matched: result.text });
      continue;
    }
    if (!start.isCertain('day') && !start.isCertain('weekday')) continue;
    const [year, month, day] = [start.get('year'), start.get('month'), start.get('day')];
    if (year === null || month === null || day === null) continue;
    const value = isoDate(year, month, day);
    if (value === undefined) continue;
    if (!start.isCertain('year') && start.isCertain('month')) {
      // A month and day without a year, e.g. "Dec 10" or "10/12": that day in any nearby year.
      const candidates = [year - 1, year, year + 1]
        .map((y) => isoDate(y, month, day))
        .filter((v): v is string => v !== undefined);
      readings.push({ kind: 'day', candidates, matched: result.text });
    } else if (!start.isCertain('day') && !WEEK_MODIFIER.test(result.text)) {
      // A bare weekday ("on Friday"): that weekday in the week before, this one or the next.
      readings.push({
        kind: 'weekday',
        candidates: [-7, 0, 7].map((shift) => shiftDays(value, shift)),
        matched: result.text,
      });
    } else {
      readings.push({
        kind: 'day',
        candidates: [value],
        matched: result.text,
        ...(!start.isCertain('day') ? { weekdayModified: true } : {}),
      });
    }
  }
  return readings;
}

/** "the 28th": that day of the month in the months around today. */
function dayOfMonthReading(text: string, today: { year: number; month: number }): Reading | undefined {
  const found = text.match(DAY_OF_MONTH);
  return found ? monthDays(Number(found[1]), today, found[0]) : undefined;
}

function monthDays(
  day: number,
  today: { year: number; month: number },
  matched: string,
): Reading | undefined {
  if (!(day >= 1 && day <= 31)) return undefined;
  const candidates: string[] = [];
  for (let shift = -13; shift <= 13; shift++) {
    const index = today.year * 12 + (today.month - 1) + shift;
    const value = isoDate(Math.floor(index / 12), (index % 12) + 1, day);
    if (value !== undefined) candidates.push(value);
  }
  return { kind: 'day', candidates, matched };
}

/**
 * A calendar date in natural language ("December 10th", "Dec 10", "yesterday", "yday", "10/12" as
 * US month/day, "next Friday", "the 28th", "2026-01-31"), read with chrono-node against today's
 * date in `timeZone`. Only expressions naming a day (or weekday) count: "3pm" alone is not a date,
 * nor is "last week".
 *
 * Relative expressions ("tomorrow", "last Friday", "in 3 days") resolve as written. Ambiguous ones
 * (a date without a year, a bare weekday, a bare day of the month) resolve by `direction`: `any`
 * (the default) the nearest such day, `past` the latest not after today, `future` the earliest not
 * before today. A date on the wrong side of today for `past`/`future`, or outside `min`/`max` days
 * from today, is refused with a reason naming the limit. chrono's own `forwardDate` is not used: it
 * turns "last Friday" into next Friday.
 */
export function extractDate(text: string, now: Date, options: ExtractOptions = {}): Extraction {
  const today = localDate(now, options.timeZone ?? 'UTC');
  const todayIso = isoDate(today.year, today.month, today.day) ?? now.toISOString().slice(0, 10);
  // chrono reads the reference's local components (the process time zone), so the reference is
  // today's wall-clock date in the workflow's zone, built from local components; noon keeps clear
  // of DST gaps.
  const reference = new Date(today.year, today.month - 1, today.day, 12, 0, 0);
  const direction = options.direction ?? 'any';
  const language = dateLanguage(options.language);
  const readings =
    language === 'en'
      ? englishReadings(text, reference, today, todayIso)
      : localeReadings(text, language, reference, today, todayIso);
  let refusal: string | undefined;
  for (const reading of readings) {
    const chosen = choose(
      reading.candidates,
      todayIso,
      direction,
      options.min,
      options.max,
      options.language,
    );
    if ('value' in chosen) {
      // The engine masks the words taken; a rewritten spelling ("yday") is not in the message.
      return text.toLowerCase().includes(reading.matched.toLowerCase())
        ? { found: true, value: chosen.value, matched: reading.matched }
        : { found: true, value: chosen.value };
    }
    refusal ??= chosen.refusal;
  }
  return refusal === undefined
    ? { found: false, reason: reason('dateUnreadable', options.language) }
    : { found: false, reason: refusal, refused: true };
}

function englishReadings(
  text: string,
  reference: Date,
  today: { year: number; month: number },
  todayIso: string,
): Reading[] {
  const written = SPELLINGS.reduce((said, [spelling, word]) => said.replace(spelling, word), text);
  const readings = chronoReadings(written, reference, todayIso);
  // A day of the month ("the 28th", "Monday the 14th") says more than a weekday chrono read beside it.
  addDayOfMonth(readings, dayOfMonthReading(written, today));
  return readings;
}

function addDayOfMonth(readings: Reading[], dayOfMonth: Reading | undefined): void {
  if (!dayOfMonth) return;
  if (readings.every((reading) => reading.kind === 'weekday')) readings.unshift(dayOfMonth);
  else readings.push(dayOfMonth);
}

/** "10.12." and "10-12" as chrono's locales read a day and month: "10. Dezember", "10/12". */
function numericDayMonth(text: string, words: DateWords): string {
  return text.replace(
    /\b(\d{1,2})[.-](\d{1,2})(\.?)(?![.\-/]?\d)/g,
    (all, day: string, month: string, dot: string) => {
      if (Number(day) < 1 || Number(day) > 31 || Number(month) < 1 || Number(month) > 12) return all;
      const name = words.months?.[Number(month) - 1];
      if (name) return `${day}. ${name}${dot ? ' ' : ''}`;
      return `${day}/${month}${dot ? ' ' : ''}`;
    },
  );
}

/** Blanks `from`..`to` of `text`, keeping every other character where it was. */
function blank(text: string, from: number, to: number): string {
  return `${text.slice(0, from)}${' '.repeat(to - from)}${text.slice(to)}`;
}

/**
 * Readings in a language chrono-node has a locale for: its casual parser, after the rewrites of
 * `DATE_WORDS`, plus the relative days and bare days of the month it misses. A weekday with a
 * word chrono's match leaves out ("el martes que viene", "terça passada") is put in the week the
 * word names; "pasado" inside chrono's match is "last" too (chrono's `es` reads it as next).
 */
function localeReadings(
  text: string,
  language: Exclude<DateLanguage, 'en'>,
  reference: Date,
  today: { year: number; month: number },
  todayIso: string,
): Reading[] {
  const words = DATE_WORDS[language];
  let written = numericDayMonth(
    words.spellings.reduce((said, [spelling, word]) => said.replace(spelling, word), text),
    words,
  );
  const folded = foldMapped(written);
  const readings: Reading[] = [];
  for (const [pattern, days] of words.relative) {
    const found = folded.text.match(pattern);
    if (!found) continue;
    const count = found[1] === undefined ? 1 : (NUMBER_OF_DAYS[found[1]] ?? Number(found[1]));
    const shift = found[1] === undefined ? days : days * count;
    const start = found.index ?? 0;
    const matched = originalSpan(written, folded, start, start + found[0].length);
    readings.push({ kind: 'day', candidates: [shiftDays(todayIso, shift)], matched });
    const from = folded.from[start] ?? 0;
    written = blank(written, from, from + matched.length);
  }
  for (const reading of chronoReadings(written, reference, todayIso, chronoFor(language))) {
    const inMatch = foldMapped(reading.matched).text;
    if (
      words.span.test(inMatch) &&
      (words.next.test(inMatch) || words.last.test(inMatch) || words.current.test(inMatch))
    )
      continue;
    if (reading.kind !== 'weekday' && !reading.weekdayModified) {
      readings.push(reading);
      continue;
    }
    const said = folded.text;
    const week = words.last.test(inMatch)
      ? 'last'
      : reading.weekdayModified
        ? undefined
        : words.next.test(said)
          ? 'next'
          : words.last.test(said)
            ? 'last'
            : words.current.test(said)
              ? 'current'
              : undefined;
    if (week === undefined) {
      readings.push(reading);
      continue;
    }
    const around =
      reading.kind === 'weekday'
        ? reading.candidates
        : [-7, 0, 7].map((d) => shiftDays(reading.candidates[0] ?? todayIso, d));
    const sorted = [...around].sort();
    const value =
      week === 'last'
        ? sorted.filter((day) => day < todayIso).pop()
        : sorted.find((day) => (week === 'next' ? day > todayIso : day >= todayIso));
    if (value !== undefined) readings.push({ kind: 'day', candidates: [value], matched: reading.matched });
  }
  if (words.dayOfMonth) {
    const found = folded.text.match(words.dayOfMonth);
    if (found?.[1]) {
      const start = found.index ?? 0;
      const matched = originalSpan(written, folded, start, start + found[0].length);
      addDayOfMonth(readings, monthDays(Number(found[1]), today, matched));
    }
  }
  return readings;
}
