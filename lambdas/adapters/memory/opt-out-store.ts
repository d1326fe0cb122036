import type { OptOutStore } from '../../ports/opt-out-store';

/** Opt-outs per tenant + customer in memory (`workflow simulate`, use-case tests). */
export class MemoryOptOutStore implements OptOutStore {
  private readonly optedOut = new Set<string>();

  async isOptedOut(tenantId: string, customer: string): Promise<boolean> {
    return this.optedOut.has(`${tenantId}#${customer}`);
  }

  async optOut(tenantId: string, customer: string): Promise<void> {
    this.optedOut.add(`${tenantId}#${customer}`);
  }

  async optIn(tenantId: string, customer: string): Promise<void> {
    this.optedOut.delete(`${tenantId}#${customer}`);
  }
}
