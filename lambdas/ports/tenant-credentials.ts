import type { TenantTwilioCredentials } from '../domain/tenant';

/** Where a tenant's Twilio credentials come from. `undefined`: no such tenant. */
export interface TenantCredentialsSource {
  get(tenantId: string, options?: { refresh?: boolean }): Promise<TenantTwilioCredentials | undefined>;
}
