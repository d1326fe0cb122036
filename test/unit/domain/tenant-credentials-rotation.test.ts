import { describe, expect, it } from 'vitest';
import type { TenantTwilioCredentials } from '../../../lambdas/domain/tenant';
import {
  acceptedToken,
  DEFAULT_PREVIOUS_TOKEN_GRACE_MS,
  parseGraceDuration,
  usablePreviousToken,
  withRotation,
} from '../../../lambdas/domain/tenant-credentials-rotation';

const NOW = new Date('2026-11-22T12:00:00.000Z');
const ACCOUNT = `AC${'d'.repeat(32)}`;
const OLD = 'old-token-0123456789abcdef012345';
const NEW = 'new-token-0123456789abcdef012345';
const at = (ms: number) => new Date(NOW.getTime() + ms);
const HOUR = 3600_000;

const rotated: TenantTwilioCredentials = {
  accountSid: ACCOUNT,
  authToken: NEW,
  previousAuthToken: OLD,
  previousAuthTokenValidUntil: at(HOUR).toISOString(),
};

/** A signature check that accepts exactly one token, recording which tokens it was asked about. */
function signedWith(token: string) {
  const asked: string[] = [];
  return { asked, verify: (candidate: string) => (asked.push(candidate), candidate === token) };
}

describe('acceptedToken', () => {
  it('accepts the current token with one check', () => {
    const check = signedWith(NEW);
    expect(acceptedToken(rotated, NOW, check.verify)).toBe('current');
    expect(check.asked).toEqual([NEW]);
  });

  it('accepts the previous token within its grace', () => {
    expect(acceptedToken(rotated, NOW, signedWith(OLD).verify)).toBe('previous');
  });

  it.each([
    ['1 ms before the deadline', HOUR - 1, 'previous'],
    ['at the deadline', HOUR, undefined],
    ['after the deadline', HOUR + 1, undefined],
  ] as const)('the previous token %s: %s', (_name, offset, expected) => {
    expect(acceptedToken(rotated, at(offset), signedWith(OLD).verify)).toBe(expected);
  });

  it('refuses any other token, and never checks an expired previous one', () => {
    expect(acceptedToken(rotated, NOW, signedWith('forged').verify)).toBeUndefined();
    const check = signedWith('forged');
    acceptedToken(rotated, at(2 * HOUR), check.verify);
    expect(check.asked).toEqual([NEW]);
  });

  it.each([
    ['no deadline', { previousAuthTokenValidUntil: undefined }],
    [
      'a deadline without a zone (local time is ambiguous)',
      { previousAuthTokenValidUntil: '2026-11-23T12:00:00' },
    ],
    ['a date-only deadline', { previousAuthTokenValidUntil: '2026-11-23' }],
    ['an unreadable deadline', { previousAuthTokenValidUntil: 'tomorrow' }],
    ['an impossible date', { previousAuthTokenValidUntil: '2026-13-45T99:00:00Z' }],
    ['an empty previous token', { previousAuthToken: '' }],
  ])('fails closed on %s', (_name, change) => {
    expect(acceptedToken({ ...rotated, ...change }, NOW, signedWith(OLD).verify)).toBeUndefined();
  });

  it('accepts a deadline with an offset', () => {
    const credentials = { ...rotated, previousAuthTokenValidUntil: '2026-11-22T13:00:00+01:00' };
    expect(usablePreviousToken(credentials, at(-1))).toBe(OLD);
    expect(usablePreviousToken(credentials, NOW)).toBeUndefined();
  });
});

