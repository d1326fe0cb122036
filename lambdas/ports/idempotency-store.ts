/** What an Idempotency-Key remembers: the request it was first used for, and the answer once there is one. */
export interface IdempotencyRecord {
  /** Hash of the validated request (see fingerprintOf); a repeat with another request is refused. */
  readonly fingerprint: string;
  /** The ids the work was done under, so a retry after a crash finishes the same work. */
  readonly startId: string;
  readonly at: string;
  /** Set once the work is done: what every repeat gets back. */
  readonly response?: StoredResponse;
}

export interface StoredResponse {
  readonly statusCode: number;
  readonly body: Readonly<Record<string, unknown>>;
}

/** Idempotency keys per tenant, remembered for a while (TTL), first writer wins. */
export interface IdempotencyStore {
  find(tenantId: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Records the key if nobody has; either way returns the record that holds it now. */
  claim(
    tenantId: string,
    key: string,
    record: Omit<IdempotencyRecord, 'response'>,
    expiresAt: string,
  ): Promise<IdempotencyRecord>;
  complete(tenantId: string, key: string, response: StoredResponse): Promise<void>;
}
