/** The notifier's memory of each completion webhook, so a delivered one is never POSTed again. */
export interface WebhookKey {
  readonly tenantId: string;
  readonly webhookId: string;
}

export type WebhookClaim =
  /** This attempt may POST; `attempt` counts every claim of this webhook (redrives included). */
  | { readonly outcome: 'claimed'; readonly attempt: number }
  /** A 2xx was recorded already: do not POST again. */
  | { readonly outcome: 'delivered' }
  /** Another attempt (a duplicate SQS delivery) holds the lease: try again when it ends. */
  | { readonly outcome: 'leased'; readonly retryInSeconds: number };

export interface WebhookDeliveries {
  /** Atomically takes the right to POST for `leaseSeconds`, unless delivered or leased elsewhere. */
  claim(key: WebhookKey, at: Date, leaseSeconds: number): Promise<WebhookClaim>;
  recordDelivered(key: WebhookKey, at: Date, httpStatus: number): Promise<void>;
  /** A failed attempt: releases the lease, keeps the reason; never overwrites `delivered`. */
  recordFailedAttempt(key: WebhookKey, at: Date, reason: string, final: boolean): Promise<void>;
}
