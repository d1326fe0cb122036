import {
  GetSecretValueCommand,
  InvalidRequestException,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type TenantTwilioCredentials, tenantSecretName } from '../domain/tenant';
import type { TenantCredentialsSource } from '../ports/tenant-credentials';

/**
 * A least-recently-used map bounded to `maxEntries`. A Map iterates in insertion order, so moving
 * an entry to the end on every use keeps the least recently used one first, where eviction takes
 * it. Hand-written rather than a dependency: `lru-cache` is not one of ours, and these lines are
 * all this needs (no TTL or size accounting of its own; the caller stores the fetch time).
 */
export class BoundedLru<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new Error('maxEntries must be >= 1');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}

interface CacheEntry<T> {
  readonly value: T;
  readonly fetchedAt: number;
}

/** Per cache: far more tenants than one deployment serves, and a few hundred KB at most. */
export const DEFAULT_MAX_CACHED_TENANTS = 1000;

/**
 * Tenant credentials from Secrets Manager, cached per container for `ttlMs`; unknown tenants too,
 * so a flood of requests for one bogus tenant costs one lookup per TTL. Both caches are bounded
 * LRUs, and separate: a flood of distinct bogus tenant ids evicts only other bogus ids, never the
 * credentials of real tenants (which would turn their every request into a Secrets Manager read).
 */
export class SecretsManagerTenantCredentials implements TenantCredentialsSource {
  private readonly known: BoundedLru<string, CacheEntry<TenantTwilioCredentials>>;
  private readonly unknown: BoundedLru<string, CacheEntry<undefined>>;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    maxEntries: number = DEFAULT_MAX_CACHED_TENANTS,
  ) {
    this.known = new BoundedLru(maxEntries);
    this.unknown = new BoundedLru(maxEntries);
  }

  /** Entries held, known and unknown tenants (for tests and metrics of the bound). */
  get cachedEntries(): { known: number; unknown: number } {
    return { known: this.known.size, unknown: this.unknown.size };
  }

  async get(tenantId: string, options?: { refresh?: boolean }): Promise<TenantTwilioCredentials | undefined> {
    if (!options?.refresh) {
      const cached = this.known.get(tenantId) ?? this.unknown.get(tenantId);
      if (cached && this.now() - cached.fetchedAt < this.ttlMs) return cached.value;
    }
    const value = await this.fetch(tenantId);
    const fetchedAt = this.now();
    if (value) {
      this.unknown.delete(tenantId);
      this.known.set(tenantId, { value, fetchedAt });
    } else {
      this.known.delete(tenantId);
      this.unknown.set(tenantId, { value: undefined, fetchedAt });
    }
    return value;
  }

  private async fetch(tenantId: string): Promise<TenantTwilioCredentials | undefined> {
    try {
      const result = await this.client.send(
        new GetSecretValueCommand({ SecretId: tenantSecretName(this.prefix, tenantId) }),
      );
      return parseCredentials(result.SecretString, tenantId);
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      // A deleted tenant's secret waits out its recovery window (`smsctl tenant delete`): reading it
      // is refused with InvalidRequestException, and the tenant is as unknown as one never onboarded.
      if (isScheduledForDeletion(error)) return undefined;
      throw error;
    }
  }
}

/** GetSecretValue's answer for a secret scheduled for deletion (its only InvalidRequestException). */
export function isScheduledForDeletion(error: unknown): boolean {
  return (
    (error instanceof InvalidRequestException || (error as Error)?.name === 'InvalidRequestException') &&
    /deletion|deleted/i.test((error as Error).message)
  );
}

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * The tenant secret's JSON. accountSid and authToken are required; the optional fields are kept
 * only when they are non-empty strings. A malformed previous token or deadline is dropped rather
 * than failing the tenant: the current token still verifies, and the previous one fails closed.
 */
export function parseCredentials(secret: string | undefined, tenantId: string): TenantTwilioCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret ?? 'null');
  } catch {
    parsed = null;
  }
  const fields = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const accountSid = optionalString(fields.accountSid);
  const authToken = optionalString(fields.authToken);
  if (!accountSid || !authToken) {
    // Never include the secret's content in the error: it would end up in logs.
    throw new Error(`Secret of tenant ${tenantId} lacks accountSid/authToken`);
  }
  const messagingServiceSid = optionalString(fields.messagingServiceSid);
  const apiKeySid = optionalString(fields.apiKeySid);
  const apiKeySecret = optionalString(fields.apiKeySecret);
  const previousAuthToken = optionalString(fields.previousAuthToken);
  const previousAuthTokenValidUntil = optionalString(fields.previousAuthTokenValidUntil);
  return {
    accountSid,
    authToken,
    ...(messagingServiceSid ? { messagingServiceSid } : {}),
    ...(apiKeySid ? { apiKeySid } : {}),
    ...(apiKeySecret ? { apiKeySecret } : {}),
    ...(previousAuthToken ? { previousAuthToken } : {}),
    ...(previousAuthTokenValidUntil ? { previousAuthTokenValidUntil } : {}),
  };
}
