import type { OptOutInForce, OptOutLookup, OptOutStore } from '../../ports/opt-out-store';

/** Opt-outs per tenant + customer in memory (`workflow simulate`, use-case tests). */
export class MemoryOptOutStore implements OptOutStore, OptOutLookup {
  private readonly optedOut = new Map<string, OptOutInForce>();

  async isOptedOut(tenantId: string, customer: string): Promise<boolean> {
    return this.optedOut.has(`${tenantId}#${customer}`);
  }

  async optOutInForce(tenantId: string, customer: string): Promise<OptOutInForce | undefined> {
    return this.optedOut.get(`${tenantId}#${customer}`);
  }

  async optOut(tenantId: string, customer: string, change?: { messageSid?: string }): Promise<void> {
    const messageSid = change?.messageSid;
    this.optedOut.set(`${tenantId}#${customer}`, messageSid !== undefined ? { messageSid } : {});
  }

  async optIn(tenantId: string, customer: string): Promise<void> {
    this.optedOut.delete(`${tenantId}#${customer}`);
  }
}
