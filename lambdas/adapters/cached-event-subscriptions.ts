import type { EventSubscription } from '../domain/events/subscription';
import type { EventSubscriptions } from '../ports/event-subscriptions';

/**
 * A tenant's subscriptions, read at most once per `ttlMs` per container: every change of a busy
 * tenant asks, and a new or removed subscription takes effect within the TTL.
 */
export class CachedEventSubscriptions implements EventSubscriptions {
  private readonly cache = new Map<string, { readonly at: number; readonly value: EventSubscription[] }>();

  constructor(
    private readonly inner: EventSubscriptions,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async list(tenantId: string): Promise<EventSubscription[]> {
    const cached = this.cache.get(tenantId);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.value;
    const value = await this.inner.list(tenantId);
    this.cache.set(tenantId, { at: this.now(), value });
    return value;
  }
}
