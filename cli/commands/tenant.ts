import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { isScheduledForDeletion } from '../../lambdas/adapters/secrets-manager-credentials';
import { MIN_SIGNING_KEY_LENGTH } from '../../lambdas/domain/completion-webhook/signature';
import { newSecret, signingKeyProblem } from '../../lambdas/domain/events/standard-webhooks';
import {
  DEFAULT_RETENTION_DAYS,
  parseRetentionDays,
  retentionDaysOf,
} from '../../lambdas/domain/data-requests';
import {
  DEFAULT_LLM_TOKENS_PER_MONTH,
  parseTokenBudget,
  tokenBudgetOf,
} from '../../lambdas/domain/understanding/budget';
import { parseGraceDuration, withRotation } from '../../lambdas/domain/tenant-credentials-rotation';
import { formatQuietHours, parseQuietHours } from '../../lambdas/domain/campaign/quiet-hours';
import { tenantQuietHoursOf } from '../../lambdas/domain/workflow/reminder-quiet-hours';
import { putTenantSecret, putTenantWebhookSecret, readTenantSecret } from '../../local/tenants';
import { CliError } from '../cli-error';
import { parseCommand, sid, tenantId } from '../flags';
import type { CommandResult } from '../output';
import type { PlatformTarget } from '../target';
import { tenantDeleteCommand } from './data-requests';

const PUT_USAGE =
  'tenant put --tenant ID [--account-sid AC…] [--auth-token -|TOKEN] [--previous-token-grace 24h|0] [--messaging-service-sid MG…|none] [--name N] [--retention-days 1..3650] [--llm-tokens-per-month N] [--quiet-hours HH:MM-HH:MM|none]';
/** `--messaging-service-sid none`: send from the numbers again, not through a Messaging Service. */
const REMOVE = 'none';

/** `--retention-days N`: undefined when not given (the tenant keeps its own, or the default). */
function retentionDaysFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseRetentionDays(value);
  if (!parsed.ok) throw new CliError(`--retention-days ${parsed.reason}`, 2);
  return parsed.days;
}

/** `--llm-tokens-per-month N`: undefined when not given (the tenant keeps its own, or the default). */
function tokenBudgetFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseTokenBudget(value);
  if (!parsed.ok) throw new CliError(`--llm-tokens-per-month ${parsed.reason}`, 2);
  return parsed.tokens;
}

/**
 * `--quiet-hours 21:00-08:00`: reminders due then wait for the end, on the customer's clock
 * (docs/workflows.md "Reminders"). Undefined when not given (kept), null for `none` (removed).
 */
function quietHoursFlag(value: string | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === REMOVE) return null;
  const parsed = parseQuietHours(value);
  if (!parsed.ok) throw new CliError(`--quiet-hours: ${parsed.reason}`, 2);
  return formatQuietHours(parsed.quietHours);
}

/** `--previous-token-grace`: undefined when not given (withRotation's default applies). */
function previousTokenGrace(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseGraceDuration(value);
  if (!parsed.ok) throw new CliError(`--previous-token-grace: ${parsed.reason}`, 2);
  return parsed.ms;
}

/**
 * The auth token from standard input: `--auth-token -` keeps it out of argv and shell history.
 * On a terminal, a prompt that does not echo what is typed; otherwise the first line.
 */
export async function readStdinLine(): Promise<string> {
  if (process.stdin.isTTY) return readHiddenLine('Auth token (not shown): ');
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    lines.close();
    return line.trim();
  }
  return '';
}

/** Raw mode turns echo off; Enter ends, Backspace deletes, Ctrl-C cancels. */
function readHiddenLine(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish();
          resolve(typed.trim());
          return;
        }
        if (char === '\u0003') {
          finish();
          reject(new CliError('cancelled', 130));
          return;
        }
        typed = char === '\u007f' || char === '\b' ? typed.slice(0, -1) : typed + char;
      }
    };
    input.on('data', onData);
  });
}

const WEBHOOK_KEY_USAGE = 'tenant webhook-key --tenant ID [--key KEY]';

