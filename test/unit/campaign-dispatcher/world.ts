import { readFileSync } from 'node:fs';
import { MemoryCampaignStore } from '../../../lambdas/adapters/memory/campaign-store';
import { MemoryMessageQueue } from '../../../lambdas/adapters/memory/message-queue';
import { MemoryOptOutStore } from '../../../lambdas/adapters/memory/opt-out-store';
import { MemoryTenantDirectory } from '../../../lambdas/adapters/memory/tenant-directory';
import {
  type CampaignTickDeps,
  runCampaignTick,
  type TickOutcome,
} from '../../../lambdas/campaign-dispatcher/tick';
import type { StartOutboundDeps } from '../../../lambdas/conversations-api/start-outbound';
import type { CampaignTickMessage, OutboundQueueMessage } from '../../../lambdas/domain/queue-messages';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import type {
  CampaignDefinition,
  CampaignRecipient,
  CampaignSender,
} from '../../../lambdas/ports/campaign-store';
import type { ConversationRecord, ConversationStartStore } from '../../../lambdas/ports/conversation-store';
import type { IdempotencyRecord, IdempotencyStore } from '../../../lambdas/ports/idempotency-store';
import type { QueuedMessage } from '../../../lambdas/ports/message-queue';

const parsed = parseWorkflow(JSON.parse(readFileSync('examples/workflows/order-status.json', 'utf8')));
if (!parsed.ok) throw new Error(parsed.errors.join('; '));
export const ORDER_STATUS: Workflow = parsed.workflow;

export const TENANT = 'acme';
/** 2 segments per second. */
export const NUMBER = '+15005550101';
export const POOL_MEMBERS = [
  { number: '+15005550111', segmentsPerSecond: 1 },
  { number: '+15005550112', segmentsPerSecond: 2 },
  { number: '+15005550113', segmentsPerSecond: 3 },
] as const;
export const CAMPAIGN_ID = `cmp-${'a'.repeat(32)}`;
/** Tuesday 10 March 2026, 14:00 UTC: 10:00 in New York, 15:00 in Paris. */
export const T0 = Date.parse('2026-03-10T14:00:00.000Z');

/** Conversations by tenant + business number + customer, with startOutbound's commit semantics. */
export class MemoryConversationStarts implements ConversationStartStore {
  readonly conversations = new Map<string, ConversationRecord>();
  private readonly transcriptKeys = new Set<string>();

  private key(tenantId: string, businessNumber: string, customer: string): string {
    return `${tenantId}#${businessNumber}#${customer}`;
  }

  put(record: ConversationRecord): void {
    this.conversations.set(this.key(record.tenantId, record.businessNumber, record.customer), record);
  }

  async load(scope: { tenantId: string; businessNumber: string; customer: string }) {
    return this.conversations.get(this.key(scope.tenantId, scope.businessNumber, scope.customer));
  }

  async commitStart(commit: Parameters<ConversationStartStore['commitStart']>[0]) {
    const marker = `${commit.tenantId}#${commit.customer}#${commit.replies[0]?.transcriptKey}`;
    if (this.transcriptKeys.has(marker)) return 'duplicate' as const;
    const key = this.key(commit.tenantId, commit.businessNumber, commit.customer);
    if (commit.conversation && this.conversations.get(key)?.version !== commit.expectedVersion)
      return 'conflict' as const;
    this.transcriptKeys.add(marker);
    if (commit.conversation) this.conversations.set(key, commit.conversation);
    return 'committed' as const;
  }
}

export class MemoryIdempotency implements IdempotencyStore {
  private readonly records = new Map<string, IdempotencyRecord>();

  async find(tenantId: string, key: string) {
    return this.records.get(`${tenantId}#${key}`);
  }

  async claim(tenantId: string, key: string, record: IdempotencyRecord) {
    const existing = this.records.get(`${tenantId}#${key}`);
    if (existing) return existing;
    this.records.set(`${tenantId}#${key}`, record);
    return record;
  }

  async complete(tenantId: string, key: string, response: NonNullable<IdempotencyRecord['response']>) {
    const existing = this.records.get(`${tenantId}#${key}`);
    if (existing) this.records.set(`${tenantId}#${key}`, { ...existing, response });
  }
}

