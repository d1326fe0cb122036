/**
 * Reminders of conversations the business began, through the whole local stack: an API start
 * (conversations-api), a campaign's start (campaign-dispatcher) and a hand-off released with
 * `resume` (conversations-api) each arm the first reminder on the `reminders` queue; the reminders
 * function sends it once, 10 s after the prompt, to the customer who stays silent. All three run
 * side by side, so the wait is paid once.
 */
import { describe, expect, it } from 'vitest';
import { DynamoCampaignStore } from '../../lambdas/adapters/dynamodb/campaign-store';
import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { SqsMessageQueue } from '../../lambdas/adapters/sqs-message-queue';
import { campaignIdFor } from '../../lambdas/domain/campaign/campaign';
import type { CampaignTickMessage } from '../../lambdas/domain/queue-messages';
import { DEFAULT_HANDOFF_REPLY } from '../../lambdas/domain/workflow/handoff';
import { METRICS } from '../../lib/metric-catalog';
import { DEMO_TENANT, loadWorkflowFile } from '../../local/seed';
import { LOCAL_API_PRINCIPAL } from '../../local/stack';
import { repliesTo, textDemo, transcriptOf, useLocalStack, waitForReplies } from '../support/local-stack';
import { signedFetch } from '../support/sigv4';
import { sleep, waitFor } from '../support/wait';

const stack = useLocalStack();
const API_CUSTOMER = '+15550402001';
const CAMPAIGN_CUSTOMER = '+15550402002';
const RELEASED_CUSTOMER = '+15550402003';
const ASK_ORDER = "I'd be happy to help! Can you provide your order number?";
const REMINDER = `Just checking in! ${ASK_ORDER}`;

function api(path: string, body: unknown) {
  return signedFetch(
    `${stack().apiUrl}/v1/tenants/${DEMO_TENANT.tenantId}/conversations${path}`,
    { method: 'POST', body: JSON.stringify(body) },
    LOCAL_API_PRINCIPAL,
  );
}

/** A one-recipient campaign, created as the API creates one, and its first tick. */
async function launchCampaign(customer: string): Promise<void> {
  const local = stack();
  const campaigns = new DynamoCampaignStore(local.clients.dynamo, local.tableName);
  const now = new Date().toISOString();
  const key = 'reminders-business-starts';
  const campaignId = campaignIdFor(DEMO_TENANT.tenantId, key, () => '');
  await campaigns.create({
    tenantId: DEMO_TENANT.tenantId,
    campaignId,
    sender: { kind: 'number', from: DEMO_TENANT.number, segmentsPerSecond: DEMO_TENANT.segmentsPerSecond },
    content: { kind: 'workflow', workflowId: 'order-status' },
    defaultTimeZone: 'UTC',
    startAt: now,
    createdAt: now,
    idempotencyKey: key,
  });
  await campaigns.addRecipients(DEMO_TENANT.tenantId, campaignId, [
    { phone: customer, variables: {}, line: 1, notBeforeMs: Date.now() },
  ]);
  await campaigns.markRecipientsComplete(DEMO_TENANT.tenantId, campaignId);
  await new SqsMessageQueue<CampaignTickMessage>(local.clients.sqs, local.queues.campaigns.url).send([
    { body: { v: 1, tenantId: DEMO_TENANT.tenantId, campaignId } },
  ]);
}

/** Hands the customer's conversation to a person, then gives it back to the bot at the prompt; resolves when released. */
async function handOffAndResume(customer: string): Promise<number> {
  const local = stack();
  await textDemo(local, customer, 'where is my order?');
  await waitForReplies(local, customer, 1);
  await textDemo(local, customer, 'I want a human');
  const [, handedOff] = await waitForReplies(local, customer, 2);
  expect(handedOff?.resource.body).toBe(DEFAULT_HANDOFF_REPLY);
  const releasedAt = Date.now();
  const release = await api(`/handoffs/${encodeURIComponent(customer)}/release`, { mode: 'resume' });
  expect(release.status).toBe(200);
  expect(await release.json()).toMatchObject({ mode: 'resume', sends: [{ body: ASK_ORDER }] });
  return releasedAt;
}

