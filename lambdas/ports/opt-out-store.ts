/** Customers who said STOP, per tenant. Checked before every send. */
export interface OptOutStore {
  isOptedOut(tenantId: string, customer: string): Promise<boolean>;
  optOut(tenantId: string, customer: string, change: { at: string; source: string }): Promise<void>;
  optIn(tenantId: string, customer: string, change: { at: string; source: string }): Promise<void>;
}
