import type { EventSubscription } from '../domain/events/subscription';

/** Where tenants' event subscriptions are kept (read by the events function, written by smsctl). */
export interface EventSubscriptions {
  list(tenantId: string): Promise<EventSubscription[]>;
}

export interface EventSubscriptionAdmin extends EventSubscriptions {
  put(subscription: EventSubscription): Promise<void>;
  /** False when the tenant has no such subscription. */
  delete(tenantId: string, subscriptionId: string): Promise<boolean>;
}
