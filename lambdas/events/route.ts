import type { LifecycleEvent } from '../domain/events/envelope';
import { lifecycleEventsOf, type TableChange } from '../domain/events/from-changes';
import { deliveriesFor, type EventDeliveryJob } from '../domain/events/subscription';
import type { EventSubscriptions } from '../ports/event-subscriptions';
import type { MessageQueue } from '../ports/message-queue';

export interface EventRouterDeps {
  readonly subscriptions: EventSubscriptions;
  readonly deliveries: MessageQueue<EventDeliveryJob>;
  readonly onEvent: (event: RouterEvent) => void;
}

export type RouterEvent =
  | { type: 'queued'; tenantId: string; eventType: string; eventId: string; deliveries: number }
  | { type: 'noSubscriber'; tenantId: string; eventType: string; eventId: string };

/**
 * Queues the deliveries one table change owes: its lifecycle events, each to every subscription of
 * its tenant that takes its type. Throws when the subscriptions or the queue fail: the stream then
 * gives the change again, and the same events (same ids, same deduplication ids) are queued again.
 */
export async function routeChange(change: TableChange, deps: EventRouterDeps): Promise<LifecycleEvent[]> {
  const events = lifecycleEventsOf(change);
  for (const event of events) {
    const subscriptions = await deps.subscriptions.list(event.data.tenantId);
    const deliveries = deliveriesFor(event, subscriptions);
    const ids = { tenantId: event.data.tenantId, eventType: event.type, eventId: event.id };
    if (deliveries.length === 0) {
      deps.onEvent({ type: 'noSubscriber', ...ids });
      continue;
    }
    await deps.deliveries.send(
      deliveries.map((delivery) => ({
        body: delivery.job,
        groupId: delivery.groupId,
        deduplicationId: delivery.deduplicationId,
      })),
    );
    deps.onEvent({ type: 'queued', ...ids, deliveries: deliveries.length });
  }
  return events;
}
