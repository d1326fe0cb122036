import type { ConversationScope } from '../../ports/conversation-store';

/**
 * The single table's key layout. A tenant's configuration is under `TENANT#<id>`; a customer's
 * history with a tenant under `CONV#<tenant>#<customer>`: one state item per business number the
 * customer texts (a conversation is tenant + business number + customer) and the transcript of
 * all of them, each entry naming its business number; sends and messages by id.
 */
const STATE_PREFIX = 'STATE#';

/** A customer's history with a tenant: the state of each conversation and the transcript of all. */
function customerPartition(tenantId: string, customer: string): string {
  return `CONV#${tenantId}#${customer}`;
}

export const keys = {
  tenantProfile: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'PROFILE' }),
  tenantNumber: (tenantId: string, number: string) => ({ pk: `TENANT#${tenantId}`, sk: `NUMBER#${number}` }),
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
  /**
   * Under a prefix of its own, not `TENANT#`: the functions that record opt-outs (conversation,
   * sender) must not be able to write a tenant's configuration (numbers, workflows).
   */
  optOut: (tenantId: string, customer: string) => ({ pk: `OPTOUT#${tenantId}#${customer}`, sk: 'OPTOUT' }),
  /** An Idempotency-Key of a tenant's API or CLI start (its own partition: keys are many and short-lived). */
  idempotencyKey: (tenantId: string, key: string) => ({ pk: `IDEMPOTENCY#${tenantId}#${key}`, sk: 'KEY' }),
  message: (sid: string) => ({ pk: `MESSAGE#${sid}`, sk: 'META' }),
  messageEvent: (sid: string, status: string) => ({ pk: `MESSAGE#${sid}`, sk: `EVENT#${status}` }),
  /** One per sender number, shared by all tenants' sends from it (a number has one carrier rate). */
  sendPacing: (from: string) => ({ pk: `PACE#${from}`, sk: 'PACE' }),
  /** The notifier's record of one completion webhook; the notifier may touch only `WEBHOOK#` items. */
  webhookDelivery: (tenantId: string, webhookId: string) => ({
    pk: `WEBHOOK#${tenantId}#${webhookId}`,
    sk: 'DELIVERY',
  }),
} as const;

/** DynamoDB TTL works in epoch seconds. */
export function ttlSeconds(iso: string, keepForDays: number): number {
  return Math.floor(Date.parse(iso) / 1000) + keepForDays * 24 * 60 * 60;
}

/** How long transcripts, sends and message histories are kept. */
export const RETENTION_DAYS = 90;

/** Open (non-final) messages are spread over a few index partitions, picked from the SID's last hex digit. */
export const OPEN_SHARDS = 4;

export function openShardOf(sid: string): string {
  return `OPEN#${Number.parseInt(sid.slice(-1), 16) % OPEN_SHARDS || 0}`;
}

export function allOpenShards(): string[] {
  return Array.from({ length: OPEN_SHARDS }, (_, index) => `OPEN#${index}`);
}
