import { createHash } from 'node:crypto';

/**
 * Data on request (issue #18): a tenant's retention, what belongs to a tenant when it is deleted,
 * and the hashed suppression that keeps an erased customer's opt-out. Pure: no AWS imports.
 */

/** Retention of a tenant's traffic (transcripts, conversations, sends, messages), in days. */
export const DEFAULT_RETENTION_DAYS = 90;
export const RETENTION_DAYS_RANGE = { min: 1, max: 3650 } as const;

export function isValidRetentionDays(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= RETENTION_DAYS_RANGE.min &&
    value <= RETENTION_DAYS_RANGE.max
  );
}

/** `--retention-days N`: a whole number of days within RETENTION_DAYS_RANGE. */
export function parseRetentionDays(text: string): { ok: true; days: number } | { ok: false; reason: string } {
  const trimmed = text.trim();
  const days = /^\d{1,5}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!isValidRetentionDays(days))
    return {
      ok: false,
      reason: `must be a whole number of days from ${RETENTION_DAYS_RANGE.min} to ${RETENTION_DAYS_RANGE.max}, not "${text}"`,
    };
  return { ok: true, days };
}

/** The retention a profile item says (a stored value out of range is ignored: the default applies). */
export function retentionDaysOf(profile: Readonly<Record<string, unknown>> | undefined): number | undefined {
  const value = profile?.retentionDays;
  return isValidRetentionDays(value) ? value : undefined;
}

/**
 * Which tenant an item of the single table belongs to, by its key or its `tenantId` attribute.
 * Tenant-scoped partitions are `KIND#<tenant>` or `KIND#<tenant>#…` (TENANT#, CONV#, OPTOUT#,
 * IDEMPOTENCY#, CAMPAIGN#, CAMPAIGNS#, WEBHOOK#, and any kind added later the same way); items
 * keyed by something else (MESSAGE#<sid>, NUMBEROWNER#<number>) carry `tenantId`. Tenant ids are
 * `[a-z0-9-]`, so they never equal a SID (`SM…`) or a number (`+…`) in the same place.
 */
export function itemBelongsToTenant(item: Readonly<Record<string, unknown>>, tenantId: string): boolean {
  if (item.tenantId === tenantId) return true;
  const pk = typeof item.pk === 'string' ? item.pk : '';
  return pk.split('#')[1] === tenantId;
}

/** Report names for the kinds of items a tenant delete removes. */
const PARTITION_KINDS: Readonly<Record<string, string | Readonly<Record<string, string>>>> = {
  TENANT: {
    PROFILE: 'profile',
    NUMBER: 'numbers',
    WORKFLOW: 'workflows',
    POOL: 'pools',
    EVENTSUB: 'eventSubscriptions',
  },
  HANDOFFS: 'handoffListings',
  CONV: { STATE: 'conversations', MSG: 'transcriptEntries', LANG: 'languagePreferences' },
  MESSAGE: { META: 'messages', EVENT: 'messageEvents' },
  OPTOUT: 'optOuts',
  IDEMPOTENCY: 'idempotencyKeys',
  CAMPAIGN: { META: 'campaigns', R: 'campaignRecipients', DUE: 'campaignDueRecipients' },
  CAMPAIGNS: 'campaignListEntries',
  WEBHOOK: 'webhookDeliveries',
  NUMBEROWNER: 'numberOwners',
  LLMUSAGE: 'understandingUsage',
};

/**
 * The report name of an item's kind: `numbers`, `transcriptEntries`, … For a kind this list does
 * not know (one added later), `<partition kind>[:<sort key kind>]` in lower case, so a report still
 * says what was removed (never a phone number or time from a key).
 */
export function itemKind(item: Readonly<Record<string, unknown>>): string {
  const pkKind = String(item.pk ?? '').split('#')[0] ?? '';
  const skKind = String(item.sk ?? '').split('#')[0] ?? '';
  const known = Object.hasOwn(PARTITION_KINDS, pkKind) ? PARTITION_KINDS[pkKind] : undefined;
  if (typeof known === 'string') return known;
  if (known && Object.hasOwn(known, skKind)) return known[skKind] as string;
  // A sort key that is not a kind word (a number, a time) must not name a kind of its own.
  return (/^[A-Z][A-Z_]*$/.test(skKind) ? `${pkKind}:${skKind}` : pkKind).toLowerCase();
}

/** Adds one item of `kind` to a report's counts. */
export function countKind(counts: Record<string, number>, kind: string, by = 1): void {
  counts[kind] = (counts[kind] ?? 0) + by;
}

/**
 * The suppression an erased customer's opt-out becomes: SHA-256 over a version tag, the tenant and
 * the number, so the number is not kept in clear, the same number hashes differently per tenant
 * (no joining across tenants, no generic precomputed table), and the sender and the turn can check
 * it with no key to fetch. Not a keyed hash: anyone who can read the table and enumerate phone
 * numbers can test a guess (docs/operations.md, "Customer erase", explains the choice).
 */
export function suppressionHash(tenantId: string, customer: string): string {
  return createHash('sha256').update(`sms-suppression-v1\u0000${tenantId}\u0000${customer}`).digest('hex');
}

/**
 * `--since`: an ISO 8601 time with a date (a bare date means its midnight UTC), normalised to the
 * form transcript keys start with (Date#toISOString), so it compares with them as text.
 */
export function parseSince(text: string): { ok: true; iso: string } | { ok: false; reason: string } {
  // A time of day needs its zone: without one, Date.parse would read it in the machine's zone.
  const match = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(text);
  const ms = match ? Date.parse(text) : Number.NaN;
  // Date.parse rolls 2026-02-30 over into March: the day must read back the same.
  const sameDay =
    match !== null &&
    Number.isFinite(ms) &&
    (match[2] !== undefined || new Date(ms).toISOString().startsWith(match[1] as string));
  if (!sameDay)
    return {
      ok: false,
      reason: `"${text}" is not an ISO 8601 date or time with a zone (e.g. 2026-12-01 or 2026-12-01T09:30:00Z)`,
    };
  return { ok: true, iso: new Date(ms).toISOString() };
}
