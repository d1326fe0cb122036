/**
 * Wall-clock time in IANA time zones with nothing but Intl: what a clock on the wall shows at an
 * instant, and the instant at which it shows a given time. A wall-clock time is carried as the
 * epoch milliseconds of the same date and time read as UTC ("wall ms"), so wall times compare and
 * add like numbers (a day later is + DAY_MS whatever the zone does that day).
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Building a formatter costs tens of microseconds, formatting one instant a few: one per zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      // h23: midnight is 00, never 24 (hour12: false gives 24 on some ICU versions).
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** An IANA time zone name (or an alias) this runtime knows, such as `America/New_York`. */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.trim() === '' || timeZone.length > 64) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time in `timeZone` at `instantMs`, as wall ms (see above). */
export function wallClockMs(instantMs: number, timeZone: string): number {
  const fields: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of formatterFor(timeZone).formatToParts(instantMs)) fields[part.type] = part.value;
  const year = Number(fields.year);
  const wall = Date.UTC(
    fields.era === 'BC' ? 1 - year : year,
    Number(fields.month) - 1,
    Number(fields.day),
    Number(fields.hour),
    Number(fields.minute),
    Number(fields.second),
  );
  // Intl drops the milliseconds; time zone offsets are whole seconds.
  const millis = ((instantMs % 1000) + 1000) % 1000;
  return wall + millis;
}

/** The zone's offset from UTC at `instantMs` (positive east of Greenwich). */
export function offsetMs(instantMs: number, timeZone: string): number {
  return wallClockMs(instantMs, timeZone) - instantMs;
}

/** Minutes since local midnight (0-1439) on the wall clock at `instantMs`. */
export function minuteOfDay(instantMs: number, timeZone: string): number {
  const wall = wallClockMs(instantMs, timeZone);
  return Math.floor((((wall % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
}

/** Local midnight of the wall-clock date at `instantMs`, as wall ms. */
export function wallMidnightMs(instantMs: number, timeZone: string): number {
  const wall = wallClockMs(instantMs, timeZone);
  return wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS);
}

/**
 * The earliest instant at or after `fromMs` at which the wall clock shows `wallMs` or later: the
 * instant itself when that wall time exists (the first of two when a clock set back repeats it),
 * else the moment the clock jumps over it (a clock set forward skips it).
 *
 * Assumes at most one offset change between `fromMs` and the answer, which holds for answers a
 * day or so ahead everywhere; callers check the answer (quiet hours re-check it and go on).
 */
export function firstInstantAtWallTime(fromMs: number, wallMs: number, timeZone: string): number {
  if (wallClockMs(fromMs, timeZone) >= wallMs) return fromMs;
  // The offset now is the offset then unless a change falls in between: try it, then the offset
  // at that guess.
  const guess = wallMs - offsetMs(fromMs, timeZone);
  if (guess >= fromMs && wallClockMs(guess, timeZone) === wallMs) return guess;
  const second = wallMs - offsetMs(guess, timeZone);
  if (second >= fromMs && wallClockMs(second, timeZone) === wallMs) return second;
  // The wall time is skipped: the answer is the jump, between the two guesses. Bisect to it.
  let low = Math.max(fromMs, Math.min(guess, second));
  let high = Math.max(guess, second);
  if (wallClockMs(high, timeZone) < wallMs || wallClockMs(low, timeZone) >= wallMs)
    return Math.max(high, fromMs);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (wallClockMs(middle, timeZone) >= wallMs) high = middle;
    else low = middle;
  }
  return high;
}
