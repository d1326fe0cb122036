import { describe, expect, it } from 'vitest';
import { phoneCountry, readRecipientPhone } from '../../../../lambdas/domain/campaign/recipient-phone';

const US = phoneCountry('US');
const DE = phoneCountry('de');

describe('readRecipientPhone', () => {
  it.each([
    ['+14155550123', US, '+14155550123', 'US'],
    ['+1 (415) 555-0123', US, '+14155550123', 'US'],
    ['(415) 555-0123', US, '+14155550123', 'US'],
    ['415.555.0123', US, '+14155550123', 'US'],
    ['011 44 20 7183 8750', US, '+442071838750', 'GB'],
    ['030 123456', DE, '+4930123456', 'DE'],
    ['0044 20 7183 8750', DE, '+442071838750', 'GB'],
    ['+16135550123', DE, '+16135550123', 'CA'],
    // Twilio's test numbers.
    ['+15005550006', US, '+15005550006', 'US'],
  ])('reads %s (default %s) as %s', (cell, country, phone, numberCountry) => {
    expect(readRecipientPhone(cell, country)).toEqual({ ok: true, phone, country: numberCountry });
  });

  it('accepts a number of a possible length in a range the metadata does not know, as the phone reader does', () => {
    expect(readRecipientPhone('+447700900123', US)).toEqual({
      ok: true,
      phone: '+447700900123',
      country: undefined,
    });
  });

  it.each([
    ['', /^no phone number$/],
    ['   ', /^no phone number$/],
    ['call 4155550123', /^not a phone number/],
    ['415-555-0123 ext 4', /^not a phone number/],
    ['+1-800-FLOWERS', /^not a phone number/],
    ['()-', /^not a phone number/],
    ['12345', /^not a valid phone number for US/],
    ['+1415555', /^not a valid phone number for US/],
    ['+1 055 555 0123', /^not a valid phone number for US/],
    ['1'.repeat(40), /^not a phone number/],
  ])('refuses %j', (cell, reason) => {
    const read = readRecipientPhone(cell, US);
    expect(read.ok).toBe(false);
    if (!read.ok) {
      expect(read.reason).toMatch(reason);
      expect(read.reason).not.toMatch(/\d{5,}/);
    }
  });

  it('refuses a default country libphonenumber does not know (a caller’s bug)', () => {
    expect(() => phoneCountry('XX')).toThrow(RangeError);
    expect(() => phoneCountry('USA')).toThrow(RangeError);
  });
});
