import { ENV } from '../../lib/topology';
import { SecretsManagerTenantCredentials } from '../adapters/secrets-manager-credentials';
import { secretsManagerClient } from './clients';
import { requireEnv } from './env';

/**
 * Per container, a tenant's credentials are read at most once per TTL (and again on a sender's
 * 20003, or on an ingest signature mismatch at most once per tenant per
 * CREDENTIAL_REFRESH_INTERVAL_MS: lambdas/ingest/credential-refresh-gate.ts).
 */
export const CREDENTIALS_TTL_MS = 5 * 60 * 1000;

/** The tenant credentials source every function that needs Twilio credentials uses. */
export function tenantCredentialsFromEnv(): SecretsManagerTenantCredentials {
  return new SecretsManagerTenantCredentials(
    secretsManagerClient(),
    requireEnv(ENV.tenantSecretPrefix),
    CREDENTIALS_TTL_MS,
  );
}