/** The dispatcher over memory ports, with a clock the test moves and the campaigns queue it reads. */
export function campaignWorld() {
  let nowMs = T0;
  const now = () => new Date(nowMs);
  const directory = new MemoryTenantDirectory().putWorkflow(TENANT, ORDER_STATUS);
  directory.putNumber({
    tenantId: TENANT,
    number: NUMBER,
    workflowId: ORDER_STATUS.id,
    allowInboundStart: true,
    segmentsPerSecond: 2,
  });
  for (const member of POOL_MEMBERS)
    directory.putNumber({
      tenantId: TENANT,
      number: member.number,
      workflowId: ORDER_STATUS.id,
      allowInboundStart: true,
      segmentsPerSecond: member.segmentsPerSecond,
    });
  const campaigns = new MemoryCampaignStore(now);
  const conversations = new MemoryConversationStarts();
  const optOuts = new MemoryOptOutStore();
  const outbound = new MemoryMessageQueue<OutboundQueueMessage>();
  const ticks = new MemoryMessageQueue<CampaignTickMessage>();
  let ids = 0;
  const start: StartOutboundDeps = {
    tenants: Object.assign(directory, { tenantExists: async (tenantId: string) => tenantId === TENANT }),
    conversations,
    optOuts,
    outbound,
    idempotency: new MemoryIdempotency(),
    now,
    randomId: () => `r${(ids += 1)}`,
  };
  const deps: CampaignTickDeps = { campaigns, start, ticks, now };

  async function createCampaign(
    overrides: Partial<CampaignDefinition> = {},
    recipients: readonly CampaignRecipient[] = [],
    options: { complete?: boolean } = {},
  ): Promise<CampaignDefinition> {
    const definition: CampaignDefinition = {
      tenantId: TENANT,
      campaignId: CAMPAIGN_ID,
      sender: { kind: 'number', from: NUMBER, segmentsPerSecond: 2 } satisfies CampaignSender,
      content: { kind: 'workflow', workflowId: ORDER_STATUS.id },
      defaultTimeZone: 'America/New_York',
      startAt: new Date(nowMs).toISOString(),
      createdAt: new Date(nowMs).toISOString(),
      ...overrides,
    };
    await campaigns.create(definition);
    for (let index = 0; index < recipients.length; index += 25)
      await campaigns.addRecipients(TENANT, definition.campaignId, recipients.slice(index, index + 25));
    if (options.complete !== false) await campaigns.markRecipientsComplete(TENANT, definition.campaignId);
    return definition;
  }

  const tick = (campaignId = CAMPAIGN_ID, overrides: Partial<CampaignTickDeps> = {}): Promise<TickOutcome> =>
    runCampaignTick({ v: 1, tenantId: TENANT, campaignId }, { ...deps, ...overrides });

  /** The first messages each customer was sent, by send id (a send queued twice counts once). */
  function sendsTo(customer: string): string[] {
    return [
      ...new Set(outbound.sent.filter((message) => message.body.to === customer).map((m) => m.body.sendId)),
    ];
  }

  return {
    campaigns,
    conversations,
    optOuts,
    outbound,
    ticks,
    directory,
    deps,
    createCampaign,
    tick,
    sendsTo,
    now,
    nowMs: () => nowMs,
    setNow: (ms: number) => {
      nowMs = ms;
    },
    advance: (ms: number) => {
      nowMs += ms;
    },
    /** Takes the next tick off the queue (as SQS would deliver it after its delay). */
    nextTick(): QueuedMessage<CampaignTickMessage> | undefined {
      return ticks.sent.shift();
    },
  };
}

export type CampaignWorld = ReturnType<typeof campaignWorld>;

/** Recipients `+1415555<nnnn>` (US numbers: their quiet hours are on the campaign's default zone). */
export function recipients(
  count: number,
  notBeforeMs: number,
  variables: Readonly<Record<string, string>> = {},
): CampaignRecipient[] {
  return Array.from({ length: count }, (_, index) => ({
    phone: `+1415555${String(index).padStart(4, '0')}`,
    variables,
    line: index + 2,
    notBeforeMs,
  }));
}
