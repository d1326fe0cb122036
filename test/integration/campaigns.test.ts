import { describe, expect, it } from 'vitest';
import { DynamoCampaignStore } from '../../lambdas/adapters/dynamodb/campaign-store';
import { DynamoOptOutStore } from '../../lambdas/adapters/dynamodb/opt-out-store';
import { SqsMessageQueue } from '../../lambdas/adapters/sqs-message-queue';
import { campaignIdFor } from '../../lambdas/domain/campaign/campaign';
import type { CampaignTickMessage } from '../../lambdas/domain/queue-messages';
import type {
  CampaignDefinition,
  CampaignRecipient,
  CampaignRecord,
} from '../../lambdas/ports/campaign-store';
import { DEMO_TENANT } from '../../local/seed';
import { repliesTo, useLocalStack } from '../support/local-stack';
import { sleep, waitFor } from '../support/wait';

/**
 * Campaigns through the local stack: a campaign seeded through the store (as the API and smsctl
 * create one), its first tick on the `campaigns` queue, and from there the campaign-dispatcher
 * function, outbound.fifo, the sender and the Twilio simulator, all real. The functions read the
 * real clock, so quiet hours are chosen around the current time.
 */
const stack = useLocalStack();

const MINUTE_MS = 60_000;
const GREETING = 'Thanks for reaching out! I can help track your order.';
const ASK_ORDER = "I'd be happy to help! Can you provide your order number?";
const ASK_DATE = 'Thank you! When did you place this order?';

function store() {
  return new DynamoCampaignStore(stack().clients.dynamo, stack().tableName);
}

function customer(campaign: number, index: number): string {
  return `+1555888${campaign}${String(index).padStart(3, '0')}`;
}

/** Creates the campaign with its recipients, marks the file read and puts its first tick, as the API does. */
async function launch(
  key: string,
  overrides: Partial<CampaignDefinition>,
  recipients: readonly CampaignRecipient[],
): Promise<string> {
  const now = new Date().toISOString();
  const campaignId = campaignIdFor(DEMO_TENANT.tenantId, key, () => '');
  await store().create({
    tenantId: DEMO_TENANT.tenantId,
    campaignId,
    sender: { kind: 'number', from: DEMO_TENANT.number, segmentsPerSecond: DEMO_TENANT.segmentsPerSecond },
    content: { kind: 'workflow', workflowId: 'order-status' },
    defaultTimeZone: 'UTC',
    startAt: now,
    createdAt: now,
    idempotencyKey: key,
    ...overrides,
  });
  for (let index = 0; index < recipients.length; index += 25)
    await store().addRecipients(DEMO_TENANT.tenantId, campaignId, recipients.slice(index, index + 25));
  await store().markRecipientsComplete(DEMO_TENANT.tenantId, campaignId);
  await tick(campaignId);
  return campaignId;
}

async function tick(campaignId: string): Promise<void> {
  await new SqsMessageQueue<CampaignTickMessage>(stack().clients.sqs, stack().queues.campaigns.url).send([
    { body: { v: 1, tenantId: DEMO_TENANT.tenantId, campaignId } },
  ]);
}

async function campaign(campaignId: string): Promise<CampaignRecord> {
  const record = await store().get(DEMO_TENANT.tenantId, campaignId);
  if (!record) throw new Error(`campaign ${campaignId} not found`);
  return record;
}

