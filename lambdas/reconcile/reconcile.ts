import { canAdvance, isOutboundStatus } from '../domain/message-status';
import type { MessageStore } from '../ports/message-store';
import type { SmsGateway } from '../ports/sms-gateway';
import type { TenantCredentialsSource } from '../ports/tenant-credentials';
import { applyStatusCallback, type StatusDeps } from '../status/apply';

export interface ReconcileDeps {
  readonly messages: MessageStore;
  readonly sms: SmsGateway;
  readonly credentials: TenantCredentialsSource;
  readonly status: StatusDeps;
  readonly shards: readonly string[];
  readonly now: () => Date;
}

export interface ReconcilePolicy {
  /** A message is asked about once it has been open this long (callbacks normally arrive in seconds). */
  readonly staleAfterMinutes: number;
  /** After this long Twilio will not say more (carriers keep no receipts): stop asking. */
  readonly giveUpAfterHours: number;
  /** Messages per shard per run, to stay far within the function's timeout and Twilio's rate limits. */
  readonly batchPerShard: number;
}

export const DEFAULT_RECONCILE_POLICY: ReconcilePolicy = {
  staleAfterMinutes: 15,
  giveUpAfterHours: 72,
  batchPerShard: 50,
};

export interface ReconcileSummary {
  checked: number;
  advanced: number;
  unchanged: number;
  abandoned: number;
  errors: number;
}

/**
 * Asks Twilio about messages stuck in a non-final status (a status callback lost on the way) and
 * applies what it says through the same lifecycle as a callback: forward only, metrics once.
 */
export async function reconcile(deps: ReconcileDeps, policy: ReconcilePolicy = DEFAULT_RECONCILE_POLICY) {
  const now = deps.now();
  const openBefore = new Date(now.getTime() - policy.staleAfterMinutes * 60_000).toISOString();
  const giveUpBefore = new Date(now.getTime() - policy.giveUpAfterHours * 3_600_000).toISOString();
  const summary: ReconcileSummary = { checked: 0, advanced: 0, unchanged: 0, abandoned: 0, errors: 0 };

  for (const shard of deps.shards) {
    for (const message of await deps.messages.openMessages(shard, openBefore, policy.batchPerShard)) {
      summary.checked++;
      try {
        const credentials = await deps.credentials.get(message.tenantId);
        const remote = credentials ? await deps.sms.fetch(credentials, message.sid) : undefined;
        const status = remote && isOutboundStatus(remote.status) ? remote.status : undefined;
        if (credentials && status && canAdvance(message.status, status) && status !== message.status) {
          const outcome = await applyStatusCallback(
            {
              v: 1,
              tenantId: message.tenantId,
              receivedAt: now.toISOString(),
              callback: {
                messageSid: message.sid,
                accountSid: credentials.accountSid,
                status,
                ...(remote?.errorCode ? { errorCode: String(remote.errorCode) } : {}),
              },
            },
            // Known message: an "unknown" answer cannot happen here, so never wait for a retry. The
            // id is fixed per (message, status): a rerun after a crash reports an unreported advance.
            { id: `reconcile#${message.sid}#${status}`, receiveCount: Number.POSITIVE_INFINITY },
            deps.status,
          );
          if (outcome === 'advanced') summary.advanced++;
          else summary.unchanged++;
        } else if (!remote || message.openSince < giveUpBefore) {
          await deps.messages.closeOpen(message.sid);
          summary.abandoned++;
        } else {
          summary.unchanged++;
        }
      } catch {
        // One message's trouble (a tenant's revoked credentials, Twilio hiccup) must not stop the rest.
        summary.errors++;
      }
    }
  }
  return summary;
}
