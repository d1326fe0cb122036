import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { loadWorkflowFile, seedTenant } from '../../local/seed';
import { LOCAL_API_PRINCIPAL } from '../../local/stack';
import { campaignItems, campaignTicks } from '../support/campaign-store-state';
import { useLocalStack } from '../support/local-stack';
import { signedFetch } from '../support/sigv4';

/**
 * The campaign routes of the conversations API on the real local stand-ins: SigV4 checked by the
 * local API, the conversations-api function, DynamoDB Local and the `campaigns` queue. Every
 * campaign here starts tomorrow, so its first tick stays held back on the queue and the dispatcher
 * releases nothing: what is asserted is what the API stored and scheduled.
 */
const stack = useLocalStack();

const ACME = {
  tenantId: 'acme-campaigns',
  name: 'Acme Campaigns',
  accountSid: `AC${'c3'.repeat(16)}`,
  authToken: 'acme-campaigns-token-0123456789ab',
  number: '+15005550401',
  workflowFile: 'examples/workflows/order-status.json',
};
const OTHER = {
  tenantId: 'other-campaigns',
  name: 'Other Campaigns',
  accountSid: `AC${'d4'.repeat(16)}`,
  authToken: 'other-campaigns-token-0123456789a',
  number: '+15005550402',
  workflowFile: 'examples/workflows/order-status.json',
};
const ORDER = { order_number: '123456', order_date: '2025-01-05' };
const DAY_MS = 86_400_000;

/** 03:00 UTC tomorrow: inside quiet hours 21:00-08:00 in UTC, midday in Tokyo. */
function tomorrowAt3(): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 3));
}

beforeAll(async () => {
  await seedTenant(stack(), ACME);
  const workflow = await seedTenant(stack(), OTHER);
  const admin = new DynamoTenantAdmin(stack().clients.dynamo, stack().tableName);
  const at = new Date().toISOString();
  await admin.putPool(ACME.tenantId, 'main', [ACME.number], at);
  await admin.putPool(OTHER.tenantId, 'theirs', [OTHER.number], at);
  await admin.putWorkflow(OTHER.tenantId, { ...workflow, id: 'their-flow' });
  await admin.putProfile(ACME.tenantId, {
    name: ACME.name,
    messagingServiceSid: `MG${'0'.repeat(32)}`,
    updatedAt: at,
  });
  expect((await loadWorkflowFile(ACME.workflowFile)).id).toBe('order-status');
});

