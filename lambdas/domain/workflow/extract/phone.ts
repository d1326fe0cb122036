import type { CountryCode } from 'libphonenumber-js/min';
import type * as PhoneLibraryModule from './phone-library';
import type { Extraction } from './types';

type PhoneLibrary = typeof PhoneLibraryModule;

let library: PhoneLibrary | undefined;

/**
 * libphonenumber-js with its smallest metadata is 146 KB and about 10 ms of CPU to load: it is
 * loaded by the first workflow that reads a phone number (prepareReaders), not by every cold start
 * of the functions that run workflows.
 */
export async function loadPhoneReader(): Promise<void> {
  library ??= await import('./phone-library');
}

function phoneLibrary(): PhoneLibrary {
  if (!library)
    throw new Error('the phone reader is not loaded: await loadPhoneReader() (prepareReaders) first');
  return library;
}

export const PHONE_REASON =
  "That doesn't look like a phone number (with the area code, or + and country code).";

/** Digits with the separators people write them with: "(415) 555-0123", "+44 7700 900123", "415.555.0123". */
const WRITTEN_NUMBER = /\+?\d[\d\s().-]{5,}\d/g;

/** "2026-12-10", "12.10.2024", "10/12/24": dates, whatever a country's numbering plan allows. */
const DATE_SHAPE = /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$/;
/** "+", "00" or "011" before the country code. */
const INTERNATIONAL = /^\s*(?:\+|00|011)/;

/**
 * Written like a phone number: not a date, and with at least 8 digits unless dialled
 * internationally (an order number of 6 digits is a valid German number without its area code).
 */
function phoneShaped(written: string): boolean {
  const digits = written.replace(/\D/g, '');
  return !DATE_SHAPE.test(written.trim()) && (INTERNATIONAL.test(written) || digits.length >= 8);
}

function country(code: string | undefined): CountryCode {
  const upper = (code ?? 'US').toUpperCase();
  return phoneLibrary().isSupportedCountry(upper) ? upper : 'US';
}

/**
 * A phone number in any country's written form, read with libphonenumber-js (min metadata) into
 * E.164; a number without `+` and a country code is read in `defaultCountry` (default US). A
 * number valid for its country wins; else one of a possible length with at least 10 digits
 * (numbers in ranges reserved for fiction, new area codes). Dates ("12/10/2024", "12.10.2024")
 * and short digit runs (a 6-digit order number) are not phone numbers: a number written without
 * `+` or an international prefix needs at least 8 digits.
 */
export function extractPhone(text: string, defaultCountry?: string): Extraction {
  const { findPhoneNumbersInText, parsePhoneNumberFromString } = phoneLibrary();
  const region = country(defaultCountry);
  for (const found of findPhoneNumbersInText(text, { defaultCountry: region })) {
    const written = text.slice(found.startsAt, found.endsAt);
    if (found.number.isValid() && phoneShaped(written)) {
      return { found: true, value: found.number.number, matched: written };
    }
  }
  for (const [written] of text.matchAll(WRITTEN_NUMBER)) {
    const candidate = written.trim();
    const digits = candidate.replace(/\D/g, '');
    if (digits.length < 10 || digits.length > 17 || !phoneShaped(candidate)) continue;
    // "0044 20 7183 8750": the international prefix most of the world dials.
    const number = parsePhoneNumberFromString(candidate.replace(/^00(?=[1-9])/, '+'), region);
    // North American numbers have an area code and an exchange that do not start with 0 or 1.
    const nanpShaped = number?.countryCallingCode !== '1' || /^[2-9]\d{2}[2-9]/.test(number.nationalNumber);
    if (number?.isPossible() && nanpShaped) return { found: true, value: number.number, matched: candidate };
  }
  return { found: false, reason: PHONE_REASON };
}
