/** Timestamps in the formats Twilio uses on the wire. */

/** RFC 2822 in GMT as the REST API prints it: `Thu, 24 Aug 2023 05:01:45 +0000`. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** `RawDlrDoneDate` of status callbacks: the carrier's delivery report time, `YYMMDDhhmm` in UTC. */
export function rawDlrDoneDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    two(date.getUTCFullYear() % 100) +
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes())
  );
}
