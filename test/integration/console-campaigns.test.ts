import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CampaignControlResult,
  ConsoleCampaign,
  ConsoleCampaignList,
} from '../../local/console/api-types';
import { DEMO_TENANT, seedTenant } from '../../local/seed';
import { useLocalStack } from '../support/local-stack';
import { useSmsctl } from '../support/smsctl';
import { waitFor } from '../support/wait';

/**
 * The console's campaign endpoints (`/console/api/campaigns`, `/campaign`) against a real local
 * stack: campaigns created with `smsctl campaign create` as an operator does, their progress
 * watched through the console while the dispatcher, sender and simulator deliver, and pause,
 * resume and cancel through the console agreeing with `smsctl campaign show`.
 */
const stack = useLocalStack();
const { json } = useSmsctl(stack);

const OTHER = {
  tenantId: 'console-other',
  name: 'Console Other',
  accountSid: `AC${'c7'.repeat(16)}`,
  authToken: 'console-other-token-0123456789abc',
  number: '+15005550701',
  workflowFile: 'examples/workflows/order-status.json',
};

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'console-campaigns-'));
  await seedTenant(stack(), OTHER);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const TOMORROW = (() => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 3)).toISOString();
})();

/** Four recipients, a bad number and a duplicate. */
const RECIPIENTS = [
  'phone',
  '+15557010001',
  '+15557010002',
  '12',
  '+15557010003',
  '+1 555 701 0001',
  '+15557010004',
].join('\n');

async function consoleApi<T>(
  method: string,
  route: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${stack().consoleUrl}api${route}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': contentType }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function create(name: string, ...more: string[]): Promise<string> {
  const file = path.join(tmp, `${name}.csv`);
  await writeFile(file, RECIPIENTS);
  const created = await json<{ campaign: { campaignId: string } }>(
    'campaign',
    'create',
    '--tenant',
    DEMO_TENANT.tenantId,
    '--from',
    DEMO_TENANT.number,
    '--body',
    'Our spring sale starts today. Reply STOP to opt out.',
    '--recipients',
    file,
    '--name',
    name,
    ...more,
  );
  return created.campaign.campaignId;
}

async function shown(campaignId: string): Promise<ConsoleCampaign> {
  const reply = await consoleApi<ConsoleCampaign>(
    'GET',
    `/campaign?tenant=${DEMO_TENANT.tenantId}&campaign=${campaignId}`,
  );
  expect(reply.status).toBe(200);
  return reply.body;
}

function control(campaignId: string, action: string) {
  return consoleApi<CampaignControlResult & { message?: string }>('POST', '/campaign', {
    tenantId: DEMO_TENANT.tenantId,
    campaignId,
    action,
  });
}

async function smsctlView(campaignId: string) {
  const { campaign } = await json<{ campaign: Omit<ConsoleCampaign, 'actions'> }>(
    'campaign',
    'show',
    '--tenant',
    DEMO_TENANT.tenantId,
    '--campaign',
    campaignId,
  );
  return campaign;
}

let sentCampaign = '';
let scheduledCampaign = '';

describe('console campaigns', () => {
  it('lists no campaigns for a tenant without any', async () => {
    const reply = await consoleApi<ConsoleCampaignList>('GET', `/campaigns?tenant=${DEMO_TENANT.tenantId}`);
    expect(reply).toEqual({ status: 200, body: { tenantId: 'demo', campaigns: [], more: false } });
  });

  it("shows a running campaign's progress until every recipient is delivered", async () => {
    sentCampaign = await create('spring');
    const seen = new Set<number>();
    const done = await waitFor(
      'the campaign completed with 4 delivered',
      async () => {
        const campaign = await shown(sentCampaign);
        seen.add(campaign.progress.delivered);
        return campaign.state === 'completed' && campaign.progress.delivered === 4 ? campaign : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 100 },
    );
    expect(done).toMatchObject({
      tenantId: 'demo',
      name: 'spring',
      from: DEMO_TENANT.number,
      recipientsComplete: true,
      progress: {
        total: 6,
        skipped: { invalid: 1, duplicate: 1, optedOut: 0, conversationActive: 0, total: 2 },
        pending: 0,
        queued: 4,
        sent: 4,
        delivered: 4,
        undelivered: 0,
        failed: 0,
        cancelled: 0,
        deliveryRate: 1,
      },
      // Completed is final: nothing to pause, resume or cancel.
      actions: [],
    });
    // Read while it ran: the console saw it before its last delivery.
    expect(Math.min(...seen)).toBeLessThan(4);
    // The same view smsctl prints, plus the actions.
    const { actions, ...view } = done;
    expect(actions).toEqual([]);
    expect(view).toEqual(await smsctlView(sentCampaign));
  }, 60_000);

  it('pauses, resumes and cancels a campaign through the use cases smsctl runs', async () => {
    scheduledCampaign = await create('autumn', '--start-at', TOMORROW);
    const listed = await consoleApi<ConsoleCampaignList>('GET', `/campaigns?tenant=${DEMO_TENANT.tenantId}`);
    expect(listed.status).toBe(200);
    expect(listed.body.campaigns.map((campaign) => [campaign.name, campaign.state])).toEqual([
      ['autumn', 'scheduled'],
      ['spring', 'completed'],
    ]);
    expect(listed.body.campaigns[0]?.actions).toEqual(['pause', 'cancel']);

    const paused = await control(scheduledCampaign, 'pause');
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ changed: true, campaign: { state: 'paused' } });
    expect(paused.body.campaign.actions).toEqual(['resume', 'cancel']);
    expect((await smsctlView(scheduledCampaign)).state).toBe('paused');
    // A retried pause changes nothing and is not refused.
    expect((await control(scheduledCampaign, 'pause')).body).toMatchObject({ changed: false });

    // Its start time is still ahead: resumed, it is scheduled again.
    const resumed = await control(scheduledCampaign, 'resume');
    expect(resumed.body).toMatchObject({ changed: true, campaign: { state: 'scheduled' } });

    const cancelled = await control(scheduledCampaign, 'cancel');
    expect(cancelled.body).toMatchObject({ changed: true, campaign: { state: 'cancelled', actions: [] } });
    expect((await smsctlView(scheduledCampaign)).state).toBe('cancelled');

    const refused = await control(scheduledCampaign, 'resume');
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/cancelled/);
    expect((await control(sentCampaign, 'cancel')).status).toBe(409);
  });

  it('refuses what the campaigns API refuses, and keeps tenants apart', async () => {
    expect((await control(scheduledCampaign, 'restart')).status).toBe(400);
    expect((await control('cmp-nope', 'pause')).status).toBe(400);
    expect((await control(`cmp-${'0'.repeat(32)}`, 'pause')).status).toBe(404);
    expect((await consoleApi('GET', '/campaigns')).status).toBe(400);
    expect((await consoleApi('POST', '/campaign', { tenantId: 'demo' }, 'text/plain')).status).toBe(415);
    // Another tenant's campaign is not found, and their list does not hold it.
    const theirs = await consoleApi<{ message: string }>(
      'GET',
      `/campaign?tenant=${OTHER.tenantId}&campaign=${sentCampaign}`,
    );
    expect(theirs.status).toBe(404);
    const cross = await consoleApi('POST', '/campaign', {
      tenantId: OTHER.tenantId,
      campaignId: sentCampaign,
      action: 'cancel',
    });
    expect(cross.status).toBe(404);
    const list = await consoleApi<ConsoleCampaignList>('GET', `/campaigns?tenant=${OTHER.tenantId}`);
    expect(list.body.campaigns).toEqual([]);
  });
});
