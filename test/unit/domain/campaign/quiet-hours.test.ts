import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatQuietHours,
  isQuietAt,
  MIN_SENDING_MINUTES_PER_DAY,
  nextAllowedSendTime,
  parseQuietHours,
  type QuietHours,
} from '../../../../lambdas/domain/campaign/quiet-hours';
import {
  firstInstantAtWallTime,
  isValidTimeZone,
  minuteOfDay,
  offsetMs,
  wallClockMs,
} from '../../../../lambdas/domain/campaign/wall-clock';

const HOUR = 3_600_000;

function window(text: string): QuietHours {
  const parsed = parseQuietHours(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.quietHours;
}

describe('parseQuietHours', () => {
  it.each([
    ['21:00-08:00', { startMinute: 1260, endMinute: 480 }],
    ['08:00-09:30', { startMinute: 480, endMinute: 570 }],
    [' 22:15 - 06:45 ', { startMinute: 1335, endMinute: 405 }],
    ['20:00–24:00', { startMinute: 1200, endMinute: 1440 }],
    ['00:00-07:00', { startMinute: 0, endMinute: 420 }],
    ['23:59-00:00', { startMinute: 1439, endMinute: 0 }],
  ])('reads %s', (text, quietHours) => {
    expect(parseQuietHours(text)).toEqual({ ok: true, quietHours });
  });

  it.each([
    ['9-17', /HH:MM-HH:MM/],
    ['21:00', /HH:MM-HH:MM/],
    ['24:00-08:00', /HH:MM-HH:MM/],
    ['21:60-08:00', /HH:MM-HH:MM/],
    ['9:00-17:00', /HH:MM-HH:MM/],
    ['21:00-08:00-09:00', /HH:MM-HH:MM/],
    ['08:00-08:00', /same time/],
    ['00:00-00:00', /same time/],
    ['00:00-24:00', /leave 0 h a day to send: the window must leave at least 2 h/],
    ['00:00-23:59', /leave 0 h 1 min a day/],
    ['08:00-07:00', /leave 1 h a day/],
    ['09:00-07:01', /leave 1 h 59 min a day/],
  ])('refuses %s', (text, reason) => {
    const parsed = parseQuietHours(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('accepts a window that leaves exactly the minimum', () => {
    expect(parseQuietHours('09:00-07:00').ok).toBe(true);
    expect(MIN_SENDING_MINUTES_PER_DAY).toBe(120);
  });

  it('formats a window back to what it reads', () => {
    for (const text of ['21:00-08:00', '08:05-09:30', '20:00-24:00', '23:59-00:00'])
      expect(formatQuietHours(window(text))).toBe(text);
  });
});

describe('wall clock', () => {
  it('reads the wall clock and offset in a zone, with and without summer time', () => {
    const winter = Date.parse('2026-01-15T12:00:00Z');
    const summer = Date.parse('2026-07-15T12:00:00Z');
    expect(offsetMs(winter, 'America/New_York')).toBe(-5 * HOUR);
    expect(offsetMs(summer, 'America/New_York')).toBe(-4 * HOUR);
    expect(offsetMs(summer, 'Asia/Kolkata')).toBe(5.5 * HOUR);
    expect(wallClockMs(winter + 123, 'Europe/Paris')).toBe(Date.parse('2026-01-15T13:00:00.123Z'));
    expect(minuteOfDay(Date.parse('2026-01-15T23:30:00Z'), 'Europe/Paris')).toBe(30);
  });

  it('knows IANA zones and refuses others', () => {
    expect(isValidTimeZone('America/New_York')).toBe(true);
    expect(isValidTimeZone('Asia/Calcutta')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('EST5EDT,M3.2.0,M11.1.0')).toBe(false);
  });

  it('finds the first instant of a wall time, the jump over a skipped one, the first of a repeated one', () => {
    const zone = 'America/New_York';
    // 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00Z); 02:30 does not exist.
    const beforeSpring = Date.parse('2026-03-08T05:00:00Z');
    expect(firstInstantAtWallTime(beforeSpring, Date.parse('2026-03-08T02:30:00Z'), zone)).toBe(
      Date.parse('2026-03-08T07:00:00Z'),
    );
    expect(firstInstantAtWallTime(beforeSpring, Date.parse('2026-03-08T04:00:00Z'), zone)).toBe(
      Date.parse('2026-03-08T08:00:00Z'),
    );
    // 2026-11-01: 02:00 EDT becomes 01:00 EST (06:00Z); 01:30 happens twice.
    const beforeAutumn = Date.parse('2026-11-01T04:00:00Z');
    expect(firstInstantAtWallTime(beforeAutumn, Date.parse('2026-11-01T01:30:00Z'), zone)).toBe(
      Date.parse('2026-11-01T05:30:00Z'),
    );
    const betweenTheTwo = Date.parse('2026-11-01T06:10:00Z');
    expect(firstInstantAtWallTime(betweenTheTwo, Date.parse('2026-11-01T01:30:00Z'), zone)).toBe(
      Date.parse('2026-11-01T06:30:00Z'),
    );
    expect(firstInstantAtWallTime(beforeAutumn, Date.parse('2026-11-01T03:00:00Z'), zone)).toBe(
      Date.parse('2026-11-01T08:00:00Z'),
    );
  });
});

describe('nextAllowedSendTime', () => {
  const quiet = window('21:00-08:00');

  it('sends now outside quiet hours, and without quiet hours', () => {
    const noon = new Date('2026-06-10T16:00:00Z'); // 12:00 in New York
    expect(nextAllowedSendTime(noon, quiet, 'America/New_York')).toEqual(noon);
    expect(nextAllowedSendTime(noon, undefined, 'America/New_York')).toEqual(noon);
    const justBefore = new Date('2026-06-11T00:59:59.999Z'); // 20:59:59.999 in New York
    expect(nextAllowedSendTime(justBefore, quiet, 'America/New_York')).toEqual(justBefore);
  });

  it('waits for the window to open on the recipient’s clock, that night or the same morning', () => {
    // 22:00 in New York: opens at 08:00 the next morning.
    expect(nextAllowedSendTime(new Date('2026-06-11T02:00:00Z'), quiet, 'America/New_York')).toEqual(
      new Date('2026-06-11T12:00:00Z'),
    );
    // 03:00 in New York: opens at 08:00 that morning.
    expect(nextAllowedSendTime(new Date('2026-06-11T07:00:00Z'), quiet, 'America/New_York')).toEqual(
      new Date('2026-06-11T12:00:00Z'),
    );
    // The same instant is 09:00 in Tokyo: send now there.
    const instant = new Date('2026-06-11T00:00:00Z');
    expect(nextAllowedSendTime(instant, quiet, 'Asia/Tokyo')).toEqual(instant);
    // Exactly 21:00: quiet.
    expect(isQuietAt(new Date('2026-06-11T01:00:00Z'), quiet, 'America/New_York')).toBe(true);
  });

  it('handles a window that does not wrap midnight and one that ends at 24:00', () => {
    const lunch = window('12:00-14:00');
    expect(nextAllowedSendTime(new Date('2026-06-10T12:30:00Z'), lunch, 'Europe/London')).toEqual(
      new Date('2026-06-10T13:00:00Z'),
    );
    const evening = window('20:00-24:00');
    expect(nextAllowedSendTime(new Date('2026-01-10T21:00:00Z'), evening, 'UTC')).toEqual(
      new Date('2026-01-11T00:00:00Z'),
    );
  });

  it('counts the morning the clocks go forward or back as the recipient’s clock does', () => {
    const zone = 'America/New_York';
    // 2026-03-08 at 01:00 EST, quiet until 08:00 EDT: 6 hours, not 7.
    expect(nextAllowedSendTime(new Date('2026-03-08T06:00:00Z'), quiet, zone)).toEqual(
      new Date('2026-03-08T12:00:00Z'),
    );
    // 2026-11-01 at 01:00 EDT, quiet until 08:00 EST: 8 hours.
    expect(nextAllowedSendTime(new Date('2026-11-01T05:00:00Z'), quiet, zone)).toEqual(
      new Date('2026-11-01T13:00:00Z'),
    );
    // A window ending inside the hour that is skipped opens when the clock jumps over it.
    const early = window('21:00-02:30');
    expect(nextAllowedSendTime(new Date('2026-03-08T05:00:00Z'), early, zone)).toEqual(
      new Date('2026-03-08T07:00:00Z'),
    );
    // A window ending inside the hour that repeats opens at its first end; the repeat is quiet again.
    const late = window('21:00-01:30');
    expect(nextAllowedSendTime(new Date('2026-11-01T04:00:00Z'), late, zone)).toEqual(
      new Date('2026-11-01T05:30:00Z'),
    );
    expect(nextAllowedSendTime(new Date('2026-11-01T06:10:00Z'), late, zone)).toEqual(
      new Date('2026-11-01T06:30:00Z'),
    );
  });

  it('survives Samoa skipping 30 December 2011', () => {
    // 29 December 2011 at 22:00 in Apia (UTC-10) is 08:00Z on the 30th; the next local day is the 31st (UTC+14).
    expect(nextAllowedSendTime(new Date('2011-12-30T08:00:00Z'), quiet, 'Pacific/Apia').toISOString()).toBe(
      '2011-12-30T18:00:00.000Z',
    );
  });

  const zones = Intl.supportedValuesOf('timeZone');
  const minute = fc.integer({ min: 0, max: 1439 });
  const windows = fc
    .tuple(minute, fc.integer({ min: 1, max: 1440 }))
    .map(([startMinute, endMinute]) => ({ startMinute, endMinute }))
    .filter((candidate) => parseQuietHours(formatQuietHours(candidate)).ok);

  it('is never inside quiet hours, never before now, at most a day and an hour later (any zone, 2000-2040)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') }),
        fc.constantFrom(...zones),
        windows,
        (nowMs, zone, quietHours) => {
          const now = new Date(nowMs);
          const next = nextAllowedSendTime(now, quietHours, zone);
          expect(next.getTime()).toBeGreaterThanOrEqual(nowMs);
          expect(next.getTime() - nowMs).toBeLessThanOrEqual(25 * HOUR);
          expect(isQuietAt(next, quietHours, zone)).toBe(false);
          if (!isQuietAt(now, quietHours, zone)) expect(next).toEqual(now);
          // The earliest: a minute before, the clock was still quiet.
          if (next.getTime() > nowMs)
            expect(isQuietAt(new Date(Math.max(nowMs, next.getTime() - 60_000)), quietHours, zone)).toBe(
              true,
            );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('holds around every daylight-saving change of the zones that have them', () => {
    const transitions = fc
      .tuple(fc.constantFrom(...zones), fc.integer({ min: 2024, max: 2030 }), fc.integer({ min: 0, max: 11 }))
      .map(([zone, year, month]) => ({ zone, at: Date.UTC(year, month, 1) }));
    fc.assert(
      fc.property(
        transitions,
        fc.integer({ min: 0, max: 31 * 24 * 60 }),
        windows,
        ({ zone, at }, minutes, quietHours) => {
          const nowMs = at + minutes * 60_000;
          const next = nextAllowedSendTime(new Date(nowMs), quietHours, zone);
          expect(next.getTime()).toBeGreaterThanOrEqual(nowMs);
          expect(next.getTime() - nowMs).toBeLessThanOrEqual(25 * HOUR);
          expect(isQuietAt(next, quietHours, zone)).toBe(false);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('is exact around the spring-forward and fall-back hours in New York and Sydney', () => {
    for (const [zone, days] of [
      ['America/New_York', ['2026-03-08', '2026-11-01']],
      ['Australia/Sydney', ['2026-04-05', '2026-10-04']],
      ['Australia/Lord_Howe', ['2026-04-05', '2026-10-04']],
    ] as const) {
      for (const day of days) {
        const dayStart = Date.parse(`${day}T00:00:00Z`) - 14 * HOUR;
        for (let step = 0; step < 48 * 4; step += 1) {
          const nowMs = dayStart + step * 15 * 60_000;
          for (const text of ['21:00-08:00', '01:00-02:30', '02:15-03:15', '00:30-01:30']) {
            const quietHours = window(text);
            const next = nextAllowedSendTime(new Date(nowMs), quietHours, zone).getTime();
            expect(isQuietAt(new Date(next), quietHours, zone)).toBe(false);
            expect(next).toBeGreaterThanOrEqual(nowMs);
            if (next > nowMs) expect(isQuietAt(new Date(next - 1), quietHours, zone)).toBe(true);
          }
        }
      }
    }
  });
});
