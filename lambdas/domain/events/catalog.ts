/**
 * The lifecycle events a tenant can subscribe to (docs/api.md "Events"). Names follow Standard
 * Webhooks' `<resource>.<action>` convention; extend the list, never rename an entry.
 */
export const EVENT_TYPES = [
  'conversation.started',
  'conversation.completed',
  'conversation.fallback',
  'conversation.handed_off',
  'conversation.expired',
  'message.received',
  'message.sent',
  'message.delivered',
  'message.undelivered',
  'message.failed',
  'customer.opted_out',
  'customer.opted_in',
  'campaign.created',
  'campaign.started',
  'campaign.paused',
  'campaign.resumed',
  'campaign.cancelled',
  'campaign.completed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

const KNOWN: ReadonlySet<string> = new Set(EVENT_TYPES);

export function isEventType(value: string): value is EventType {
  return KNOWN.has(value);
}

/**
 * What a subscription receives: every type (`all`, also the types added later), or a list of
 * exact types and `<resource>.*` patterns (`campaign.*`: every campaign event, also later ones).
 */
export type EventTypeFilter = 'all' | readonly string[];

const RESOURCES: ReadonlySet<string> = new Set(EVENT_TYPES.map((type) => type.split('.')[0] ?? ''));

export type ParsedTypeFilter =
  { readonly ok: true; readonly filter: EventTypeFilter } | { readonly ok: false; readonly error: string };

/**
 * `--types` as given: `all`, or comma-separated types and `<resource>.*` patterns. Spaces around
 * entries are ignored, duplicates dropped, order kept; an unknown entry is an error naming it.
 */
export function parseEventTypeFilter(raw: string | undefined): ParsedTypeFilter {
  if (raw === undefined || raw.trim() === 'all') return { ok: true, filter: 'all' };
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return { ok: false, error: '--types needs at least one event type, or all' };
  const unknown = entries.filter((entry) => !isTypeOrPattern(entry));
  if (unknown.length > 0) {
    return {
      ok: false,
      error: `unknown event type${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${EVENT_TYPES.join(', ')}, a <resource>.* pattern, or all)`,
    };
  }
  if (entries.includes('all')) return { ok: true, filter: 'all' };
  return { ok: true, filter: [...new Set(entries)] };
}

function isTypeOrPattern(entry: string): boolean {
  if (entry === 'all' || isEventType(entry)) return true;
  const match = /^([a-z]+)\.\*$/.exec(entry);
  return match !== null && RESOURCES.has(match[1] ?? '');
}

export function filterMatches(filter: EventTypeFilter, type: string): boolean {
  if (filter === 'all') return true;
  return filter.some(
    (entry) => entry === type || (entry.endsWith('.*') && type.startsWith(entry.slice(0, -1))),
  );
}

/** The stored form of a filter (DynamoDB list or `all`), read back leniently. */
export function filterFromStored(value: unknown): EventTypeFilter {
  if (Array.isArray(value)) return value.filter((entry): entry is string => typeof entry === 'string');
  return 'all';
}
