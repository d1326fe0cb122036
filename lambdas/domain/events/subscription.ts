import { type EventTypeFilter, filterMatches } from './catalog';
import { deliveryWebhookId, type LifecycleEvent } from './envelope';
import { deliveryGroupId } from './lanes';

/** A tenant's subscription to its lifecycle events (`smsctl events subscribe`). */
export interface EventSubscription {
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly url: string;
  readonly types: EventTypeFilter;
  readonly createdAt: string;
}

export const SUBSCRIPTION_ID_PATTERN = /^sub_[0-9a-f]{16}$/;

export function isSubscriptionId(value: string): boolean {
  return SUBSCRIPTION_ID_PATTERN.test(value);
}

/** `sub_` and 16 hex digits from 8 random bytes. */
export function subscriptionIdFrom(randomBytes: Uint8Array): string {
  if (randomBytes.length < 8) throw new RangeError('a subscription id needs 8 random bytes');
  return `sub_${Buffer.from(randomBytes.subarray(0, 8)).toString('hex')}`;
}

/** One event's delivery to one subscription: what the `webhooks.fifo` queue carries. */
export interface EventDeliveryJob {
  readonly v: 1;
  readonly kind: 'event';
  readonly webhookId: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly url: string;
  readonly event: LifecycleEvent;
}

export interface QueuedDelivery {
  readonly job: EventDeliveryJob;
  /** The delivery's lane (lambdas/domain/events/lanes.ts). */
  readonly groupId: string;
  /** The webhook id: SQS drops a second copy within five minutes, the notifier's claim after that. */
  readonly deduplicationId: string;
}

/** What orders an event among its destination's lanes: its customer, else its campaign. */
function orderKey(event: LifecycleEvent): string {
  const { customer, campaignId } = event.data as { customer?: unknown; campaignId?: unknown };
  if (typeof customer === 'string') return `customer:${customer}`;
  if (typeof campaignId === 'string') return `campaign:${campaignId}`;
  return event.id;
}

/** One delivery per subscription of the event's tenant whose types take the event. */
export function deliveriesFor(
  event: LifecycleEvent,
  subscriptions: readonly EventSubscription[],
): QueuedDelivery[] {
  return subscriptions
    .filter(
      (subscription) =>
        subscription.tenantId === event.data.tenantId && filterMatches(subscription.types, event.type),
    )
    .map((subscription) => {
      const webhookId = deliveryWebhookId(event.id, subscription.subscriptionId);
      return {
        job: {
          v: 1,
          kind: 'event',
          webhookId,
          tenantId: subscription.tenantId,
          subscriptionId: subscription.subscriptionId,
          url: subscription.url,
          event,
        },
        groupId: deliveryGroupId(subscription.tenantId, subscription.subscriptionId, orderKey(event)),
        deduplicationId: webhookId,
      };
    });
}
