/** Customers who said STOP, per tenant. Checked before every send. */
export interface OptOutStore {
  isOptedOut(tenantId: string, customer: string): Promise<boolean>;
  /** `messageSid`: the keyword message that opted the customer out, when one did. */
  optOut(
    tenantId: string,
    customer: string,
    change: { at: string; source: string; messageSid?: string },
  ): Promise<void>;
  optIn(tenantId: string, customer: string, change: { at: string; source: string }): Promise<void>;
}

/** The opt-out in force for a customer. */
export interface OptOutInForce {
  /**
   * The MessageSid of the keyword message that opted the customer out: the only opt-out whose
   * confirmation may still be sent (domain/opt-out-confirmation.ts). Absent for any other source
   * (Twilio's 21610, an erasure's suppression, an opt-out recorded before it was kept).
   */
  readonly messageSid?: string;
}

/** What the sender reads before each send: the opt-out in force, undefined when there is none. */
export interface OptOutLookup {
  optOutInForce(tenantId: string, customer: string): Promise<OptOutInForce | undefined>;
}
