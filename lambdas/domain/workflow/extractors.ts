import * as chrono from 'chrono-node/en';
import { isE164 } from '../phone';
import type { WorkflowVariable } from './definition';

/** What a customer's message says about one variable. */
export type Extraction =
  /** `matched`: the words the value was read from, when they are a part of the message. */
  | { found: true; value: string; matched?: string }
  /**
   * `refused`: a value was read but is not acceptable (a date on the wrong side of today); its
   * reason is more precise than a variable's `invalidMessage`, which is written for unreadable answers.
   */
  | { found: false; reason: string; refused?: true };

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

const DAY_MS = 24 * 60 * 60 * 1000;

function shiftDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** "next Friday", "last Monday", "this Sunday": the customer chose the week, so we keep it. */
const WEEK_MODIFIER = /\b(next|last|this|coming|past|previous)\b/i;

export const DATE_REASONS = {
  unreadable: "I couldn't read a date in that (for example: December 10th or 12/10).",
  future: 'That date is still to come.',
  past: 'That day has already passed.',
} as const;

/**
 * A calendar date in natural language ("December 10th", "Dec 10", "yesterday", "10/12" as US
 * month/day, "next Friday", "2026-01-31"), read with chrono-node against today's date in
 * `timeZone`. Only expressions naming a day (or weekday) count: "3pm" alone is not a date.
 *
 * `direction` says where valid dates lie. `past` (the default: an order was placed, a delivery
 * was due): a date without a year, or a bare weekday ("Friday"), is the latest such day not after
 * today, and a date after today is refused. `future` (an appointment): the earliest such day not
 * before today, and a date before today is refused. `any`: chrono's nearest reading, nothing
 * refused. chrono's own `forwardDate` is not used: it turns "last Friday" into next Friday.
 */
export function extractDate(text: string, now: Date, options: ExtractOptions = {}): Extraction {
  const today = localDate(now, options.timeZone ?? 'UTC');
  const todayIso = isoDate(today.year, today.month, today.day) ?? now.toISOString().slice(0, 10);
  // chrono reads the reference's local components (the process time zone), so the reference is
  // today's wall-clock date in the workflow's zone, built from local components; noon keeps clear
  // of DST gaps.
  const reference = new Date(today.year, today.month - 1, today.day, 12, 0, 0);
  const direction = options.direction ?? 'past';
  let refusal: string | undefined;
  for (const result of chrono.casual.parse(text, reference)) {
    const start = result.start;
    if (!start.isCertain('day') && !start.isCertain('weekday')) continue;
    const [year, month, day] = [start.get('year'), start.get('month'), start.get('day')];
    if (year === null || month === null || day === null) continue;
    let value = isoDate(year, month, day);
    if (value === undefined) continue;
    if (!start.isCertain('year') && start.isCertain('month')) {
      // A month and day without a year, e.g. "Dec 10" or "10/12".
      if (direction === 'past' && value > todayIso) value = isoDate(year - 1, month, day);
      else if (direction === 'future' && value < todayIso) value = isoDate(year + 1, month, day);
    } else if (!start.isCertain('day') && !WEEK_MODIFIER.test(result.text)) {
      // A bare weekday ("on Friday"): chrono picks the nearest one, either side of today.
      if (direction === 'past' && value > todayIso) value = shiftDays(value, -7);
      else if (direction === 'future' && value < todayIso) value = shiftDays(value, 7);
    }
    if (value === undefined) continue;
    if (direction === 'past' && value > todayIso) refusal ??= DATE_REASONS.future;
    else if (direction === 'future' && value < todayIso) refusal ??= DATE_REASONS.past;
    else return { found: true, value, matched: result.text };
  }
  return refusal === undefined
    ? { found: false, reason: DATE_REASONS.unreadable }
    : { found: false, reason: refusal, refused: true };
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

const TIME_REASON = "I couldn't read a time in that (for example: 3pm or 15:30).";

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
  return { found: false, reason: TIME_REASON };
}

const YES_NO_REASON = 'Please reply YES or NO.';
const EMAIL_REASON = "That doesn't look like an email address (e.g. name@example.com).";
const PHONE_REASON = "That doesn't look like a phone number (10 digits, or + and the country code).";
const NUMBER_REASON = 'Please reply with a number.';
const TEXT_REASON = 'Please reply with some text.';

const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;

/**
 * "1,234.56" and "1,234" (US thousands separators), "-12", "1.5", and "3,5" (a decimal comma, as
 * many customers write it): a comma followed by exactly three digits groups thousands, any other
 * comma is a decimal point.
 */
const NUMBER_PATTERN = /-?(?:\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:[.,]\d+)?)/;
const GROUPED_NUMBER = /^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

function normalizeNumber(written: string): string {
  return GROUPED_NUMBER.test(written) ? written.replace(/,/g, '') : written.replace(',', '.');
}

/**
 * Yes/no words, matched as whole words anywhere in the answer ("I guess yes", "Book it, yes").
 * Phrases that contain a yes or no word but answer neither are removed first. An answer with both
 * a yes and a no word ("yes no", "no... ok yes") is ambiguous and asked again: never both.
 */
