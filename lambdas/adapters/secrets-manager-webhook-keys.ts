import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { MIN_SIGNING_KEY_LENGTH } from '../domain/completion-webhook/signature';
import { tenantWebhookSecretName } from '../domain/tenant';
import type { SigningKeyLookup, WebhookSigningKeys } from '../ports/webhook-signing-keys';

/**
 * Tenants' webhook signing keys from Secrets Manager (`{prefix}/tenants/{id}/webhook`, JSON
 * `{"signingKey":"…"}`), cached per container for `ttlMs`. Problems are not cached: an operator
 * who adds the missing key and redrives the DLQ must not wait for the cache to expire.
 */
export class SecretsManagerWebhookKeys implements WebhookSigningKeys {
  private readonly cache = new Map<string, { readonly key: string; readonly fetchedAt: number }>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(tenantId: string): Promise<SigningKeyLookup> {
    const cached = this.cache.get(tenantId);
    if (cached && this.now() - cached.fetchedAt < this.ttlMs) return { key: cached.key };
    const name = tenantWebhookSecretName(this.prefix, tenantId);
    let secret: string | undefined;
    try {
      secret = (await this.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;
    } catch (error) {
      if (
        error instanceof ResourceNotFoundException ||
        (error as Error).name === 'ResourceNotFoundException'
      ) {
        return { problem: `no signing key: create secret ${name} as {"signingKey":"…"}` };
      }
      throw error;
    }
    const key = signingKeyOf(secret);
    // Never include the secret's content in a problem: it would end up in logs and the DLQ.
    if (key === undefined) return { problem: `secret ${name} lacks a string signingKey` };
    if (key.length < MIN_SIGNING_KEY_LENGTH) {
      return { problem: `signingKey in ${name} is shorter than ${MIN_SIGNING_KEY_LENGTH} characters` };
    }
    this.cache.set(tenantId, { key, fetchedAt: this.now() });
    return { key };
  }
}

function signingKeyOf(secret: string | undefined): string | undefined {
  try {
    const parsed: unknown = JSON.parse(secret ?? 'null');
    const key = (parsed as { signingKey?: unknown } | null)?.signingKey;
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}