function waitForState(campaignId: string, state: CampaignRecord['state'], timeoutMs = 30_000) {
  return waitFor(
    `campaign ${campaignId} ${state}`,
    async () => {
      const record = await campaign(campaignId);
      return record.state === state ? record : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/** Waits until each customer got at least one message, then a little more, and returns what each got. */
async function firstMessages(customers: readonly string[], timeoutMs = 30_000) {
  await waitFor(
    `a message to each of ${customers.length} customers`,
    () => (customers.every((to) => repliesTo(stack(), to).length > 0) ? true : undefined),
    { timeoutMs, intervalMs: 200 },
  );
  // A second message would come within moments of the first (a replayed start, a duplicate tick).
  await sleep(1_500);
  return new Map(customers.map((to) => [to, repliesTo(stack(), to)]));
}

function recipient(phone: string, line: number, variables: Record<string, string> = {}): CampaignRecipient {
  return { phone, variables, line, notBeforeMs: Date.now() };
}

/** `HH:MM` of minutes after midnight (wrapping past midnight). */
function clock(minutes: number): string {
  const wrapped = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(wrapped / 60)).padStart(2, '0')}:${String(wrapped % 60).padStart(2, '0')}`;
}

describe('campaigns (local)', () => {
  it("sends each recipient's first prompt once, skips an opted-out customer, and completes", async () => {
    const customers = Array.from({ length: 20 }, (_, index) => customer(1, index));
    const [optedOut, ...others] = customers as [string, ...string[]];
    await new DynamoOptOutStore(stack().clients.dynamo, stack().tableName).optOut(
      DEMO_TENANT.tenantId,
      optedOut,
      {
        at: new Date().toISOString(),
        source: 'test',
      },
    );
    // Every third recipient comes with its order number: its first prompt asks for the date.
    const recipients = customers.map((phone, index) =>
      recipient(phone, index + 2, index % 3 === 0 ? { order_number: String(200000 + index) } : {}),
    );
    const campaignId = await launch('campaign-once', {}, recipients);

    const received = await firstMessages(others);
    customers.forEach((phone, index) => {
      if (phone === optedOut) return;
      const messages = received.get(phone) ?? [];
      expect(messages, phone).toHaveLength(1);
      expect(messages[0]?.resource.from).toBe(DEMO_TENANT.number);
      expect(messages[0]?.resource.body).toBe(`${GREETING} ${index % 3 === 0 ? ASK_DATE : ASK_ORDER}`);
    });
    expect(repliesTo(stack(), optedOut)).toEqual([]);

    const done = await waitForState(campaignId, 'completed');
    expect(done.counters).toMatchObject({ total: 20, skippedOptedOut: 1, queued: 19 });
    expect(done.counters.queued).toBe(done.counters.total - done.counters.skippedOptedOut);
    // A tick delivered again after the end changes nothing.
    await tick(campaignId);
    await sleep(2_000);
    for (const phone of others) expect(repliesTo(stack(), phone)).toHaveLength(1);
    expect((await campaign(campaignId)).counters.queued).toBe(19);
  });

  it('postpones a recipient inside its quiet hours until they end on its clock, while the others go', async () => {
    // Quiet hours on UTC wall clocks from three hours ago until the next minute or the one after (20
    // to 80 seconds from now): the recipient whose time zone is UTC waits; the others are on Auckland's
    // clock (the campaign's default zone), twelve or thirteen hours away, and go at once.
    const now = new Date();
    const minuteNow = now.getUTCHours() * 60 + now.getUTCMinutes();
    const endMinute = minuteNow + (now.getUTCSeconds() > 40 ? 2 : 1);
    const quietHours = `${clock(endMinute - 180)}-${clock(endMinute)}`;
    const endsAtMs = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS + (endMinute - minuteNow) * MINUTE_MS;

    const waiting = customer(2, 0);
    const going = [customer(2, 1), customer(2, 2), customer(2, 3)];
    const campaignId = await launch('campaign-quiet', { quietHours, defaultTimeZone: 'Pacific/Auckland' }, [
      { ...recipient(waiting, 2), timezone: 'UTC' },
      ...going.map((phone, index) => recipient(phone, index + 3)),
    ]);

    await firstMessages(going);
    expect(Date.now()).toBeLessThan(endsAtMs);
    expect(repliesTo(stack(), waiting)).toEqual([]);
    const [due] = await store().dueRecipients(DEMO_TENANT.tenantId, campaignId, endsAtMs, 10);
    expect(due).toMatchObject({ phone: waiting, notBeforeMs: endsAtMs });
    expect((await campaign(campaignId)).state).toBe('running');

    const [late] = await waitFor(
      'the postponed recipient’s message',
      () => {
        const messages = repliesTo(stack(), waiting);
        return messages.length > 0 ? messages : undefined;
      },
      { timeoutMs: 100_000, intervalMs: 250 },
    );
    expect(Date.now()).toBeGreaterThanOrEqual(endsAtMs);
    expect(late?.resource.body).toBe(`${GREETING} ${ASK_ORDER}`);
    const done = await waitForState(campaignId, 'completed');
    expect(done.counters).toMatchObject({ total: 4, queued: 4 });
    expect(repliesTo(stack(), waiting)).toHaveLength(1);
  }, 150_000);

  it('releases nothing more once paused, and goes on where it stopped once resumed', async () => {
    // One segment per second for the campaign: the first tick releases 15 s of sending, the next
    // tick comes 10 s later.
    const customers = Array.from({ length: 20 }, (_, index) => customer(3, index));
    const campaignId = await launch(
      'campaign-pause',
      {
        sender: { kind: 'number', from: DEMO_TENANT.number, segmentsPerSecond: 1 },
        content: { kind: 'message', body: 'Spring sale: 20% off today' },
      },
      customers.map((phone, index) => recipient(phone, index + 2)),
    );
    const firstTick = await waitFor(
      'the first tick',
      async () => {
        const record = await campaign(campaignId);
        return record.counters.queued >= 15 ? record : undefined;
      },
      { intervalMs: 100 },
    );
    expect(firstTick.counters.queued).toBe(15);
    expect(
      (
        await store().transition(
          DEMO_TENANT.tenantId,
          campaignId,
          'running',
          'paused',
          new Date().toISOString(),
        )
      ).ok,
    ).toBe(true);

    // The next tick (10 s after the first) finds the campaign paused: nothing more is released.
    const sentBefore = await firstMessages(customers.slice(0, 15));
    await sleep(12_000);
    expect((await campaign(campaignId)).counters.queued).toBe(15);
    const reached = customers.filter((phone) => repliesTo(stack(), phone).length > 0);
    expect(reached).toEqual(customers.slice(0, 15));
    expect([...sentBefore.values()].every((messages) => messages.length === 1)).toBe(true);

    // Resume: the state moves back to running and a tick is put, as the API's resume does.
    expect(
      (
        await store().transition(
          DEMO_TENANT.tenantId,
          campaignId,
          'paused',
          'running',
          new Date().toISOString(),
        )
      ).ok,
    ).toBe(true);
    await tick(campaignId);
    const all = await firstMessages(customers);
    for (const phone of customers) expect(all.get(phone), phone).toHaveLength(1);
    const done = await waitForState(campaignId, 'completed');
    expect(done.counters).toMatchObject({ total: 20, queued: 20 });
  }, 90_000);
});
