/** What a tenant's profile says beyond its numbers and workflows (no secret is ever here). */
export interface TenantProfiles {
  /** The tenant's Messaging Service SID (`smsctl tenant put --messaging-service-sid`), if it has one. */
  messagingServiceSid(tenantId: string): Promise<string | undefined>;
}
