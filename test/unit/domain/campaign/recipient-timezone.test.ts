import { describe, expect, it } from 'vitest';
import {
  countryOfPhone,
  countryTimeZone,
  resolveRecipientTimeZone,
} from '../../../../lambdas/domain/campaign/recipient-timezone';

const NOW = new Date('2026-06-10T12:00:00Z');

describe('countryTimeZone', () => {
  it.each([
    ['FR', 'Europe/Paris'],
    ['GB', 'Europe/London'],
    ['JP', 'Asia/Tokyo'],
    ['ZA', 'Africa/Johannesburg'],
    // Busingen keeps Berlin's time: one clock for the whole country.
    ['DE', 'Europe/Berlin'],
  ])('%s keeps one time: %s', (country, zone) => {
    expect(countryTimeZone(country, NOW)).toBe(zone);
  });

  it('gives India its zone under whichever name the runtime uses', () => {
    expect(['Asia/Kolkata', 'Asia/Calcutta']).toContain(countryTimeZone('IN', NOW));
  });

  it.each(['US', 'CA', 'BR', 'RU', 'AU', 'MX', 'ES', 'PT', 'CN', 'NZ'])(
    '%s spans zones that differ: none is certain',
    (country) => {
      expect(countryTimeZone(country, NOW)).toBeUndefined();
    },
  );

  it('knows nothing of codes that are not countries', () => {
    expect(countryTimeZone('ZZ', NOW)).toBeUndefined();
    expect(countryTimeZone('fr', NOW)).toBeUndefined();
    expect(countryTimeZone('FRA', NOW)).toBeUndefined();
  });
});

describe('countryOfPhone', () => {
  it('reads the country from the numbering plan, US and Canada apart', () => {
    expect(countryOfPhone('+14155550123')).toBe('US');
    expect(countryOfPhone('+16135550123')).toBe('CA');
    expect(countryOfPhone('+33612345678')).toBe('FR');
    expect(countryOfPhone('+81312345678')).toBe('JP');
    expect(countryOfPhone('not a number')).toBeUndefined();
  });
});

describe('resolveRecipientTimeZone', () => {
  const TENANT = 'America/Chicago';

  it('takes the recipient’s own zone first', () => {
    expect(resolveRecipientTimeZone({ timezone: 'Asia/Tokyo', phone: '+33612345678' }, TENANT, NOW)).toEqual({
      timeZone: 'Asia/Tokyo',
      source: 'recipient',
    });
  });

  it('then the zone of a country that keeps one time, from the country given or the number', () => {
    expect(resolveRecipientTimeZone({ country: 'FR' }, TENANT, NOW)).toEqual({
      timeZone: 'Europe/Paris',
      source: 'country',
    });
    expect(resolveRecipientTimeZone({ phone: '+442071838750' }, TENANT, NOW)).toEqual({
      timeZone: 'Europe/London',
      source: 'country',
    });
    // An unknown zone in the column is passed over, not trusted.
    expect(resolveRecipientTimeZone({ timezone: 'Mars/Base', phone: '+33612345678' }, TENANT, NOW)).toEqual({
      timeZone: 'Europe/Paris',
      source: 'country',
    });
  });

  it('else the tenant’s zone: US and Canadian numbers, numbers of no country', () => {
    expect(resolveRecipientTimeZone({ phone: '+14155550123' }, TENANT, NOW)).toEqual({
      timeZone: TENANT,
      source: 'tenant',
    });
    expect(resolveRecipientTimeZone({ country: 'CA' }, TENANT, NOW).source).toBe('tenant');
    expect(resolveRecipientTimeZone({}, TENANT, NOW).source).toBe('tenant');
  });

  it('refuses a tenant zone that is not one (a caller’s bug)', () => {
    expect(() => resolveRecipientTimeZone({ phone: '+14155550123' }, 'Central', NOW)).toThrow(RangeError);
  });
});
