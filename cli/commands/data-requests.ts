import { DynamoDataRequests, type RemovedCounts } from '../../lambdas/adapters/dynamodb/data-requests';
import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { parseSince } from '../../lambdas/domain/data-requests';
import { maskPhone } from '../../lambdas/domain/phone';
import { terminalSafeJson } from '../../lambdas/domain/visible-text';
import { CREDENTIALS_TTL_MS } from '../../lambdas/shared/tenant-credentials';
import { CliError } from '../cli-error';
import { parseCommand, phone, positiveNumberFlag, required, tenantId } from '../flags';
import type { CommandResult } from '../output';
import type { PlatformTarget } from '../target';
import {
  RECOVERY_WINDOW_DAYS,
  scheduleTenantSecretsDeletion,
  tenantSecrets,
} from '../tenant-secrets-deletion';

const DELETE_USAGE = 'tenant delete --tenant ID --confirm ID [--recovery-window-days 7..30]';
const ERASE_USAGE = 'customer erase --tenant ID --customer E164';
const EXPORT_USAGE = 'conversation export --tenant ID [--since ISO] [--customer E164]';

/** How long a warm ingest container may still accept a deleted tenant's webhooks (its credentials cache). */
export const DELETED_TENANT_STALENESS_SECONDS = CREDENTIALS_TTL_MS / 1000;

function countLines(removed: RemovedCounts): string[] {
  const kinds = Object.keys(removed).sort();
  return kinds.length === 0
    ? ['  nothing left to remove']
    : kinds.map((kind) => `  ${kind.padEnd(24)} ${removed[kind]}`);
}

function total(removed: RemovedCounts): number {
  return Object.values(removed).reduce((sum, count) => sum + count, 0);
}

/**
 * `tenant delete`: the tenant's secrets are scheduled for deletion first (its webhooks then meet
 * an unknown tenant, within the ingest's credential cache), then every item of the tenant is
 * deleted, its profile last: an interrupted delete is found and finished by running it again.
 */
export async function tenantDeleteCommand(
  args: string[],
  target: () => Promise<PlatformTarget>,
): Promise<CommandResult> {
  const { values } = parseCommand(DELETE_USAGE, args, {
    tenant: { type: 'string' },
    confirm: { type: 'string' },
    'recovery-window-days': { type: 'string' },
  });
  const id = tenantId(values.tenant, DELETE_USAGE);
  const confirm = required(values.confirm, '--confirm', DELETE_USAGE);
  if (confirm !== id)
    throw new CliError(
      `--confirm "${confirm}" does not match --tenant "${id}": repeat the tenant id to delete it; nothing was changed`,
      2,
    );
  const windowFlag = values['recovery-window-days'];
  if (windowFlag !== undefined && !/^\d+$/.test(windowFlag.trim()))
    throw new CliError(
      `--recovery-window-days must be a whole number from ${RECOVERY_WINDOW_DAYS.min} to ${RECOVERY_WINDOW_DAYS.max}`,
      2,
    );
  const recoveryWindowDays =
    positiveNumberFlag(windowFlag, '--recovery-window-days', RECOVERY_WINDOW_DAYS) ??
    RECOVERY_WINDOW_DAYS.default;

  const platform = await target();
  const admin = new DynamoTenantAdmin(platform.dynamo, platform.tableName);
  const profile = await admin.getProfile(id);
  const secrets = await tenantSecrets(platform.secrets, platform.tenantSecretPrefix, id);
  // A profile gone but secrets left (waiting out their window after an earlier delete, or never
  // joined by a profile: an onboarding that stopped halfway): a run finishes what is left.
  const resumed = !profile && secrets.length > 0;
  if (!profile && !resumed) throw new CliError(`tenant ${id} not found`);

  const secretsScheduled = await scheduleTenantSecretsDeletion(platform.secrets, secrets, recoveryWindowDays);
  const requests = new DynamoDataRequests(platform.dynamo, platform.tableName);
  const removed = await requests.deleteTenantItems(id);
  if (await requests.deleteProfile(id)) removed.profile = (removed.profile ?? 0) + 1;
  const report = {
    ok: true,
    tenantId: id,
    resumed,
    removed,
    secrets: secretsScheduled,
    recoveryWindowDays,
    webhooksUnknownWithinSeconds: DELETED_TENANT_STALENESS_SECONDS,
  };
  return {
    json: report,
    lines: [
      `tenant ${id} deleted (${platform.description})${resumed ? ', finishing an earlier delete' : ''}: ${total(removed)} item(s)`,
      ...countLines(removed),
      ...secretsScheduled.map(
        (secret) =>
          `  secret ${secret.name}: ${secret.scheduledNow ? `deletion scheduled for ${secret.deletionDate ?? `${recoveryWindowDays} days from now`}` : 'already scheduled for deletion'}`,
      ),
      `its webhooks are answered 404 (unknown tenant) within ${DELETED_TENANT_STALENESS_SECONDS} s (the ingest's credential cache); ` +
        'run the delete again after that to remove what traffic in flight wrote meanwhile',
    ],
  };
}

