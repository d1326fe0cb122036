/** Twilio accounts the simulator knows, and which tenant of the platform owns which account. */
export interface SimAccount {
  accountSid: string;
  authToken: string;
  /** API keys (`SK…` SID + secret) that may authenticate for this account. */
  apiKeys?: { sid: string; secret: string }[];
}

export interface AccountDirectory {
  accountBySid(accountSid: string): Promise<SimAccount | undefined>;
  /** tenant id -> its Twilio account (the phone uses it to sign inbound webhooks) */
  accountForTenant(tenantId: string): Promise<SimAccount | undefined>;
}

export function inMemoryDirectory(entries: { tenantId: string; account: SimAccount }[]): AccountDirectory {
  const byTenant = new Map(entries.map((entry) => [entry.tenantId, entry.account]));
  const bySid = new Map(entries.map((entry) => [entry.account.accountSid, entry.account]));
  return {
    accountBySid: async (accountSid) => bySid.get(accountSid),
    accountForTenant: async (tenantId) => byTenant.get(tenantId),
  };
}
