import { DAY_MS, firstInstantAtWallTime, minuteOfDay, MINUTE_MS, wallMidnightMs } from './wall-clock';

/**
 * Quiet hours: the part of each day, on the recipient's own wall clock, in which a campaign sends
 * nothing (`--quiet-hours 21:00-08:00`: nothing from 21:00 until 08:00). A send that falls inside
 * waits for the window to open.
 */
export interface QuietHours {
  /** Minutes after midnight the quiet time starts (inclusive), 0-1439. */
  readonly startMinute: number;
  /** Minutes after midnight the quiet time ends (exclusive), 1-1440; below `startMinute` when it wraps midnight. */
  readonly endMinute: number;
}

/**
 * The least sending time a day must keep. A daylight-saving change removes up to an hour from a
 * day; with two hours left, every day still has time to send, so a send never waits more than a
 * day and an hour (a one-hour window could vanish on the day the clocks go forward).
 */
export const MIN_SENDING_MINUTES_PER_DAY = 120;

const WINDOW = /^\s*([01]\d|2[0-3]):([0-5]\d)\s*[-–]\s*(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))\s*$/;

export type ParsedQuietHours = { ok: true; quietHours: QuietHours } | { ok: false; reason: string };

function formatMinutes(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/**
 * Reads `HH:MM-HH:MM` (24-hour clock; the end may be `24:00`; a window may wrap midnight). Refused:
 * anything else, a window whose start and end are the same (no length), and a window that leaves
 * less than MIN_SENDING_MINUTES_PER_DAY to send (e.g. `00:00-24:00`, `08:00-07:00`).
 */
export function parseQuietHours(text: string): ParsedQuietHours {
  const match = WINDOW.exec(text);
  if (!match)
    return {
      ok: false,
      reason: `quiet hours "${text.slice(0, 40)}" must be HH:MM-HH:MM on a 24-hour clock, such as 21:00-08:00`,
    };
  const startMinute = Number(match[1]) * 60 + Number(match[2]);
  const endMinute =
    match[5] !== undefined ? 24 * 60 : Number(match[3] as string) * 60 + Number(match[4] as string);
  const quietMinutes =
    endMinute === 24 * 60 ? endMinute - startMinute : (endMinute - startMinute + 1440) % 1440;
  if (quietMinutes === 0)
    return {
      ok: false,
      reason: 'quiet hours start and end at the same time: leave quiet hours out to send at any time',
    };
  const sendingMinutes = 24 * 60 - quietMinutes;
  if (sendingMinutes < MIN_SENDING_MINUTES_PER_DAY)
    return {
      ok: false,
      reason:
        `quiet hours ${text.trim()} leave ${formatMinutes(sendingMinutes)} a day to send: ` +
        `the window must leave at least ${formatMinutes(MIN_SENDING_MINUTES_PER_DAY)}`,
    };
  return { ok: true, quietHours: { startMinute, endMinute } };
}

/** `HH:MM-HH:MM`, as parseQuietHours reads it (for storing and showing a campaign). */
export function formatQuietHours(quietHours: QuietHours): string {
  const clock = (minutes: number) =>
    `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return `${clock(quietHours.startMinute)}-${clock(quietHours.endMinute)}`;
}

function isQuietMinute(minute: number, { startMinute, endMinute }: QuietHours): boolean {
  return startMinute < endMinute
    ? minute >= startMinute && minute < endMinute
    : minute >= startMinute || minute < endMinute;
}

/** Is the wall clock in `timeZone` inside the quiet hours at `at`? */
export function isQuietAt(at: Date, quietHours: QuietHours, timeZone: string): boolean {
  return isQuietMinute(minuteOfDay(at.getTime(), timeZone), quietHours);
}

/**
 * Time-zone transitions can land the first guess in quiet time again (a clock set back repeats an
 * hour; Samoa skipped a whole day in 2011); each retry starts from the previous answer.
 */
const MAX_ROUNDS = 4;

/**
 * When a send due at `now` may go to a recipient whose clock is in `timeZone`: `now` when it is
 * outside the quiet hours there, else the instant the quiet hours end on that clock (the first
 * instant the clock shows the end time, or, on a day the clocks jump over it, the instant of the
 * jump). Never before `now`, never inside the quiet hours, and at most a day and an hour later.
 * `quietHours` undefined: always `now`.
 */
export function nextAllowedSendTime(now: Date, quietHours: QuietHours | undefined, timeZone: string): Date {
  if (!quietHours) return now;
  let at = now.getTime();
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const minute = minuteOfDay(at, timeZone);
    if (!isQuietMinute(minute, quietHours)) return new Date(at);
    // Quiet until the end time today, or tomorrow when the window wrapped midnight before now.
    const endsTomorrow = quietHours.startMinute > quietHours.endMinute && minute >= quietHours.startMinute;
    const endWallMs =
      wallMidnightMs(at, timeZone) + (endsTomorrow ? DAY_MS : 0) + quietHours.endMinute * MINUTE_MS;
    at = firstInstantAtWallTime(at, endWallMs, timeZone);
  }
  return new Date(at);
}
