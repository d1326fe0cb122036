import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  type TenantTwilioCredentials,
  type TenantWebhookSecret,
  tenantSecretName,
  tenantSecretsRoot,
  tenantWebhookSecretName,
} from '../lambdas/domain/tenant';
import type { AccountDirectory, SimAccount } from './twilio-sim';

/** Creates or updates a tenant's Twilio credentials secret. */
export async function putTenantSecret(
  client: SecretsManagerClient,
  prefix: string,
  tenantId: string,
  credentials: TenantTwilioCredentials,
): Promise<void> {
  await createOrPutSecret(client, tenantSecretName(prefix, tenantId), JSON.stringify(credentials));
}

/** Creates or updates a tenant's completion-webhook signing key (`{prefix}/tenants/{id}/webhook`). */
export async function putTenantWebhookSecret(
  client: SecretsManagerClient,
  prefix: string,
  tenantId: string,
  secret: TenantWebhookSecret,
): Promise<void> {
  await createOrPutSecret(client, tenantWebhookSecretName(prefix, tenantId), JSON.stringify(secret));
}

async function createOrPutSecret(client: SecretsManagerClient, name: string, secret: string): Promise<void> {
  try {
    await client.send(new CreateSecretCommand({ Name: name, SecretString: secret }));
  } catch (error) {
    if (!(error instanceof ResourceExistsException) && (error as Error).name !== 'ResourceExistsException')
      throw error;
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: secret }));
  }
}

export async function readTenantSecret(
  client: SecretsManagerClient,
  prefix: string,
  tenantId: string,
): Promise<TenantTwilioCredentials | undefined> {
  try {
    const result = await client.send(
      new GetSecretValueCommand({ SecretId: tenantSecretName(prefix, tenantId) }),
    );
    return JSON.parse(result.SecretString ?? 'null') as TenantTwilioCredentials;
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as Error).name === 'ResourceNotFoundException') {
      return undefined;
    }
    throw error;
  }
}

function simAccount(credentials: TenantTwilioCredentials): SimAccount {
  return {
    accountSid: credentials.accountSid,
    authToken: credentials.authToken,
    ...(credentials.apiKeySid && credentials.apiKeySecret
      ? { apiKeys: [{ sid: credentials.apiKeySid, secret: credentials.apiKeySecret }] }
      : {}),
  };
}

/**
 * The Twilio simulator's view of accounts: the tenants' secrets, as Twilio itself would know
 * them. Tenants registered later (smsctl tenant put --local) are found without a restart.
 */
export function secretsBackedDirectory(client: SecretsManagerClient, prefix: string): AccountDirectory {
  const tenantsBySid = new Map<string, string>();
  const secretPrefix = tenantSecretsRoot(prefix);
  async function indexTenants(): Promise<void> {
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [secretPrefix] }], NextToken: nextToken }),
      );
      for (const entry of page.SecretList ?? []) {
        const tenantId = entry.Name?.slice(secretPrefix.length).replace(/\/twilio$/, '');
        if (!tenantId || tenantId.includes('/')) continue;
        const credentials = await readTenantSecret(client, prefix, tenantId);
        if (credentials) tenantsBySid.set(credentials.accountSid, tenantId);
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return {
    async accountForTenant(tenantId) {
      const credentials = await readTenantSecret(client, prefix, tenantId);
      if (!credentials) return undefined;
      tenantsBySid.set(credentials.accountSid, tenantId);
      return simAccount(credentials);
    },
    async accountBySid(accountSid) {
      if (!tenantsBySid.has(accountSid)) await indexTenants();
      const tenantId = tenantsBySid.get(accountSid);
      if (!tenantId) return undefined;
      const credentials = await readTenantSecret(client, prefix, tenantId);
      return credentials?.accountSid === accountSid ? simAccount(credentials) : undefined;
    },
  };
}
