import { DEFAULT_RETENTION_DAYS } from '../../domain/data-requests';
import type { ConversationScope } from '../../ports/conversation-store';

/**
 * The single table's key layout. A tenant's configuration is under `TENANT#<id>`; a customer's
 * history with a tenant under `CONV#<tenant>#<customer>`: one state item per business number the
 * customer texts (a conversation is tenant + business number + customer) and the transcript of
 * all of them, each entry naming its business number; sends and messages by id.
 */
const STATE_PREFIX = 'STATE#';
const POOL_PREFIX = 'POOL#';
const EVENT_SUBSCRIPTION_PREFIX = 'EVENTSUB#';
const CAMPAIGN_DUE_PREFIX = 'DUE#';

/** A campaign and its recipients (lambdas/ports/campaign-store.ts). */
function campaignPartition(tenantId: string, campaignId: string): string {
  return `CAMPAIGN#${tenantId}#${campaignId}`;
}

function campaignListPartition(tenantId: string): string {
  return `CAMPAIGNS#${tenantId}`;
}

/**
 * A due item's time: epoch ms in 13 digits, so sort keys order by time (13 digits last until 2286).
 * A string, so key builders take strings only.
 */
export function campaignDueTime(notBeforeMs: number): string {
  if (!Number.isSafeInteger(notBeforeMs) || notBeforeMs < 0 || notBeforeMs >= 1e13)
    throw new RangeError(`not an epoch ms time of 13 digits: ${notBeforeMs}`);
  return String(notBeforeMs).padStart(13, '0');
}

function handoffListPartition(tenantId: string): string {
  return `HANDOFFS#${tenantId}`;
}

/** A customer's history with a tenant: the state of each conversation and the transcript of all. */
function customerPartition(tenantId: string, customer: string): string {
  return `CONV#${tenantId}#${customer}`;
}

