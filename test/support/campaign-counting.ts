import { expect } from 'vitest';
import { DynamoCampaignStore } from '../../lambdas/adapters/dynamodb/campaign-store';
import { startOutboundDeps } from '../../lambdas/conversations-api/deps';
import { startOutbound } from '../../lambdas/conversations-api/start-outbound';
import {
  type CampaignCounters,
  campaignIdFor,
  campaignRecipientId,
} from '../../lambdas/domain/campaign/campaign';
import type { OutboundQueueMessage } from '../../lambdas/domain/queue-messages';
import type { MessageQueue, QueuedMessage } from '../../lambdas/ports/message-queue';
import { DEMO_TENANT } from '../../local/seed';
import type { LocalStack } from '../../local/stack';
import { sleep, waitFor } from './wait';

/** Campaigns of the demo tenant on a local stack, started as the campaign dispatcher starts them. */
export function campaignsOn(stack: () => LocalStack) {
  const tenantId = DEMO_TENANT.tenantId;
  const store = () => new DynamoCampaignStore(stack().clients.dynamo, stack().tableName);
  let sequence = 0;

  /** A running campaign of the order-status workflow, from the demo number. */
  async function running(): Promise<string> {
    const createdAt = new Date().toISOString();
    const campaignId = campaignIdFor(tenantId, `counting-${Date.now()}-${++sequence}`, () => '');
    const created = await store().create({
      tenantId,
      campaignId,
      sender: { kind: 'number', from: DEMO_TENANT.number },
      content: { kind: 'workflow', workflowId: 'order-status' },
      defaultTimeZone: 'UTC',
      startAt: createdAt,
      createdAt,
    });
    expect(created.created).toBe(true);
    expect((await store().transition(tenantId, campaignId, 'scheduled', 'running', createdAt)).ok).toBe(true);
    return campaignId;
  }

  async function cancel(campaignId: string): Promise<void> {
    const moved = await store().transition(
      tenantId,
      campaignId,
      'running',
      'cancelled',
      new Date().toISOString(),
    );
    expect(moved.ok).toBe(true);
  }

  async function counters(campaignId: string): Promise<CampaignCounters> {
    const campaign = await store().get(tenantId, campaignId);
    if (!campaign) throw new Error(`campaign ${campaignId} not found`);
    return campaign.counters;
  }

  /**
   * Starts a recipient as the dispatcher does (its idempotency key from the campaign and number), its
   * sends on `outbound` (default: the stack's outbound queue).
   */
  async function startRecipient(
    campaignId: string,
    customer: string,
    outbound?: MessageQueue<OutboundQueueMessage>,
  ) {
    const deps = startOutboundDeps(stack().clients, {
      tableName: stack().tableName,
      outboundQueueUrl: stack().queues.outbound.url,
      remindersQueueUrl: stack().queues.reminders.url,
    });
    const result = await startOutbound(
      {
        tenantId,
        start: {
          kind: 'workflow',
          from: DEMO_TENANT.number,
          to: customer,
          workflowId: 'order-status',
          variables: {},
        },
        idempotencyKey: campaignRecipientId(campaignId, customer),
        campaignId,
      },
      { ...deps, ...(outbound ? { outbound } : {}) },
    );
    if (!result.ok) throw new Error(`start refused: ${result.refusal.message}`);
    return result.started;
  }

  /**
   * Waits until the campaign's counters satisfy `settled`, then checks they stay so for `holdMs`
   * (late duplicates and redeliveries would show up after the counts first looked right).
   */
  async function settledCounters(
    campaignId: string,
    what: string,
    settled: (counts: CampaignCounters) => boolean,
    { timeoutMs = 30_000, holdMs = 1_500 }: { timeoutMs?: number; holdMs?: number } = {},
  ): Promise<CampaignCounters> {
    let last: CampaignCounters | undefined;
    const reached = await waitFor(
      what,
      async () => {
        last = await counters(campaignId);
        return settled(last) ? last : undefined;
      },
      { timeoutMs, intervalMs: 200 },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; the counters: ${JSON.stringify(last)}`);
    });
    await sleep(holdMs);
    expect(await counters(campaignId)).toEqual(reached);
    return reached;
  }

  return { tenantId, running, cancel, counters, startRecipient, settledCounters };
}

/** Holds what is queued until `release`: sends committed and queued, not yet received by the sender. */
export class HeldQueue<T> implements MessageQueue<T> {
  readonly held: QueuedMessage<T>[] = [];
  async send(messages: readonly QueuedMessage<T>[]): Promise<void> {
    this.held.push(...messages);
  }
  async release(to: MessageQueue<T>): Promise<void> {
    await to.send(this.held.splice(0));
  }
}