describe('withRotation (what tenant put stores)', () => {
  const existing: TenantTwilioCredentials = {
    accountSid: ACCOUNT,
    authToken: OLD,
    messagingServiceSid: `MG${'1'.repeat(32)}`,
  };

  it('a new tenant has no previous token', () => {
    expect(withRotation(undefined, { accountSid: ACCOUNT, authToken: NEW }, { now: NOW })).toEqual({
      accountSid: ACCOUNT,
      authToken: NEW,
    });
  });

  it('a new token keeps the replaced one for 24 h by default', () => {
    expect(withRotation(existing, { ...existing, authToken: NEW }, { now: NOW })).toEqual({
      ...existing,
      authToken: NEW,
      previousAuthToken: OLD,
      previousAuthTokenValidUntil: at(DEFAULT_PREVIOUS_TOKEN_GRACE_MS).toISOString(),
    });
    expect(DEFAULT_PREVIOUS_TOKEN_GRACE_MS).toBe(24 * HOUR);
  });

  it('a given grace sets the deadline; 0 keeps no previous token (the old one leaked)', () => {
    expect(
      withRotation(existing, { ...existing, authToken: NEW }, { now: NOW, graceMs: HOUR }),
    ).toMatchObject({
      previousAuthToken: OLD,
      previousAuthTokenValidUntil: at(HOUR).toISOString(),
    });
    expect(withRotation(existing, { ...existing, authToken: NEW }, { now: NOW, graceMs: 0 })).toEqual({
      ...existing,
      authToken: NEW,
    });
  });

  it('grace 0 also revokes an earlier rotation’s previous token when the token stays', () => {
    expect(withRotation(rotated, { accountSid: ACCOUNT, authToken: NEW }, { now: NOW, graceMs: 0 })).toEqual({
      accountSid: ACCOUNT,
      authToken: NEW,
    });
  });

  it('a put that keeps the token keeps the previous one and its deadline, until it expires', () => {
    expect(withRotation(rotated, { accountSid: ACCOUNT, authToken: NEW }, { now: NOW })).toEqual(rotated);
    expect(withRotation(rotated, { accountSid: ACCOUNT, authToken: NEW }, { now: at(HOUR) })).toEqual({
      accountSid: ACCOUNT,
      authToken: NEW,
    });
  });

  it('a second rotation keeps only the token it replaces, like Twilio’s one secondary token', () => {
    const third = 'third-token-0123456789abcdef0123';
    expect(withRotation(rotated, { accountSid: ACCOUNT, authToken: third }, { now: NOW })).toEqual({
      accountSid: ACCOUNT,
      authToken: third,
      previousAuthToken: NEW,
      previousAuthTokenValidUntil: at(DEFAULT_PREVIOUS_TOKEN_GRACE_MS).toISOString(),
    });
  });

  it('a new account keeps no previous token: it would verify another account’s webhooks', () => {
    const other = `AC${'e'.repeat(32)}`;
    expect(withRotation(rotated, { accountSid: other, authToken: 'other-token' }, { now: NOW })).toEqual({
      accountSid: other,
      authToken: 'other-token',
    });
  });

  it('ignores previous-token fields in what it is given', () => {
    const given = {
      ...existing,
      previousAuthToken: 'smuggled',
      previousAuthTokenValidUntil: at(HOUR).toISOString(),
    };
    expect(withRotation(undefined, given, { now: NOW })).toEqual(existing);
  });
});

describe('parseGraceDuration (--previous-token-grace)', () => {
  it.each([
    ['0', 0],
    ['0h', 0],
    ['90s', 90_000],
    ['30m', 30 * 60_000],
    ['24h', 24 * HOUR],
    ['7d', 7 * 24 * HOUR],
  ])('reads %s', (text, ms) => {
    expect(parseGraceDuration(text)).toEqual({ ok: true, ms });
  });

  it.each([
    ['24', 'expected 0 or a duration such as 90s, 30m, 24h or 2d'],
    ['-1h', 'expected 0 or a duration such as 90s, 30m, 24h or 2d'],
    ['1.5h', 'expected 0 or a duration such as 90s, 30m, 24h or 2d'],
    ['24 hours', 'expected 0 or a duration such as 90s, 30m, 24h or 2d'],
    ['', 'expected 0 or a duration such as 90s, 30m, 24h or 2d'],
    ['8d', 'at most 7d'],
    ['24d', 'at most 7d'],
  ])('refuses %s', (text, reason) => {
    expect(parseGraceDuration(text)).toEqual({ ok: false, reason });
  });
});
