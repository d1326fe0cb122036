import * as chrono from 'chrono-node/en';
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

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The reason a date before `min` days from today is refused. */
export function minReason(min: number): string {
  if (min === 0) return 'Please pick a day from today on.';
  if (min > 0) return `Please pick a day at least ${plural(min, 'day')} from now.`;
  return `That's too far back: please pick a day in the last ${plural(-min, 'day')}.`;
}

/** The reason a date after `max` days from today is refused. */
export function maxReason(max: number): string {
  if (max === 0) return 'Please pick a day no later than today.';
  if (max > 0) return `Please pick a day within the next ${plural(max, 'day')}.`;
  return `That's too recent: please pick a day at least ${plural(-max, 'day')} ago.`;
}

/** Every refusal a date with this direction and these bounds can give. */
export function dateRefusalReasons(direction: DateDirection, min?: number, max?: number): string[] {
  return [
    ...(direction === 'past' ? [DATE_REASONS.future] : direction === 'future' ? [DATE_REASONS.past] : []),
    ...(min === undefined ? [] : [minReason(min)]),
    ...(max === undefined ? [] : [maxReason(max)]),
  ];
}

interface Reading {
  /** `weekday`: a bare weekday, which a day of the month written beside it overrides. */
  readonly kind: 'weekday' | 'day';
  /** The days the words can mean: one for "tomorrow" or "12/10/2024", several for "Dec 10" or "Friday". */
  readonly candidates: string[];
  readonly matched: string;
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
    return { refusal: direction === 'past' ? DATE_REASONS.future : DATE_REASONS.past };
  const offset = daysBetween(today, nearest);
  if (min !== undefined && offset < min) return { refusal: minReason(min) };
  return { refusal: maxReason(max ?? 0) };
}

function chronoReadings(text: string, reference: Date, todayIso: string): Reading[] {
  const readings: Reading[] = [];
  for (const result of chrono.casual.parse(text, reference)) {
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
      readings.push({ kind: 'day', candidates: [value], matched: result.text });
    }
  }
  return readings;
}

/** "the 28th": that day of the month in the months around today. */
function dayOfMonthReading(text: string, today: { year: number; month: number }): Reading | undefined {
  const found = text.match(DAY_OF_MONTH);
  const day = Number(found?.[1]);
  if (!found || !(day >= 1 && day <= 31)) return undefined;
  const candidates: string[] = [];
  for (let shift = -13; shift <= 13; shift++) {
    const index = today.year * 12 + (today.month - 1) + shift;
    const value = isoDate(Math.floor(index / 12), (index % 12) + 1, day);
    if (value !== undefined) candidates.push(value);
  }
  return { kind: 'day', candidates, matched: found[0] };
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
  const written = SPELLINGS.reduce((said, [spelling, word]) => said.replace(spelling, word), text);
  const readings = chronoReadings(written, reference, todayIso);
  // A day of the month ("the 28th", "Monday the 14th") says more than a weekday chrono read beside it.
  const dayOfMonth = dayOfMonthReading(written, today);
  if (dayOfMonth) {
    if (readings.every((reading) => reading.kind === 'weekday')) readings.unshift(dayOfMonth);
    else readings.push(dayOfMonth);
  }
  let refusal: string | undefined;
  for (const reading of readings) {
    const chosen = choose(reading.candidates, todayIso, direction, options.min, options.max);
    if ('value' in chosen) {
      // The engine masks the words taken; a rewritten spelling ("yday") is not in the message.
      return text.toLowerCase().includes(reading.matched.toLowerCase())
        ? { found: true, value: chosen.value, matched: reading.matched }
        : { found: true, value: chosen.value };
    }
    refusal ??= chosen.refusal;
  }
  return refusal === undefined
    ? { found: false, reason: DATE_REASONS.unreadable }
    : { found: false, reason: refusal, refused: true };
}
