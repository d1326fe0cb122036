import { randomBytes } from 'node:crypto';
import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { MIN_SIGNING_KEY_LENGTH } from '../../lambdas/domain/completion-webhook/signature';
import { putTenantSecret, putTenantWebhookSecret } from '../../local/tenants';
import { CliError } from '../cli-error';
import { parseCommand, required, sid, tenantId } from '../flags';
import type { CommandResult } from '../output';
import type { PlatformTarget } from '../target';

const PUT_USAGE =
  'tenant put --tenant ID --account-sid AC… --auth-token TOKEN [--messaging-service-sid MG…] [--name N]';
const WEBHOOK_KEY_USAGE = 'tenant webhook-key --tenant ID [--key KEY]';

/** A profile as shown to operators: never any credential. */
function profileView(item: Record<string, unknown>) {
  return {
    tenantId: String(item.tenantId),
    ...(item.name ? { name: String(item.name) } : {}),
    ...(item.accountSid ? { accountSid: String(item.accountSid) } : {}),
    ...(item.messagingServiceSid ? { messagingServiceSid: String(item.messagingServiceSid) } : {}),
    updatedAt: String(item.updatedAt),
  };
}

export async function tenantCommand(
  action: string | undefined,
  args: string[],
  target: () => Promise<PlatformTarget>,
): Promise<CommandResult> {
  switch (action) {
    case 'put': {
      const { values } = parseCommand(PUT_USAGE, args, {
        tenant: { type: 'string' },
        'account-sid': { type: 'string' },
        'auth-token': { type: 'string' },
        'messaging-service-sid': { type: 'string' },
        name: { type: 'string' },
      });
      const id = tenantId(values.tenant, PUT_USAGE);
      const accountSid = sid(
        required(values['account-sid'], '--account-sid', PUT_USAGE),
        'AC',
        '--account-sid',
      );
      const authToken = required(values['auth-token'], '--auth-token', PUT_USAGE);
      const messagingServiceSid = sid(values['messaging-service-sid'], 'MG', '--messaging-service-sid');
      const platform = await target();
      await putTenantSecret(platform.secrets, platform.tenantSecretPrefix, id, {
        accountSid: accountSid as string,
        authToken,
        ...(messagingServiceSid ? { messagingServiceSid } : {}),
      });
      // The profile repeats the non-secret SIDs so `tenant get` needs no secret read.
      const admin = new DynamoTenantAdmin(platform.dynamo, platform.tableName);
      // Re-putting credentials (a token rotation) keeps the name given earlier.
      const name = values.name ?? (await admin.getProfile(id))?.name;
      const profile = {
        ...(name ? { name: String(name) } : {}),
        accountSid,
        ...(messagingServiceSid ? { messagingServiceSid } : {}),
        updatedAt: new Date().toISOString(),
      };
      await admin.putProfile(id, profile);
      const view = profileView({ tenantId: id, ...profile });
      return { json: { ok: true, tenant: view }, lines: [`tenant ${id} saved (${platform.description})`] };
    }
    case 'webhook-key': {
      // The key completion webhooks are signed with (README, "Completion webhooks"). A generated
      // key is printed once, because the tenant's receiver needs it; a given one is never echoed.
      const { values } = parseCommand(WEBHOOK_KEY_USAGE, args, {
        tenant: { type: 'string' },
        key: { type: 'string' },
      });
      const id = tenantId(values.tenant, WEBHOOK_KEY_USAGE);
      if (values.key !== undefined && values.key.length < MIN_SIGNING_KEY_LENGTH)
        throw new CliError(`--key must be at least ${MIN_SIGNING_KEY_LENGTH} characters`, 2);
      const signingKey = values.key ?? randomBytes(32).toString('base64url');
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
    default:
      throw new CliError(`unknown tenant action "${action ?? ''}" (put, get, list, webhook-key)`, 2);
  }
}
