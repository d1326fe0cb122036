import type { CountryCode } from 'libphonenumber-js/min';
import { isE164, maskPhone } from '../phone';
import { isSupportedCountry, parsePhoneNumberFromString } from '../workflow/extract/phone-library';

export type RecipientPhone =
  | { readonly ok: true; readonly phone: string; readonly country?: string }
  | { readonly ok: false; readonly reason: string };

/** Digits and the separators people write numbers with; anything else (words, an extension) is not one number. */
const PHONE_CELL = /^\+?[\d\s().\-/]+$/;
const MAX_PHONE_CHARS = 32;

/** The tenant's default country as libphonenumber-js takes it, or a RangeError (a caller's bug, not a file's). */
export function phoneCountry(defaultCountry: string): CountryCode {
  const upper = defaultCountry.toUpperCase();
  if (!isSupportedCountry(upper))
    throw new RangeError(`default country "${defaultCountry}" is not an ISO 3166 country code`);
  return upper;
}

/**
 * A recipient's number from one cell of a recipients file: E.164 (`+14155550123`, separators
 * allowed), or a national number read in `defaultCountry` (`(415) 555-0123` in the US, `030 123456`
 * in Germany), or dialled with the default country's international prefix (`011 44 ...` from the
 * US, `0044 ...` from Europe). Read with libphonenumber-js (min metadata) as the workflow's phone
 * reader reads answers: a number valid for its country, or, for numbers in ranges the metadata
 * does not know yet (new area codes, ranges reserved for fiction), one of a possible length with at
 * least 10 digits and, in North America, an area code and exchange that do not start with 0 or 1.
 * Unlike a customer's free-text answer, the cell must hold the number and nothing else.
 */
export function readRecipientPhone(cell: string, defaultCountry: CountryCode): RecipientPhone {
  const written = cell.trim();
  if (written === '') return { ok: false, reason: 'no phone number' };
  if (written.length > MAX_PHONE_CHARS || !PHONE_CELL.test(written) || !/\d/.test(written))
    return { ok: false, reason: `not a phone number: ${maskPhone(written.slice(0, MAX_PHONE_CHARS))}` };
  const number = parsePhoneNumberFromString(written, defaultCountry);
  if (number && isE164(number.number)) {
    const nanpShaped = number.countryCallingCode !== '1' || /^[2-9]\d{2}[2-9]/.test(number.nationalNumber);
    const digits = number.number.length - 1;
    if (number.isValid() || (number.isPossible() && digits >= 10 && nanpShaped))
      return { ok: true, phone: number.number, ...(number.country ? { country: number.country } : {}) };
  }
  return {
    ok: false,
    reason: `not a valid phone number for ${defaultCountry} or in E.164 (+ and country code): ${maskPhone(written)}`,
  };
}
