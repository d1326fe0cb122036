/** How the console writes times, rates and statuses: as words and numbers, never colour alone. */

export function clockTime(value: string | number): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleTimeString('en-GB', { hour12: false });
}

/** Milliseconds shown too: a message's statuses often change within one second locally. */
export function preciseTime(value: string | number): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${clockTime(value)}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

export function percent(rate: number | null): string {
  return rate === null ? 'no outcomes yet' : `${(rate * 100).toFixed(1)} %`;
}

const GOOD = new Set(['delivered', 'read']);
const BAD = new Set(['undelivered', 'failed', 'canceled']);

/** A CSS class that repeats what the status word already says. */
export function statusTone(status: string): string {
  if (GOOD.has(status)) return 'good';
  if (BAD.has(status)) return 'bad';
  return 'pending';
}

/** `pending`: the reply is queued for the sender, Twilio has not seen it yet. */
export function statusWord(status: string): string {
  return status === 'pending' ? 'waiting to send' : status;
}

/** Today's times as a clock; another day's with its date (a campaign may start tomorrow). */
export function dayAndTime(value: string | number): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  if (date.toDateString() === new Date().toDateString()) return clockTime(value);
  return `${date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })} ${clockTime(value)}`;
}
