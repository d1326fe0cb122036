/** Tenant ids and where their Twilio credentials live (DESIGN.md section 2, a contract). */
export const TENANT_ID_PATTERN = /^[a-z0-9-]{2,40}$/;

export function isValidTenantId(value: string): boolean {
  return TENANT_ID_PATTERN.test(value);
}

/** The part of every tenant secret's name before the tenant id (IAM grants read below it). */
export function tenantSecretsRoot(prefix: string): string {
  return `${prefix}/tenants/`;
}

export function tenantSecretName(prefix: string, tenantId: string): string {
  return `${tenantSecretsRoot(prefix)}${tenantId}/twilio`;
}

/**
 * The tenant's completion-webhook signing key, JSON `{"signingKey":"…"}`: a secret of its own, so
 * it rotates independently of the Twilio credentials and only the notifier can read it.
 */
export function tenantWebhookSecretName(prefix: string, tenantId: string): string {
  return `${tenantSecretsRoot(prefix)}${tenantId}/webhook`;
}

/** The JSON stored in the tenant's webhook secret. */
export interface TenantWebhookSecret {
  readonly signingKey: string;
}

/** The JSON stored in the tenant's secret. */
export interface TenantTwilioCredentials {
  readonly accountSid: string;
  readonly authToken: string;
  readonly messagingServiceSid?: string;
  readonly apiKeySid?: string;
  readonly apiKeySecret?: string;
  /**
   * The auth token a rotation replaced, still accepted on webhooks until
   * `previousAuthTokenValidUntil`, as Twilio keeps accepting its secondary token: requests Twilio
   * signed just before the switch, or while the new token propagates, are not lost.
   */
  readonly previousAuthToken?: string;
  /** ISO 8601 with a zone; a previous token without a valid deadline is never accepted. */
  readonly previousAuthTokenValidUntil?: string;
}