/** A profile as shown to operators: never any credential. */
function profileView(item: Record<string, unknown>) {
  return {
    tenantId: String(item.tenantId),
    ...(item.name ? { name: String(item.name) } : {}),
    ...(item.accountSid ? { accountSid: String(item.accountSid) } : {}),
    ...(item.messagingServiceSid ? { messagingServiceSid: String(item.messagingServiceSid) } : {}),
    ...(item.previousTokenValidUntil
      ? { previousTokenValidUntil: String(item.previousTokenValidUntil) }
      : {}),
    retentionDays: retentionDaysOf(item) ?? DEFAULT_RETENTION_DAYS,
    llmTokensPerMonth: tokenBudgetOf(item) ?? DEFAULT_LLM_TOKENS_PER_MONTH,
    ...withQuietHours(tenantQuietHoursOf(item)),
    updatedAt: String(item.updatedAt),
  };
}

export async function tenantCommand(
  action: string | undefined,
  args: string[],
  target: () => Promise<PlatformTarget>,
  readSecretLine: () => Promise<string> = readStdinLine,
  /** A person at a terminal: a new tenant without --auth-token is asked for it. */
  interactive: boolean = process.stdin.isTTY === true,
): Promise<CommandResult> {
  switch (action) {
    case 'put': {
      const { values } = parseCommand(PUT_USAGE, args, {
        tenant: { type: 'string' },
        'account-sid': { type: 'string' },
        'auth-token': { type: 'string' },
        'previous-token-grace': { type: 'string' },
        'messaging-service-sid': { type: 'string' },
        name: { type: 'string' },
        'retention-days': { type: 'string' },
        'llm-tokens-per-month': { type: 'string' },
        'quiet-hours': { type: 'string' },
      });
      const id = tenantId(values.tenant, PUT_USAGE);
      const givenAccountSid = sid(values['account-sid'], 'AC', '--account-sid');
      const graceMs = previousTokenGrace(values['previous-token-grace']);
      const givenRetention = retentionDaysFlag(values['retention-days']);
      const givenTokenBudget = tokenBudgetFlag(values['llm-tokens-per-month']);
      const givenQuietHours = quietHoursFlag(values['quiet-hours']);
      const messagingServiceFlag = values['messaging-service-sid'];
      const givenServiceSid =
        messagingServiceFlag === REMOVE
          ? undefined
          : sid(messagingServiceFlag, 'MG', '--messaging-service-sid');
      let givenToken = values['auth-token'] === '-' ? await readSecretLine() : values['auth-token'];
      if (givenToken === '') throw new CliError('--auth-token -: no token on standard input', 2);
      const platform = await target();
      // What is not given is kept (a token rotation keeps the Messaging Service and API key).
      const existing = await readTenantSecret(platform.secrets, platform.tenantSecretPrefix, id).catch(
        (error: unknown) => {
          // A deleted tenant's id is taken until its secrets' recovery window ends (tenant delete).
          if (isScheduledForDeletion(error))
            throw new CliError(
              `tenant ${id} was deleted and its secrets are scheduled for deletion: restore them with ` +
                'aws secretsmanager restore-secret, or wait until their recovery window ends',
            );
          throw error;
        },
      );
      // A new tenant needs a token; at a terminal, ask for it rather than have it typed into argv.
      if (givenToken === undefined && givenAccountSid && !existing && interactive) {
        givenToken = await readSecretLine();
        if (givenToken === '') throw new CliError('no auth token given', 2);
      }
      const accountSid = givenAccountSid ?? existing?.accountSid;
      const authToken = givenToken ?? existing?.authToken;
      if (!accountSid || !authToken)
        throw new CliError(
          `a new tenant needs --account-sid and --auth-token; usage: smsctl ${PUT_USAGE}`,
          2,
        );
      // API keys and a Messaging Service belong to an account: a new account keeps none of them.
      const sameAccount = existing?.accountSid === accountSid;
      const { messagingServiceSid: keptServiceSid, ...kept } = sameAccount ? existing : {};
      const messagingServiceSid =
        messagingServiceFlag === REMOVE ? undefined : (givenServiceSid ?? keptServiceSid);
      const now = new Date();
      // A replaced token stays valid for the grace (withRotation decides the previous-token fields).
      const secret = withRotation(
        existing,
        { ...kept, accountSid, authToken, ...(messagingServiceSid ? { messagingServiceSid } : {}) },
        { now, graceMs },
      );
      await putTenantSecret(platform.secrets, platform.tenantSecretPrefix, id, secret);
      // The profile repeats the non-secret SIDs so `tenant get` needs no secret read.
      const admin = new DynamoTenantAdmin(platform.dynamo, platform.tableName);
      // Re-putting credentials (a token rotation) keeps the name and the retention given earlier.
      const earlier = await admin.getProfile(id);
      const name = values.name ?? earlier?.name;
      const retentionDays = givenRetention ?? retentionDaysOf(earlier);
      const llmTokensPerMonth = givenTokenBudget ?? tokenBudgetOf(earlier);
      const quietHours =
        givenQuietHours === null ? undefined : (givenQuietHours ?? tenantQuietHoursOf(earlier));
      // The deadline, not the token: operators see how long the old token is still accepted.
      const previousTokenValidUntil = secret.previousAuthToken
        ? secret.previousAuthTokenValidUntil
        : undefined;
      const profile = {
        ...(name ? { name: String(name) } : {}),
        accountSid,
        ...(messagingServiceSid ? { messagingServiceSid } : {}),
        ...(previousTokenValidUntil ? { previousTokenValidUntil } : {}),
        ...(retentionDays !== undefined ? { retentionDays } : {}),
        ...(llmTokensPerMonth !== undefined ? { llmTokensPerMonth } : {}),
        ...withQuietHours(quietHours),
        updatedAt: now.toISOString(),
      };
      await admin.putProfile(id, profile);
      const view = profileView({ tenantId: id, ...profile });
      return {
        json: { ok: true, tenant: view },
        lines: [
          `tenant ${id} saved (${platform.description})`,
          ...(previousTokenValidUntil
            ? [`the previous auth token is accepted on webhooks until ${previousTokenValidUntil}`]
            : []),
        ],
      };
    }
    case 'webhook-key': {
      // The key completion webhooks are signed with (docs/workflows.md, "Completion webhooks"). A generated
      // key is printed once, because the tenant's receiver needs it; a given one is never echoed.
      const { values } = parseCommand(WEBHOOK_KEY_USAGE, args, {
        tenant: { type: 'string' },
        key: { type: 'string' },
      });
      const id = tenantId(values.tenant, WEBHOOK_KEY_USAGE);
      if (values.key !== undefined && values.key.length < MIN_SIGNING_KEY_LENGTH)
        throw new CliError(`--key must be at least ${MIN_SIGNING_KEY_LENGTH} characters`, 2);
      const keyProblem = values.key === undefined ? undefined : signingKeyProblem(values.key);
      if (keyProblem) throw new CliError(`--key: ${keyProblem}`, 2);
      // A Standard Webhooks secret (`whsec_` + base64), what receivers' standardwebhooks library takes.
      const signingKey = values.key ?? newSecret(new Uint8Array(randomBytes(32)));
      const platform = await target();
      if (!(await new DynamoTenantAdmin(platform.dynamo, platform.tableName).getProfile(id)))
        throw new CliError(`tenant ${id} not found`);
      await putTenantWebhookSecret(platform.secrets, platform.tenantSecretPrefix, id, { signingKey });
      const generated = values.key === undefined;
      return {
        json: { ok: true, tenantId: id, ...(generated ? { signingKey } : {}) },
        lines: [
          `webhook signing key of tenant ${id} saved (${platform.description})`,
          ...(generated ? [`signing key (shown once): ${signingKey}`] : []),
        ],
      };
    }
    case 'get': {
      const usage = 'tenant get --tenant ID';
      const id = tenantId(parseCommand(usage, args, { tenant: { type: 'string' } }).values.tenant, usage);
      const platform = await target();
      const admin = new DynamoTenantAdmin(platform.dynamo, platform.tableName);
      const item = await admin.getProfile(id);
      if (!item) throw new CliError(`tenant ${id} not found`);
      const numbers = (await admin.listNumbers(id)).map((entry) => String(entry.number));
      const view = { ...profileView(item), numbers };
      return {
        json: { tenant: view },
        lines: Object.entries(view).map(([key, value]) => `${key.padEnd(20)} ${String(value)}`),
      };
    }
    case 'list': {
      parseCommand('tenant list', args, {});
      const platform = await target();
      const tenants = (await new DynamoTenantAdmin(platform.dynamo, platform.tableName).listProfiles()).map(
        profileView,
      );
      return {
        json: { tenants },
        lines: tenants.map((tenant) => `${tenant.tenantId.padEnd(24)} ${tenant.name ?? ''}`.trimEnd()),
      };
    }
    case 'delete':
      return tenantDeleteCommand(args, target);
    default:
      throw new CliError(`unknown tenant action "${action ?? ''}" (put, get, list, webhook-key, delete)`, 2);
  }
}

function withQuietHours(quietHours: string | undefined): { quietHours?: string } {
  return quietHours !== undefined ? { quietHours } : {};
}