async function call(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await signedFetch(
    `${stack().apiUrl}/v1/tenants/${path}`,
    { method, body: body === undefined ? '' : JSON.stringify(body), headers },
    LOCAL_API_PRINCIPAL,
  );
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

interface CampaignAnswer {
  campaignId: string;
  state: string;
  recipientsComplete: boolean;
  progress: { total: number; pending: number; skipped: { invalid: number; duplicate: number } };
}

async function createCampaign(body: Record<string, unknown>, tenantId = ACME.tenantId, headers = {}) {
  const created = await call('POST', `${tenantId}/campaigns`, body, headers);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as unknown as CampaignAnswer;
}

async function listed(tenantId: string): Promise<string[]> {
  const list = await call('GET', `${tenantId}/campaigns?limit=100`);
  expect(list.status).toBe(200);
  return (list.body.campaigns as CampaignAnswer[]).map((campaign) => campaign.campaignId);
}

describe('campaigns API (local)', () => {
  it('creates a campaign, takes its recipients in two requests and schedules its first tick', async () => {
    const startAt = tomorrowAt3();
    const request = {
      name: 'Spring orders',
      from: ACME.number,
      workflowId: 'order-status',
      quietHours: '21:00-08:00',
      startAt: startAt.toISOString(),
    };
    const key = { 'Idempotency-Key': 'spring-1' };
    const created = await createCampaign(request, ACME.tenantId, key);
    expect(created).toMatchObject({
      state: 'scheduled',
      recipientsComplete: false,
      timeZone: 'UTC',
      name: 'Spring orders',
    });
    const replay = await call('POST', `${ACME.tenantId}/campaigns`, request, key);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(created);
    const { campaignId } = created;

    const first = await call('POST', `${ACME.tenantId}/campaigns/${campaignId}/recipients`, {
      recipients: [
        { phone: '+14155550100', variables: ORDER },
        { phone: '+14155550101', variables: ORDER, timezone: 'Asia/Tokyo' },
        { phone: '555', variables: ORDER },
        { phone: '+1 (415) 555-0100', variables: ORDER },
      ],
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      added: 2,
      duplicates: [4],
      invalid: [{ line: 3, reason: expect.stringMatching(/^not a valid phone number/) }],
      campaign: { recipientsComplete: false },
    });
    const ticksBefore = await campaignTicks(stack());
    const last = await call('POST', `${ACME.tenantId}/campaigns/${campaignId}/recipients`, {
      recipients: [
        { phone: '+14155550101', variables: ORDER, line: 10 },
        { phone: '(415) 555-0102', variables: ORDER, line: 11 },
      ],
      invalid: 1,
      complete: true,
    });
    expect(last.status).toBe(200);
    expect(last.body).toMatchObject({
      added: 1,
      duplicates: [10],
      invalid: [],
      campaign: {
        recipientsComplete: true,
        state: 'scheduled',
        progress: { total: 7, pending: 3, skipped: { invalid: 2, duplicate: 2 } },
      },
    });
    // One tick, held back until the start (as far as SQS holds one): nothing is released before.
    expect((await campaignTicks(stack())).delayed).toBe(ticksBefore.delayed + 1);
    const again = await call('POST', `${ACME.tenantId}/campaigns/${campaignId}/recipients`, {
      complete: true,
    });
    expect(again.status).toBe(200);
    expect((await campaignTicks(stack())).delayed).toBe(ticksBefore.delayed + 1);

    const items = await campaignItems(stack(), ACME.tenantId, campaignId);
    expect(items.meta).toMatchObject({ state: 'scheduled', recipientsComplete: true, total: 7, queued: 0 });
    expect(items.recipients.map((item) => [item.phone, item.state, item.line]).sort()).toEqual([
      ['+14155550100', 'pending', 1],
      ['+14155550101', 'pending', 2],
      ['+14155550102', 'pending', 11],
    ]);
    // The start, then each recipient's quiet hours: 03:00 in UTC (the campaign's zone for US
    // numbers) waits for 08:00; 03:00 UTC is midday in Tokyo.
    const dueAt = Object.fromEntries(items.due.map((item) => [item.phone, item.notBeforeMs]));
    expect(dueAt).toEqual({
      '+14155550100': startAt.getTime() + 5 * 3_600_000,
      '+14155550101': startAt.getTime(),
      '+14155550102': startAt.getTime() + 5 * 3_600_000,
    });
    expect(items.due.map((item) => String(item.sk))).toContain(
      `DUE#${String(startAt.getTime()).padStart(13, '0')}#+14155550101`,
    );

    const shown = await call('GET', `${ACME.tenantId}/campaigns/${campaignId}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual(last.body.campaign);
    expect((await listed(ACME.tenantId))[0]).toBe(campaignId);
  });

  it('pauses, resumes and cancels, refusing a move the state does not allow (409)', async () => {
    const campaign = await createCampaign({
      from: ACME.number,
      body: 'Sale tomorrow',
      startAt: new Date(Date.now() + DAY_MS).toISOString(),
    });
    const path = `${ACME.tenantId}/campaigns/${campaign.campaignId}`;
    await call('POST', `${path}/recipients`, { recipients: [{ phone: '+14155550110' }], complete: true });
    const ticks = await campaignTicks(stack());

    expect(await call('POST', `${path}/pause`)).toMatchObject({ status: 200, body: { state: 'paused' } });
    expect(await call('POST', `${path}/pause`)).toMatchObject({ status: 200, body: { state: 'paused' } });
    // Its start is tomorrow: resumed, it waits again, with a tick of its own.
    expect(await call('POST', `${path}/resume`)).toMatchObject({ status: 200, body: { state: 'scheduled' } });
    expect((await campaignTicks(stack())).delayed).toBe(ticks.delayed + 1);
    expect(await call('POST', `${path}/cancel`)).toMatchObject({ status: 200, body: { state: 'cancelled' } });
    expect(await call('POST', `${path}/resume`)).toMatchObject({
      status: 409,
      body: { error: 'campaign-state-conflict', message: 'the campaign is cancelled: it cannot be resumed' },
    });
    expect(
      await call('POST', `${path}/recipients`, { recipients: [{ phone: '+14155550111' }] }),
    ).toMatchObject({ status: 409, body: { error: 'campaign-state-conflict' } });
    expect(await call('POST', `${path}/restart`)).toMatchObject({
      status: 404,
      body: { error: 'not-found' },
    });
    expect((await campaignItems(stack(), ACME.tenantId, campaign.campaignId)).meta).toMatchObject({
      state: 'cancelled',
    });
  });

  it('answers 404 for another tenant’s number, pool, workflow and campaign', async () => {
    const before = await listed(ACME.tenantId);
    for (const [body, error] of [
      [{ from: OTHER.number, body: 'hi' }, 'number-not-found'],
      [{ pool: 'theirs', body: 'hi' }, 'pool-not-found'],
      [{ from: ACME.number, workflowId: 'their-flow' }, 'workflow-not-found'],
    ] as const) {
      const refused = await call('POST', `${ACME.tenantId}/campaigns`, body);
      expect(refused, error).toMatchObject({ status: 404, body: { error } });
    }
    expect(await listed(ACME.tenantId)).toEqual(before);

    const theirs = await createCampaign(
      { pool: 'theirs', body: 'hi', startAt: tomorrowAt3().toISOString() },
      OTHER.tenantId,
    );
    for (const [method, path] of [
      ['GET', ''],
      ['POST', '/cancel'],
      ['POST', '/recipients'],
    ] as const) {
      const answer = await call(
        method,
        `${ACME.tenantId}/campaigns/${theirs.campaignId}${path}`,
        method === 'POST' ? { complete: true } : undefined,
      );
      expect(answer, `${method} ${path}`).toMatchObject({
        status: 404,
        body: { error: 'campaign-not-found' },
      });
    }
    expect((await campaignItems(stack(), OTHER.tenantId, theirs.campaignId)).meta).toMatchObject({
      state: 'scheduled',
      recipientsComplete: false,
    });
  });

  it('sends through the Messaging Service only for a tenant that has one', async () => {
    expect(
      await createCampaign({
        messagingService: true,
        from: ACME.number,
        body: 'hi',
        startAt: tomorrowAt3().toISOString(),
      }),
    ).toMatchObject({ messagingService: true, from: ACME.number });
    expect(
      await call('POST', `${OTHER.tenantId}/campaigns`, {
        messagingService: true,
        from: OTHER.number,
        body: 'hi',
      }),
    ).toMatchObject({
      status: 422,
      body: { error: 'messaging-service-not-configured' },
    });
  });

  it('refuses bad input with a clear reason and creates nothing', async () => {
    const before = await listed(ACME.tenantId);
    const past = new Date(Date.now() - 5 * 60_000).toISOString();
    for (const [body, message] of [
      [
        { from: ACME.number, body: 'hi', quietHours: '00:00-23:00' },
        /quiet hours 00:00-23:00 leave 1 h a day to send/,
      ],
      [{ from: ACME.number, body: 'hi', startAt: past }, /is in the past/],
      [{ from: ACME.number, body: 'hi', startAt: '2026-12-01 09:00' }, /ISO 8601 time with a zone/],
      [{ from: ACME.number }, /exactly one of workflowId and body/],
    ] as const) {
      const refused = await call('POST', `${ACME.tenantId}/campaigns`, body);
      expect(refused, String(message)).toMatchObject({
        status: 400,
        body: { error: 'invalid-request', message: expect.stringMatching(message) },
      });
    }
    expect(await listed(ACME.tenantId)).toEqual(before);

    const campaign = await createCampaign({
      from: ACME.number,
      body: 'Hi {{first_name}}',
      startAt: tomorrowAt3().toISOString(),
    });
    const path = `${ACME.tenantId}/campaigns/${campaign.campaignId}/recipients`;
    for (const [body, error, message] of [
      [
        { recipients: [{ phone: '+14155550120', variables: { coupon: 'X' } }] },
        'unknown-columns',
        /coupon is not a variable/,
      ],
      [
        { recipients: [{ phone: '+14155550120' }] },
        'workflow-cannot-start',
        /the text needs variable\(s\) first_name/,
      ],
      [{ recipients: 'phone\n+14155550120' }, 'invalid-request', /recipients must be a list/],
    ] as const) {
      const refused = await call('POST', path, body);
      expect(refused, error).toMatchObject({
        status: 400,
        body: { error, message: expect.stringMatching(message) },
      });
    }
    const notJson = await signedFetch(
      `${stack().apiUrl}/v1/tenants/${path}`,
      { method: 'POST', body: 'phone\n+1415' },
      LOCAL_API_PRINCIPAL,
    );
    expect(notJson.status).toBe(400);
    const items = await campaignItems(stack(), ACME.tenantId, campaign.campaignId);
    expect(items.recipients).toEqual([]);
    expect(items.meta).toMatchObject({ total: 0 });
  });
});
