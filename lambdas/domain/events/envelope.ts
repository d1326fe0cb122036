import { createHash } from 'node:crypto';
import type { EventType } from './catalog';

/**
 * One lifecycle event, as it is POSTed: Standard Webhooks' recommended payload `{type, timestamp,
 * data}` plus the event's own `id` (the same for every subscription it goes to and every retry).
 */
export interface LifecycleEvent {
  readonly id: string;
  readonly type: EventType;
  /** When it happened (ISO 8601, UTC), not when it was delivered. */
  readonly timestamp: string;
  readonly data: Readonly<Record<string, unknown>> & { readonly tenantId: string };
}

function digest(parts: readonly string[], length: number): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, length);
}

/**
 * An event's id from what makes it unique (its type, its tenant and the ids of what it is about),
 * never from the change that revealed it: a change seen twice (a stream replay, a retried batch)
 * or two changes that reveal the same fact give one id, and the notifier delivers an id once.
 */
export function eventId(type: EventType, tenantId: string, uniqueBy: readonly string[]): string {
  return `evt_${digest([type, tenantId, ...uniqueBy], 32)}`;
}

/**
 * The `webhook-id` of one event's delivery to one subscription: distinct per subscription (each
 * delivery is claimed and retried on its own), the same on every retry and redrive.
 */
export function deliveryWebhookId(eventIdValue: string, subscriptionId: string): string {
  return `msg_${digest([eventIdValue, subscriptionId], 32)}`;
}

export function lifecycleEvent(
  type: EventType,
  timestamp: string,
  uniqueBy: readonly string[],
  data: LifecycleEvent['data'],
): LifecycleEvent {
  return { id: eventId(type, data.tenantId, uniqueBy), type, timestamp, data };
}

/** The exact bytes POSTed and signed. */
export function eventBody(event: LifecycleEvent): string {
  return JSON.stringify({ id: event.id, type: event.type, timestamp: event.timestamp, data: event.data });
}
