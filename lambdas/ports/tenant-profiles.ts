/** What a tenant's profile says beyond its numbers and workflows (no secret is ever here). */
export interface TenantProfiles {
  /** The tenant's Messaging Service SID (`smsctl tenant put --messaging-service-sid`), if it has one. */
  messagingServiceSid(tenantId: string): Promise<string | undefined>;
}

/**
 * How long a tenant's traffic is kept (`smsctl tenant put --retention-days`), read from what the
 * hot paths already read and cache (the profile, beside the numbers): never a read per message.
 */
export interface TenantRetention {
  /** Days; undefined: the default (DEFAULT_RETENTION_DAYS). */
  retentionDays(tenantId: string): Promise<number | undefined>;
}

/**
 * The tenant's quiet hours (`smsctl tenant put --quiet-hours HH:MM-HH:MM`), read from the cached
 * profile: reminders due inside them wait for their end, on the customer's clock.
 */
export interface TenantQuietHours {
  /** `HH:MM-HH:MM`; undefined: none (reminders go at any time). */
  quietHours(tenantId: string): Promise<string | undefined>;
}
