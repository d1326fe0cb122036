import {
  DeleteSecretCommand,
  ListSecretsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { isScheduledForDeletion } from '../lambdas/adapters/secrets-manager-credentials';
import { tenantSecretsRoot } from '../lambdas/domain/tenant';

/** Secrets Manager's recovery window: 7 to 30 days (its default 30). */
export const RECOVERY_WINDOW_DAYS = { min: 7, max: 30, default: 30 } as const;

export interface TenantSecretState {
  readonly name: string;
  /** When Secrets Manager was asked to delete it (absent: not scheduled). */
  readonly deletedDate?: string;
}

export interface ScheduledSecretDeletion {
  readonly name: string;
  /** Scheduled by this run (false: an earlier run had). */
  readonly scheduledNow: boolean;
  /** After this, Secrets Manager deletes it; until then `aws secretsmanager restore-secret` brings it back. */
  readonly deletionDate?: string;
}

/**
 * Every secret under `{prefix}/tenants/{tenantId}/` (Twilio credentials, the completion-webhook
 * key, and any added later under the same root), those already scheduled for deletion too.
 * ListSecrets' name filter is a prefix match; the exact prefix is checked again here.
 */
export async function tenantSecrets(
  client: SecretsManagerClient,
  prefix: string,
  tenantId: string,
): Promise<TenantSecretState[]> {
  const root = `${tenantSecretsRoot(prefix)}${tenantId}/`;
  const found: TenantSecretState[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListSecretsCommand({
        Filters: [{ Key: 'name', Values: [root] }],
        IncludePlannedDeletion: true,
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    for (const secret of page.SecretList ?? []) {
      if (!secret.Name?.startsWith(root)) continue;
      found.push({
        name: secret.Name,
        ...(secret.DeletedDate ? { deletedDate: secret.DeletedDate.toISOString() } : {}),
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Schedules the deletion of each of the tenant's secrets with a recovery window; those an earlier
 * run scheduled are reported, not touched (so a second run is harmless).
 */
export async function scheduleTenantSecretsDeletion(
  client: SecretsManagerClient,
  secrets: readonly TenantSecretState[],
  recoveryWindowInDays: number,
): Promise<ScheduledSecretDeletion[]> {
  const scheduled: ScheduledSecretDeletion[] = [];
  for (const secret of secrets) {
    if (secret.deletedDate !== undefined) {
      scheduled.push({ name: secret.name, scheduledNow: false });
      continue;
    }
    try {
      const result = await client.send(
        new DeleteSecretCommand({ SecretId: secret.name, RecoveryWindowInDays: recoveryWindowInDays }),
      );
      scheduled.push({
        name: secret.name,
        scheduledNow: true,
        ...(result.DeletionDate ? { deletionDate: result.DeletionDate.toISOString() } : {}),
      });
    } catch (error) {
      // Scheduled in between by another run.
      if (!isScheduledForDeletion(error)) throw error;
      scheduled.push({ name: secret.name, scheduledNow: false });
    }
  }
  return scheduled;
}
