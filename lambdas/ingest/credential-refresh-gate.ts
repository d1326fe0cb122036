/**
 * At most one credentials refresh per tenant per interval, per container. A signature mismatch
 * re-reads the tenant's secret (the token may have just been rotated), but a flood of forged
 * signatures must not become a flood of Secrets Manager reads: within the interval, a mismatch is
 * final. After a rotation, a warm function thus answers 403 for at most this long even while an
 * attacker spends the refreshes, instead of for the whole cache TTL.
 */
export const CREDENTIAL_REFRESH_INTERVAL_MS = 10_000;

/** Only tenants whose credentials exist get here; the bound is a safety net, not the limit. */
const MAX_TRACKED_TENANTS = 1000;

export class CredentialRefreshGate {
  /** Last refresh per tenant; re-inserted on each refresh, so the Map is in refresh-time order. */
  private readonly lastRefresh = new Map<string, number>();

  constructor(
    private readonly intervalMs: number = CREDENTIAL_REFRESH_INTERVAL_MS,
    private readonly maxTenants: number = MAX_TRACKED_TENANTS,
  ) {}

  get size(): number {
    return this.lastRefresh.size;
  }

  /** True (and the refresh is counted) when `tenantId` may refresh at `nowMs`. */
  tryAcquire(tenantId: string, nowMs: number): boolean {
    this.forgetExpired(nowMs);
    const last = this.lastRefresh.get(tenantId);
    if (last !== undefined && nowMs - last < this.intervalMs) return false;
    this.lastRefresh.delete(tenantId);
    this.lastRefresh.set(tenantId, nowMs);
    if (this.lastRefresh.size > this.maxTenants) {
      const oldest = this.lastRefresh.keys().next();
      if (!oldest.done) this.lastRefresh.delete(oldest.value);
    }
    return true;
  }

  /** Entries whose interval has passed no longer limit anything; they are oldest first. */
  private forgetExpired(nowMs: number): void {
    for (const [tenantId, at] of this.lastRefresh) {
      if (nowMs - at < this.intervalMs) break;
      this.lastRefresh.delete(tenantId);
    }
  }
}