export const keys = {
  tenantProfile: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'PROFILE' }),
  tenantNumber: (tenantId: string, number: string) => ({ pk: `TENANT#${tenantId}`, sk: `NUMBER#${number}` }),
  /** A named set of the tenant's numbers that a campaign sends from (lambdas/domain/number-pool.ts). */
  tenantPool: (tenantId: string, name: string) => ({ pk: `TENANT#${tenantId}`, sk: `${POOL_PREFIX}${name}` }),
  tenantPoolPrefix: POOL_PREFIX,
  /** A subscription to the tenant's lifecycle events (lambdas/domain/events/subscription.ts). */
  eventSubscription: (tenantId: string, subscriptionId: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `${EVENT_SUBSCRIPTION_PREFIX}${subscriptionId}`,
  }),
  eventSubscriptionPrefix: EVENT_SUBSCRIPTION_PREFIX,
  workflow: (tenantId: string, workflowId: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `WORKFLOW#${workflowId}`,
  }),
  conversationState: (scope: ConversationScope) => ({
    pk: customerPartition(scope.tenantId, scope.customer),
    sk: `${STATE_PREFIX}${scope.businessNumber}`,
  }),
  conversationStatePrefix: STATE_PREFIX,
  customerPartition,
  transcriptEntry: (tenantId: string, customer: string, transcriptKey: string) => ({
    pk: customerPartition(tenantId, customer),
    sk: `MSG#${transcriptKey}`,
  }),
  transcriptPrefix: 'MSG#',
  /** The customer's language with the tenant (lambdas/ports/language-preferences.ts), in their partition. */
  languagePreference: (tenantId: string, customer: string) => ({
    pk: customerPartition(tenantId, customer),
    sk: 'LANG',
  }),
  /**
   * Under a prefix of its own, not `TENANT#`: the functions that record opt-outs (conversation,
   * sender) must not be able to write a tenant's configuration (numbers, workflows).
   */
  optOut: (tenantId: string, customer: string) => ({ pk: `OPTOUT#${tenantId}#${customer}`, sk: 'OPTOUT' }),
  /**
   * An erased customer's opt-out, keyed by suppressionHash (lambdas/domain/data-requests.ts) instead
   * of the number: same prefix, so the functions that check opt-outs may read it.
   */
  optOutSuppression: (tenantId: string, hash: string) => ({
    pk: `OPTOUT#${tenantId}#sha256:${hash}`,
    sk: 'OPTOUT',
  }),
  /** An Idempotency-Key of a tenant's API or CLI start (its own partition: keys are many and short-lived). */
  idempotencyKey: (tenantId: string, key: string) => ({ pk: `IDEMPOTENCY#${tenantId}#${key}`, sk: 'KEY' }),
  message: (sid: string) => ({ pk: `MESSAGE#${sid}`, sk: 'META' }),
  messageEvent: (sid: string, status: string) => ({ pk: `MESSAGE#${sid}`, sk: `EVENT#${status}` }),
  /** One per sender number, shared by all tenants' sends from it (a number has one carrier rate). */
  sendPacing: (from: string) => ({ pk: `PACE#${from}`, sk: 'PACE' }),
  /** The notifier's record of one completion webhook; the notifier may touch only `WEBHOOK#` items. */
  campaign: (tenantId: string, campaignId: string) => ({
    pk: campaignPartition(tenantId, campaignId),
    sk: 'META',
  }),
  /** One recipient of a campaign, once per number (a conditional put). */
  campaignRecipient: (tenantId: string, campaignId: string, phone: string) => ({
    pk: campaignPartition(tenantId, campaignId),
    sk: `R#${phone}`,
  }),
  /** A recipient waiting for its time (`dueTime` from campaignDueTime): the dispatcher reads these in order. */
  campaignDue: (tenantId: string, campaignId: string, dueTime: string, phone: string) => ({
    pk: campaignPartition(tenantId, campaignId),
    sk: `${CAMPAIGN_DUE_PREFIX}${dueTime}#${phone}`,
  }),
  campaignDuePrefix: CAMPAIGN_DUE_PREFIX,
  /** The tenant's list of campaigns, in creation order. */
  campaignListEntry: (tenantId: string, createdAt: string, campaignId: string) => ({
    pk: campaignListPartition(tenantId),
    sk: `${createdAt}#${campaignId}`,
  }),
  campaignListPartition,
  /**
   * A handed-off conversation in its tenant's list (the inbox): one partition per tenant, so the
   * list is one query. Written and removed with the conversation's state.
   */
  handoffListing: (tenantId: string, businessNumber: string, customer: string) => ({
    pk: handoffListPartition(tenantId),
    sk: `${businessNumber}#${customer}`,
  }),
  handoffListPartition,
  /**
   * A tenant's understanding-port tokens in one month (`yyyy-mm`, UTC): an atomic counter. Under a
   * prefix of its own, so the conversation function may count without writing `TENANT#` items.
   */
  understandingUsage: (tenantId: string, month: string) => ({
    pk: `LLMUSAGE#${tenantId}`,
    sk: `MONTH#${month}`,
  }),
  webhookDelivery: (tenantId: string, webhookId: string) => ({
    pk: `WEBHOOK#${tenantId}#${webhookId}`,
    sk: 'DELIVERY',
  }),
  /** The notifier's cool-down of one destination (a subscription, a completion URL) after a failure. */
  webhookDestination: (tenantId: string, destinationId: string) => ({
    pk: `WEBHOOK#${tenantId}#${destinationId}`,
    sk: 'DESTINATION',
  }),
} as const;

/** DynamoDB TTL works in epoch seconds. */
export function ttlSeconds(iso: string, keepForDays: number): number {
  return Math.floor(Date.parse(iso) / 1000) + keepForDays * 24 * 60 * 60;
}

/**
 * How long transcripts, sends and message histories are kept when the tenant's profile says
 * nothing (`smsctl tenant put --retention-days N` sets the tenant's own: SendIdentity.retentionDays,
 * DynamoConversationStore's retention).
 */
export const RETENTION_DAYS = DEFAULT_RETENTION_DAYS;

/** Open (non-final) messages are spread over a few index partitions, picked from the SID's last hex digit. */
export const OPEN_SHARDS = 4;

export function openShardOf(sid: string): string {
  return `OPEN#${Number.parseInt(sid.slice(-1), 16) % OPEN_SHARDS || 0}`;
}

export function allOpenShards(): string[] {
  return Array.from({ length: OPEN_SHARDS }, (_, index) => `OPEN#${index}`);
}
