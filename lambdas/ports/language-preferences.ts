/**
 * A customer's language with a tenant (issue 19): written when the customer switches language
 * (ESPAÑOL, ENGLISH, ...) or when their first message's language was detected, and read when a
 * conversation of a workflow of several languages starts. Per tenant + customer, as opt-outs.
 */
export interface LanguagePreferences {
  get(tenantId: string, customer: string): Promise<string | undefined>;
  /** `retentionDays`: the tenant's retention (the preference expires with the customer's history). */
  set(
    tenantId: string,
    customer: string,
    preference: { language: string; at: string; retentionDays?: number },
  ): Promise<void>;
}
