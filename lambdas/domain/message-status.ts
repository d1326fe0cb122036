/**
 * The lifecycle of an outbound message's status. Twilio's callbacks can arrive late, twice or out
 * of order; the current status only ever moves forward along this order, and `read` only follows
 * `delivered`.
 */
export const OUTBOUND_STATUSES = [
  'accepted',
  'scheduled',
  'queued',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'canceled',
  'read',
] as const;

export type OutboundStatus = (typeof OUTBOUND_STATUSES)[number];

const RANK: Readonly<Record<OutboundStatus, number>> = {
  accepted: 0,
  scheduled: 1,
  queued: 2,
  sending: 3,
  sent: 4,
  delivered: 5,
  undelivered: 5,
  failed: 5,
  canceled: 5,
  read: 6,
};

const FINAL: ReadonlySet<OutboundStatus> = new Set([
  'delivered',
  'undelivered',
  'failed',
  'canceled',
  'read',
]);

export function isOutboundStatus(value: string): value is OutboundStatus {
  return (OUTBOUND_STATUSES as readonly string[]).includes(value);
}

export function statusRank(status: OutboundStatus): number {
  return RANK[status];
}

export function isFinalStatus(status: OutboundStatus): boolean {
  return FINAL.has(status);
}

/** May a message whose current status is `current` move to `next`? */
export function canAdvance(current: OutboundStatus | undefined, next: OutboundStatus): boolean {
  if (current === undefined) return true;
  if (next === 'read')
    return current !== 'read' && (current === 'delivered' || RANK[current] < RANK.delivered);
  return RANK[next] > RANK[current];
}

/** The statuses that count toward the delivery rate, each counted once per message. */
export type DeliveryOutcome = 'delivered' | 'undelivered' | 'failed';

export function deliveryOutcome(status: OutboundStatus): DeliveryOutcome | undefined {
  return status === 'delivered' || status === 'undelivered' || status === 'failed' ? status : undefined;
}

/** Every status a message may currently have for `next` to be applied (for conditional writes). */
export function allowedPredecessors(next: OutboundStatus): OutboundStatus[] {
  return OUTBOUND_STATUSES.filter((status) => canAdvance(status, next));
}
