import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ENV } from '../../lib/topology';
import { SecretsManagerTenantCredentials } from '../adapters/secrets-manager-credentials';
import { requireEnv } from './env';

/** Per container, a tenant's credentials are read at most once per TTL (and again on a 20003). */
export const CREDENTIALS_TTL_MS = 5 * 60 * 1000;

/** The tenant credentials source every function that needs Twilio credentials uses. */
export function tenantCredentialsFromEnv(): SecretsManagerTenantCredentials {
  return new SecretsManagerTenantCredentials(
    new SecretsManagerClient({}),
    requireEnv(ENV.tenantSecretPrefix),
    CREDENTIALS_TTL_MS,
  );
}
