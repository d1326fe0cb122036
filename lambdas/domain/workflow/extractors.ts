import { isE164 } from '../phone';
import type { WorkflowVariable } from './definition';

/** What a customer's message says about one variable. */
export type Extraction = { found: true; value: string } | { found: false; reason: string };

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

const MONTH_PATTERN = new RegExp(
  `\\b(${MONTHS.map((month) => `${month.slice(0, 3)}(?:${month.slice(3)})?`).join('|')})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s*(\\d{4}))?`,
  'i',
);
const DAY_MONTH_PATTERN = new RegExp(
  `\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(${MONTHS.map((month) => `${month.slice(0, 3)}(?:${month.slice(3)})?`).join('|')})\\b(?:,?\\s*(\\d{4}))?`,
  'i',
);
const NUMERIC_DATE_PATTERN = /\b(\d{1,2})\/(\d{1,2})(?:\/(\d{2}|\d{4}))?\b/;
const ISO_DATE_PATTERN = /\b(\d{4})-(\d{2})-(\d{2})\b/;

function isoDate(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return date.toISOString().slice(0, 10);
}

function monthIndex(name: string): number {
  const prefix = name.slice(0, 3).toLowerCase();
  return MONTHS.findIndex((month) => month.startsWith(prefix)) + 1;
}

/** A date the customer placed something: without a year it is the latest such date not after `now`. */
function pastDate(month: number, day: number, year: number | undefined, now: Date): string | undefined {
  if (year !== undefined) return isoDate(year, month, day);
  const thisYear = now.getUTCFullYear();
  const candidate = isoDate(thisYear, month, day);
  if (candidate !== undefined && candidate <= now.toISOString().slice(0, 10)) return candidate;
  return isoDate(thisYear - 1, month, day);
}

function fullYear(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const year = Number(raw);
  return raw.length === 2 ? 2000 + year : year;
}

export function extractDate(text: string, now: Date): Extraction {
  const lower = text.toLowerCase();
  const dayMs = 24 * 60 * 60 * 1000;
  if (/\btoday\b/.test(lower)) return { found: true, value: now.toISOString().slice(0, 10) };
  if (/\byesterday\b/.test(lower)) {
    return { found: true, value: new Date(now.getTime() - dayMs).toISOString().slice(0, 10) };
  }
  const iso = text.match(ISO_DATE_PATTERN);
  if (iso) {
    const value = isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    if (value) return { found: true, value };
  }
  const named = text.match(MONTH_PATTERN);
  if (named?.[1] && named[2]) {
    const value = pastDate(monthIndex(named[1]), Number(named[2]), fullYear(named[3]), now);
    if (value) return { found: true, value };
  }
  const dayFirst = text.match(DAY_MONTH_PATTERN);
  if (dayFirst?.[1] && dayFirst[2]) {
    const value = pastDate(monthIndex(dayFirst[2]), Number(dayFirst[1]), fullYear(dayFirst[3]), now);
    if (value) return { found: true, value };
  }
  const numeric = text.match(NUMERIC_DATE_PATTERN);
  if (numeric?.[1] && numeric[2]) {
    // US order (month/day), as Twilio's US numbers' customers write dates.
    const value = pastDate(Number(numeric[1]), Number(numeric[2]), fullYear(numeric[3]), now);
    if (value) return { found: true, value };
  }
  return { found: false, reason: "I couldn't read a date in that (for example: December 10th or 12/10)." };
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
    if (e164 && isE164(e164)) return { found: true, value: e164 };
  }
  return { found: false, reason: "That doesn't look like a phone number." };
}

/** Extracts one variable's value from a message, or says why it could not. */
export function extractVariable(variable: WorkflowVariable, text: string, now: Date): Extraction {
  const trimmed = text.trim();
  switch (variable.type) {
    case 'text':
      return trimmed.length > 0
        ? { found: true, value: trimmed }
        : { found: false, reason: 'Please reply with some text.' };
    case 'pattern': {
      const match = trimmed.match(new RegExp(variable.pattern, 'u'));
      return match ? { found: true, value: match[0] } : { found: false, reason: "That doesn't look right." };
    }
    case 'number': {
      const match = trimmed.match(NUMBER_PATTERN);
      return match
        ? { found: true, value: match[0].replace(',', '.') }
        : { found: false, reason: 'Please reply with a number.' };
    }
    case 'date':
      return extractDate(trimmed, now);
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