/** `customer erase`: a customer's conversations, transcripts and message bodies; an opt-out stays, hashed. */
export async function customerCommand(
  action: string | undefined,
  args: string[],
  target: () => Promise<PlatformTarget>,
): Promise<CommandResult> {
  if (action !== 'erase') throw new CliError(`unknown customer action "${action ?? ''}" (erase)`, 2);
  const { values } = parseCommand(ERASE_USAGE, args, {
    tenant: { type: 'string' },
    customer: { type: 'string' },
  });
  const id = tenantId(values.tenant, ERASE_USAGE);
  const customer = phone(values.customer, '--customer', ERASE_USAGE);
  const platform = await target();
  if (!(await new DynamoTenantAdmin(platform.dynamo, platform.tableName).getProfile(id)))
    throw new CliError(`tenant ${id} not found`);
  const erased = await new DynamoDataRequests(platform.dynamo, platform.tableName).eraseCustomer(
    id,
    customer,
    new Date().toISOString(),
  );
  // The number is the operator's own input; masked all the same, as every view of a customer is.
  const shown = maskPhone(customer);
  return {
    json: {
      ok: true,
      tenantId: id,
      customer: shown,
      removed: erased.removed,
      suppressionKept: erased.suppressionKept,
    },
    lines: [
      `customer ${shown} of tenant ${id} erased (${platform.description}): ${total(erased.removed)} item(s)`,
      ...countLines(erased.removed),
      ...(erased.suppressionKept
        ? ['the opt-out is kept as a suppression keyed by a hash of the number: sends to it stay refused']
        : []),
    ],
  };
}

/** Writes a line, waiting when stdout's buffer is full, so an export holds one page at a time. */
export function stdoutLine(line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const flushed = process.stdout.write(`${line}\n`, (error) => {
      if (error) reject(error);
    });
    if (flushed) resolve();
    else process.stdout.once('drain', () => resolve());
  });
}

/**
 * `conversation export`: JSON lines (one per conversation state and per message, full numbers: this
 * is the data a customer or tenant asked for), streamed page by page. Always JSON lines, `--json`
 * or not. Returns the number of lines written.
 */
export async function conversationExportCommand(
  args: string[],
  target: () => Promise<PlatformTarget>,
  write: (line: string) => Promise<void> = stdoutLine,
): Promise<number> {
  const { values } = parseCommand(EXPORT_USAGE, args, {
    tenant: { type: 'string' },
    since: { type: 'string' },
    customer: { type: 'string' },
  });
  const id = tenantId(values.tenant, EXPORT_USAGE);
  const customer =
    values.customer === undefined ? undefined : phone(values.customer, '--customer', EXPORT_USAGE);
  let since: string | undefined;
  if (values.since !== undefined) {
    const parsed = parseSince(values.since);
    if (!parsed.ok) throw new CliError(`--since: ${parsed.reason}`, 2);
    since = parsed.iso;
  }
  const platform = await target();
  if (!(await new DynamoTenantAdmin(platform.dynamo, platform.tableName).getProfile(id)))
    throw new CliError(`tenant ${id} not found`);
  let lines = 0;
  const requests = new DynamoDataRequests(platform.dynamo, platform.tableName);
  for await (const line of requests.exportTranscripts(id, {
    ...(since !== undefined ? { since } : {}),
    ...(customer !== undefined ? { customer } : {}),
  })) {
    // Customer text: no control sequence reaches a terminal (as every command's output).
    await write(terminalSafeJson(line));
    lines += 1;
  }
  return lines;
}
