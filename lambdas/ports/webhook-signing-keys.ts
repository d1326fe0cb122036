/** Where a tenant's completion-webhook signing key comes from. */
export type SigningKeyLookup = { readonly key: string } | { readonly problem: string };

export interface WebhookSigningKeys {
  /** `problem`: no usable key (none configured, malformed, too short), phrased for the operator. */
  get(tenantId: string): Promise<SigningKeyLookup>;
}
