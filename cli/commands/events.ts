import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { DynamoEventSubscriptions } from '../../lambdas/adapters/dynamodb/event-subscriptions';
import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import {
  hostAddresses,
  type ResolveHost,
  systemResolve,
} from '../../lambdas/adapters/pinned-webhook-transport';
import { type EventTypeFilter, parseEventTypeFilter } from '../../lambdas/domain/events/catalog';
import { newSecret } from '../../lambdas/domain/events/standard-webhooks';
import {
  type EventSubscription,
  isSubscriptionId,
  subscriptionIdFrom,
} from '../../lambdas/domain/events/subscription';
import {
  type OutboundUrlPolicy,
  outboundProtocol,
  outboundUrlProblem,
  resolvedHostProblem,
} from '../../lambdas/domain/outbound-url-policy';
import { tenantWebhookSecretName } from '../../lambdas/domain/tenant';
import { putTenantWebhookSecret } from '../../local/tenants';
import { CliError } from '../cli-error';
import { parseCommand, required, tenantId } from '../flags';
import type { CommandResult } from '../output';
import type { PlatformTarget } from '../target';
import { webhookUrlPolicyOf } from './workflow-put';

const SUBSCRIBE_USAGE = 'events subscribe --tenant ID --url URL [--types TYPE,TYPE,...|all]';
const LIST_USAGE = 'events list --tenant ID';
const UNSUBSCRIBE_USAGE = 'events unsubscribe --tenant ID --subscription sub_…';

export interface EventsCommandOptions {
  readonly now?: () => Date;
  readonly random?: (size: number) => Uint8Array;
  readonly resolve?: ResolveHost;
}

/**
 * Why the stage's outbound URL policy refuses `url`, the host resolved now (a name that points at
 * a private address is refused here, not only at delivery); undefined when it may be used. A name
 * that does not resolve now passes: the notifier checks every answer again at every delivery.
 */
export async function subscriptionUrlProblem(
  url: string,
  policy: OutboundUrlPolicy,
  resolve: ResolveHost,
): Promise<string | undefined> {
  const problem = outboundUrlProblem(url, policy);
  if (problem) return problem;
  const parsed = new URL(url);
  let addresses: readonly string[];
  try {
    addresses = await hostAddresses(parsed, resolve);
  } catch {
    return undefined;
  }
  return resolvedHostProblem(addresses, policy, outboundProtocol(parsed));
}

function typesText(types: EventTypeFilter): string {
  return types === 'all' ? 'all' : types.join(',');
}

function view(subscription: EventSubscription) {
  return {
    subscriptionId: subscription.subscriptionId,
    url: subscription.url,
    types: subscription.types,
    createdAt: subscription.createdAt,
  };
}

/** The tenant's signing key exists (whichever form), or is created now as a `whsec_` secret and returned once. */
async function ensureSigningKey(
  platform: PlatformTarget,
  tenant: string,
  random: (size: number) => Uint8Array,
): Promise<string | undefined> {
  try {
    await platform.secrets.send(
      new GetSecretValueCommand({ SecretId: tenantWebhookSecretName(platform.tenantSecretPrefix, tenant) }),
    );
    return undefined;
  } catch (error) {
    if (
      !(error instanceof ResourceNotFoundException) &&
      (error as Error).name !== 'ResourceNotFoundException'
    )
      throw error;
  }
  const signingKey = newSecret(random(32));
  await putTenantWebhookSecret(platform.secrets, platform.tenantSecretPrefix, tenant, { signingKey });
  return signingKey;
}

export async function eventsCommand(
  action: string | undefined,
  args: string[],
  target: () => Promise<PlatformTarget>,
  options: EventsCommandOptions = {},
): Promise<CommandResult> {
  const now = options.now ?? (() => new Date());
  const random = options.random ?? ((size: number) => new Uint8Array(randomBytes(size)));
  switch (action) {
    case 'subscribe': {
      const { values } = parseCommand(SUBSCRIBE_USAGE, args, {
        tenant: { type: 'string' },
        url: { type: 'string' },
        types: { type: 'string' },
      });
      const id = tenantId(values.tenant, SUBSCRIBE_USAGE);
      const url = required(values.url, '--url', SUBSCRIBE_USAGE);
      const parsed = parseEventTypeFilter(values.types);
      if (!parsed.ok) throw new CliError(`--types: ${parsed.error}`, 2);
      const platform = await target();
      // Checked before anything is stored: a refused URL leaves no subscription and no secret behind.
      const problem = await subscriptionUrlProblem(
        url,
        webhookUrlPolicyOf(platform),
        options.resolve ?? systemResolve,
      );
      if (problem) throw new CliError(`--url ${problem} (${platform.description})`, 2);
      if (!(await new DynamoTenantAdmin(platform.dynamo, platform.tableName).getProfile(id)))
        throw new CliError(`tenant ${id} not found; create it with smsctl tenant put`);
      const subscription: EventSubscription = {
        tenantId: id,
        subscriptionId: subscriptionIdFrom(random(8)),
        url,
        types: parsed.filter,
        createdAt: now().toISOString(),
      };
      const createdKey = await ensureSigningKey(platform, id, random);
      await new DynamoEventSubscriptions(platform.dynamo, platform.tableName).put(subscription);
      return {
        json: { ok: true, subscription: view(subscription), ...(createdKey ? { secret: createdKey } : {}) },
        lines: [
          `subscription ${subscription.subscriptionId} of tenant ${id} saved (${platform.description}): ${typesText(subscription.types)} -> ${url}`,
          createdKey
            ? `signing secret (shown once; give it to the receiver's standardwebhooks Webhook): ${createdKey}`
            : "signed with the tenant's webhook signing key (smsctl tenant webhook-key)",
        ],
      };
    }
    case 'list': {
      const { values } = parseCommand(LIST_USAGE, args, { tenant: { type: 'string' } });
      const id = tenantId(values.tenant, LIST_USAGE);
      const platform = await target();
      const subscriptions = await new DynamoEventSubscriptions(platform.dynamo, platform.tableName).list(id);
      return {
        json: { subscriptions: subscriptions.map(view) },
        lines:
          subscriptions.length === 0
            ? [`tenant ${id} has no event subscriptions`]
            : subscriptions.map(
                (entry) => `${entry.subscriptionId}  ${typesText(entry.types)}  ${entry.url}`,
              ),
      };
    }
    case 'unsubscribe': {
      const { values } = parseCommand(UNSUBSCRIBE_USAGE, args, {
        tenant: { type: 'string' },
        subscription: { type: 'string' },
      });
      const id = tenantId(values.tenant, UNSUBSCRIBE_USAGE);
      const subscriptionId = required(values.subscription, '--subscription', UNSUBSCRIBE_USAGE);
      if (!isSubscriptionId(subscriptionId))
        throw new CliError(`invalid subscription id "${subscriptionId}": expected sub_ and 16 hex digits`, 2);
      const platform = await target();
      const removed = await new DynamoEventSubscriptions(platform.dynamo, platform.tableName).delete(
        id,
        subscriptionId,
      );
      if (!removed) throw new CliError(`subscription ${subscriptionId} of tenant ${id} not found`);
      return {
        json: { ok: true, subscriptionId },
        lines: [`subscription ${subscriptionId} of tenant ${id} removed (${platform.description})`],
      };
    }
    default:
      throw new CliError(`unknown events action "${action ?? ''}" (subscribe, list, unsubscribe)`, 2);
  }
}