const YES_NO_NEUTRAL =
  /\b(?:no problem|no worries|no rush|no idea|not sure|not a problem|do ?n[o']?t know|i don'?t know|dunno)\b/g;
const YES_WORDS =
  /\b(?:yes|yeah|yea|yep|yup|ya|yas|sure|ok|okay|correct|confirm|confirmed|absolutely|definitely|affirmative|sounds good|that works|go ahead|please do)\b/;
const NO_WORDS = /\b(?:no|nope|nah|not|never|negative|incorrect|wrong|cancel|don'?t|do not)\b/;

export function extractYesNo(text: string): Extraction {
  const said = text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
  if (said === 'y') return { found: true, value: 'yes' };
  if (said === 'n') return { found: true, value: 'no' };
  const unhedged = said.replace(YES_NO_NEUTRAL, ' ');
  const yes = YES_WORDS.test(unhedged);
  const no = NO_WORDS.test(unhedged);
  if (yes && !no) return { found: true, value: 'yes' };
  if (no && !yes) return { found: true, value: 'no' };
  return { found: false, reason: YES_NO_REASON };
}

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
  return { found: false, reason: PHONE_REASON };
}

/** `\d{6}` (optionally between `\b`s) has 6 digits; undefined for any other pattern. */
export function fixedDigitCount(pattern: string): number | undefined {
  const fixed = pattern.match(/^(?:\\b)?\\d\{(\d+)\}(?:\\b)?$/);
  return fixed?.[1] ? Number(fixed[1]) : undefined;
}

/**
 * The default reason for a pattern names what was asked for, from the variable's name, and the
 * digit count when the pattern is a fixed number of digits: `order_number` with `\b\d{6}\b` gives
 * "That doesn't look like an order number (6 digits)."
 */
function patternReason(variable: Extract<WorkflowVariable, { type: 'pattern' }>): string {
  const label = variable.name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/_+/g, ' ')
    .trim()
    .toLowerCase();
  const article = /^[aeiou]/.test(label) ? 'an' : 'a';
  const digits = fixedDigitCount(variable.pattern);
  return `That doesn't look like ${article} ${label}${digits === undefined ? '' : ` (${digits} digits)`}.`;
}

/** Reasons for values read but refused; they are sent even when the variable has an `invalidMessage`. */
export function refusalReasons(variable: WorkflowVariable): string[] {
  if (variable.type !== 'date') return [];
  const direction = variable.direction ?? 'past';
  if (direction === 'past') return [DATE_REASONS.future];
  return direction === 'future' ? [DATE_REASONS.past] : [];
}

/**
 * Every reason `extractVariable` can give for this variable when the variable has no
 * `invalidMessage` (the longest is what `workflow lint` measures a re-prompt with).
 */
export function defaultReasons(variable: WorkflowVariable): string[] {
  switch (variable.type) {
    case 'text':
      return [TEXT_REASON];
    case 'pattern':
      return [patternReason(variable)];
    case 'number':
      return [NUMBER_REASON];
    case 'date':
      return [DATE_REASONS.unreadable, ...refusalReasons(variable)];
    case 'time':
      return [TIME_REASON];
    case 'email':
      return [EMAIL_REASON];
    case 'phone':
      return [PHONE_REASON];
    case 'yesno':
      return [YES_NO_REASON];
    case 'choice':
      return [choiceReason(variable.options)];
  }
}

function choiceReason(options: readonly string[]): string {
  return `Please reply with one of: ${options.join(', ')}.`;
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
      return trimmed.length > 0 ? { found: true, value: trimmed } : { found: false, reason: TEXT_REASON };
    case 'pattern': {
      const match = trimmed.match(new RegExp(variable.pattern, 'u'));
      return match
        ? { found: true, value: match[0], matched: match[0] }
        : { found: false, reason: patternReason(variable) };
    }
    case 'number': {
      const match = trimmed.match(NUMBER_PATTERN);
      return match
        ? { found: true, value: normalizeNumber(match[0]), matched: match[0] }
        : { found: false, reason: NUMBER_REASON };
    }
    case 'date':
      return extractDate(trimmed, now, { timeZone: options.timeZone, direction: variable.direction });
    case 'time':
      return extractTime(trimmed);
    case 'email': {
      const match = trimmed.match(EMAIL_PATTERN);
      return match
        ? { found: true, value: match[0].toLowerCase(), matched: match[0] }
        : { found: false, reason: EMAIL_REASON };
    }
    case 'phone':
      return extractPhone(trimmed);
    case 'yesno':
      return extractYesNo(trimmed);
    case 'choice': {
      const lower = trimmed.toLowerCase();
      const byNumber = /^\d+$/.test(lower) ? variable.options[Number(lower) - 1] : undefined;
      const chosen = byNumber ?? variable.options.find((option) => lower.includes(option.toLowerCase()));
      return chosen
        ? { found: true, value: chosen, matched: byNumber === undefined ? chosen : lower }
        : { found: false, reason: choiceReason(variable.options) };
    }
  }
}