/** Waits for the n-th message to the customer and returns it. */
async function nth(customer: string, count: number) {
  const replies = await waitFor(
    `${count} messages to ${customer}`,
    () => {
      const received = repliesTo(stack(), customer);
      return received.length >= count ? received : undefined;
    },
    { timeoutMs: 40_000, intervalMs: 200 },
  );
  return replies[count - 1];
}

describe('reminders of conversations the business began', () => {
  it(
    'an API start, a campaign start and a resumed hand-off each remind a silent customer once, 10 s after the prompt',
    {
      timeout: 90_000,
    },
    async () => {
      const local = stack();
      const demo = await loadWorkflowFile(DEMO_TENANT.workflowFile);
      const [route, ...others] = demo.routes;
      if (!route) throw new Error('the demo workflow has a route');
      await new DynamoTenantAdmin(local.clients.dynamo, local.tableName).putWorkflow(DEMO_TENANT.tenantId, {
        ...demo,
        routes: [{ ...route, reminders: [{ afterSeconds: 10, reply: 'Just checking in!' }] }, ...others],
      });

      const apiStartedAt = Date.now();
      const started = await api('', {
        from: DEMO_TENANT.number,
        to: API_CUSTOMER,
        workflowId: 'order-status',
        variables: {},
      });
      expect(started.status).toBe(201);
      const campaignStartedAt = Date.now();
      await launchCampaign(CAMPAIGN_CUSTOMER);
      const releasedAt = await handOffAndResume(RELEASED_CUSTOMER);

      const [apiReminder, campaignReminder, releaseReminder] = await Promise.all([
        nth(API_CUSTOMER, 2),
        nth(CAMPAIGN_CUSTOMER, 2),
        nth(RELEASED_CUSTOMER, 4),
      ]);
      // Never early: each at least afterSeconds after its prompt was asked.
      const receivedAt = (message: typeof apiReminder) => Date.parse(String(message?.resource.date_created));
      expect(apiReminder?.resource.body).toBe(REMINDER);
      expect(campaignReminder?.resource.body).toBe(REMINDER);
      expect(releaseReminder?.resource.body).toBe(REMINDER);
      for (const [reminder, askedAt] of [
        [apiReminder, apiStartedAt],
        [campaignReminder, campaignStartedAt],
        [releaseReminder, releasedAt],
      ] as const)
        expect(receivedAt(reminder)).toBeGreaterThanOrEqual(Math.floor(askedAt / 1000) * 1000 + 10_000);

      // Long enough for a second copy, a redelivery or a stray timer to show.
      await sleep(5_000);
      const bodies = (customer: string) => repliesTo(local, customer).map((message) => message.resource.body);
      expect(bodies(API_CUSTOMER)).toEqual([expect.stringContaining(ASK_ORDER), REMINDER]);
      expect(bodies(CAMPAIGN_CUSTOMER)).toEqual([expect.stringContaining(ASK_ORDER), REMINDER]);
      expect(bodies(RELEASED_CUSTOMER)).toEqual([
        expect.stringContaining(ASK_ORDER),
        DEFAULT_HANDOFF_REPLY,
        ASK_ORDER,
        REMINDER,
      ]);
      // The release's reminder is keyed by the release, not by the customer's last message.
      const transcript = await transcriptOf(local, RELEASED_CUSTOMER);
      const reminders = transcript.filter((entry) => String(entry.sendId ?? '').includes('-reminder-'));
      expect(reminders).toMatchObject([
        { direction: 'outbound', body: REMINDER, sendId: expect.stringMatching(/^op-/) },
      ]);
      await waitFor('RemindersSent', () =>
        local.metrics.sum(METRICS.remindersSent, { TenantId: DEMO_TENANT.tenantId }) === 3 ? true : undefined,
      );
    },
  );
});
