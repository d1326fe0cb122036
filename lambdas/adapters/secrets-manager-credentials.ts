import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type TenantTwilioCredentials, tenantSecretName } from '../domain/tenant';
import type { TenantCredentialsSource } from '../ports/tenant-credentials';

interface CacheEntry {
  readonly value: TenantTwilioCredentials | undefined;
  readonly fetchedAt: number;
}

/**
 * Tenant credentials from Secrets Manager, cached per container for `ttlMs` (unknown tenants
 * too, so a flood of requests for a bogus tenant costs one lookup per TTL).
 */
export class SecretsManagerTenantCredentials implements TenantCredentialsSource {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(tenantId: string, options?: { refresh?: boolean }): Promise<TenantTwilioCredentials | undefined> {
    const cached = this.cache.get(tenantId);
    if (cached && !options?.refresh && this.now() - cached.fetchedAt < this.ttlMs) return cached.value;
    const value = await this.fetch(tenantId);
    this.cache.set(tenantId, { value, fetchedAt: this.now() });
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
      throw error;
    }
  }
}

function parseCredentials(secret: string | undefined, tenantId: string): TenantTwilioCredentials {
  const parsed: unknown = JSON.parse(secret ?? 'null');
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    typeof (parsed as Record<string, unknown>).accountSid !== 'string' ||
    typeof (parsed as Record<string, unknown>).authToken !== 'string'
  ) {
    // Never include the secret's content in the error: it would end up in logs.
    throw new Error(`Secret of tenant ${tenantId} lacks accountSid/authToken`);
  }
  return parsed as TenantTwilioCredentials;
}
