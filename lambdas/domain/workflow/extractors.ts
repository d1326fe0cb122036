import * as chrono from 'chrono-node/en';
import { isE164 } from '../phone';
import type { WorkflowVariable } from './definition';

/** What a customer's message says about one variable. */
export type Extraction =
  /** `matched`: the words the value was read from, when they are a part of the message (dates, times). */
  { found: true; value: string; matched?: string } | { found: false; reason: string };

export type DateDirection = 'past' | 'future' | 'any';

export interface ExtractOptions {
  /** IANA time zone the customer's "today" is in; default UTC. */
  readonly timeZone?: string;
  /** How a date without a year resolves; default `past`. */
  readonly direction?: DateDirection;
}

function isoDate(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return date.toISOString().slice(0, 10);
}

/** Wall-clock date of `now` in `timeZone`. */
function localDate(now: Date, timeZone: string): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

/**
 * A calendar date in natural language ("December 10th", "Dec 10", "yesterday", "10/12" as US
 * month/day, "next Friday", "2026-01-31"), read with chrono-node against today's date in
 * `timeZone`. A date without a year resolves per `direction`. Only expressions naming a day
 * (or weekday) count: "3pm" alone is not a date.
 */
export function extractDate(text: string, now: Date, options: ExtractOptions = {}): Extraction {
  const today = localDate(now, options.timeZone ?? 'UTC');
  const todayIso = isoDate(today.year, today.month, today.day) ?? now.toISOString().slice(0, 10);
  // chrono reads the reference's local components; noon keeps clear of DST gaps.
  const reference = new Date(today.year, today.month - 1, today.day, 12, 0, 0);
  const direction = options.direction ?? 'past';
  for (const result of chrono.casual.parse(text, reference, { forwardDate: direction === 'future' })) {
    const start = result.start;
    if (!start.isCertain('day') && !start.isCertain('weekday')) continue;
    const [year, month, day] = [start.get('year'), start.get('month'), start.get('day')];
    if (year === null || month === null || day === null) continue;
    let value = isoDate(year, month, day);
    if (value === undefined) continue;
    if (!start.isCertain('year') && start.isCertain('month')) {
      // A month and day without a year, e.g. "Dec 10" or "10/12".
      if (direction === 'past' && value > todayIso) value = isoDate(year - 1, month, day);
      if (direction === 'future' && value !== undefined && value < todayIso)
        value = isoDate(year + 1, month, day);
    }
    if (value !== undefined) return { found: true, value, matched: result.text };
  }
  return { found: false, reason: "I couldn't read a date in that (for example: December 10th or 12/10)." };
}

const HOUR_WORDS: Readonly<Record<string, number>> = {
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
};
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
const CLOCK_MERIDIEM = new RegExp(`\\b(\\d{1,2})(?:[:.](\\d{2}))?${MERIDIEM}`, 'i');
const CLOCK_24H = /\b([01]?\d|2[0-3]):([0-5]\d)\b/;
const WORDS_PAST_TO = new RegExp(
  `\\b(${Object.keys(MINUTE_WORDS).join('|')})\\s+(past|after|to|till|before)\\s+${HOUR}\\b(?:${MERIDIEM})?`,
  'i',
);
const O_CLOCK = new RegExp(
  `\\b(?:at\\s+)?${HOUR}\\s*o'?\\s*clock\\b(?:${MERIDIEM})?|\\bat\\s+${HOUR}\\b(?!\\s*[:/.\\d])(?:${MERIDIEM})?`,
  'i',
);

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

/** A time of day, stored as 24-hour `HH:MM`. */
export function extractTime(text: string): Extraction {
  const lower = text.toLowerCase();
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
  const withMeridiem = lower.match(CLOCK_MERIDIEM);
  if (withMeridiem?.[1]) {
    const value = found(
      twelveHour(Number(withMeridiem[1]), Number(withMeridiem[2] ?? 0), withMeridiem[3]),
      withMeridiem[0],
    );
    if (value) return value;
  }
  const clock = lower.match(CLOCK_24H);
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
  const named = lower.match(/\b(noon|midday|midnight)\b/);
  if (named) return { found: true, value: named[0] === 'midnight' ? '00:00' : '12:00', matched: named[0] };
  const oclock = lower.match(O_CLOCK);
  const hourText = oclock?.[1] ?? oclock?.[3];
  if (oclock && hourText) {
    const value = found(twelveHour(hourValue(hourText), 0, oclock[2] ?? oclock[4]), oclock[0]);
    if (value) return value;
  }
  return { found: false, reason: "I couldn't read a time in that (for example: 3pm or 15:30)." };
}

const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
const NUMBER_PATTERN = /-?\d+(?:[.,]\d+)?/;
const YES = /^(y|yes|yeah|yep|yup|sure|ok|okay|correct|confirm|right)\b/i;
const NO = /^(n|no|nope|nah|not|incorrect|wrong)\b/i;

function extractPhone(text: string): Extraction {
  const candidate = text.match(/\+?[\d\s().-]{7,}\d/)?.[0];
  if (candidate) {
    const digits = candidate.replace(/\D/g, '');
    const e164 = candidate.trim().startsWith('+')
      ? `+${digits}`
      : digits.length === 10
        ? `+1${digits}`
        : digits.length === 11 && digits.startsWith('1')
          ? `+${digits}`
          : undefined;
    if (e164 && isE164(e164)) return { found: true, value: e164, matched: candidate.trim() };
  }
  return { found: false, reason: "That doesn't look like a phone number." };
}

/** Extracts one variable's value from a message, or says why it could not. */
export function extractVariable(
  variable: WorkflowVariable,
  text: string,
  now: Date,
  options: Pick<ExtractOptions, 'timeZone'> = {},
): Extraction {
  const trimmed = text.trim();
  switch (variable.type) {
    case 'text':
      return trimmed.length > 0
        ? { found: true, value: trimmed }
        : { found: false, reason: 'Please reply with some text.' };
    case 'pattern': {
      const match = trimmed.match(new RegExp(variable.pattern, 'u'));
      return match
        ? { found: true, value: match[0], matched: match[0] }
        : { found: false, reason: "That doesn't look right." };
    }
    case 'number': {
      const match = trimmed.match(NUMBER_PATTERN);
      return match
        ? { found: true, value: match[0].replace(',', '.'), matched: match[0] }
        : { found: false, reason: 'Please reply with a number.' };
    }
    case 'date':
      return extractDate(trimmed, now, { timeZone: options.timeZone, direction: variable.direction });
    case 'time':
      return extractTime(trimmed);
    case 'email': {
      const match = trimmed.match(EMAIL_PATTERN);
      return match
        ? { found: true, value: match[0].toLowerCase() }
        : { found: false, reason: "That doesn't look like an email address." };
    }
    case 'phone':
      return extractPhone(trimmed);
    case 'yesno':
      if (YES.test(trimmed)) return { found: true, value: 'yes' };
      if (NO.test(trimmed)) return { found: true, value: 'no' };
      return { found: false, reason: 'Please reply YES or NO.' };
    case 'choice': {
      const lower = trimmed.toLowerCase();
      const byNumber = /^\d+$/.test(lower) ? variable.options[Number(lower) - 1] : undefined;
      const chosen = byNumber ?? variable.options.find((option) => lower.includes(option.toLowerCase()));
      return chosen
        ? { found: true, value: chosen }
        : { found: false, reason: `Please reply with one of: ${variable.options.join(', ')}.` };
    }
  }
}
