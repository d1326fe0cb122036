import { describe, expect, it } from 'vitest';
import { createCampaign } from '../../../../lambdas/conversations-api/campaigns/create';
import { campaignIdFor, emptyCampaignCounters } from '../../../../lambdas/domain/campaign/campaign';
import { ACME, campaignWorld, createRequest, NOW, OTHER } from '../../../support/campaign-world';

const NOW_ISO = new Date(NOW).toISOString();

async function create(
  body: Record<string, unknown>,
  idempotencyKey?: string,
  tenantId: string = ACME.tenantId,
) {
  const world = await campaignWorld();
  const outcome = await createCampaign(
    { tenantId, request: createRequest(body), ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) },
    world.deps,
  );
  return { world, outcome };
}

describe('createCampaign', () => {
  it('stores a scheduled campaign without recipients, starting now in UTC by default, and sends nothing', async () => {
    const { world, outcome } = await create({ from: ACME.number, workflowId: 'order-status' });
    expect(outcome).toEqual({
      ok: true,
      value: {
        replayed: false,
        campaign: {
          tenantId: ACME.tenantId,
          campaignId: `cmp-${'1'.padStart(32, '0')}`,
          sender: { kind: 'number', from: ACME.number },
          content: { kind: 'workflow', workflowId: 'order-status' },
          defaultTimeZone: 'UTC',
          defaultCountry: 'US',
          startAt: NOW_ISO,
          createdAt: NOW_ISO,
          state: 'scheduled',
          recipientsComplete: false,
          counters: emptyCampaignCounters(),
          senderClocks: {},
          updatedAt: NOW_ISO,
        },
      },
    });
    if (!outcome.ok) return;
    expect(await world.campaigns.get(ACME.tenantId, outcome.value.campaign.campaignId)).toEqual(
      outcome.value.campaign,
    );
    expect(world.ticks.sent).toEqual([]);
  });

  it('copies the pool’s members with their rates onto the campaign', async () => {
    const { outcome } = await create({ pool: ACME.pool, body: 'Sale today' });
    expect(outcome.ok && outcome.value.campaign.sender).toEqual({
      kind: 'pool',
      pool: ACME.pool,
      members: [{ number: ACME.number }, { number: ACME.second }],
    });
  });

  it('sends through the Messaging Service only for a tenant that has one', async () => {
    expect((await create({ messagingService: true, from: ACME.number, body: 'hi' })).outcome).toMatchObject({
      ok: true,
      value: { campaign: { sender: { kind: 'messaging-service', from: ACME.number } } },
    });
    // Its number must be the tenant's, as for a campaign from a number.
    expect((await create({ messagingService: true, from: OTHER.number, body: 'hi' })).outcome).toMatchObject({
      ok: false,
      refusal: { status: 404, error: 'number-not-found' },
    });
    expect(
      (await create({ messagingService: true, from: OTHER.number, body: 'hi' }, undefined, OTHER.tenantId))
        .outcome,
    ).toMatchObject({
      ok: false,
      refusal: { status: 422, error: 'messaging-service-not-configured' },
    });
  });

  it.each([
    ['an unknown tenant', { from: ACME.number, body: 'hi' }, 'nobody', 'tenant-not-found'],
    ['another tenant’s number', { from: OTHER.number, body: 'hi' }, ACME.tenantId, 'number-not-found'],
    ['another tenant’s pool', { pool: OTHER.pool, body: 'hi' }, ACME.tenantId, 'pool-not-found'],
    [
      'another tenant’s workflow',
      { from: ACME.number, workflowId: 'theirs' },
      ACME.tenantId,
      'workflow-not-found',
    ],
  ])('answers 404 for %s', async (_name, body, tenantId, error) => {
    const { world, outcome } = await create(body, undefined, tenantId);
    expect(outcome).toMatchObject({ ok: false, refusal: { status: 404, error } });
    expect((await world.campaigns.list(tenantId, { limit: 10 })).campaigns).toEqual([]);
  });

  it('refuses a start time more than a minute past, and takes one within the minute', async () => {
    const past = new Date(NOW - 61_000).toISOString();
    expect((await create({ from: ACME.number, body: 'hi', startAt: past })).outcome).toMatchObject({
      ok: false,
      refusal: { status: 400, error: 'invalid-request', message: expect.stringMatching(/in the past/) },
    });
    const recent = new Date(NOW - 30_000).toISOString();
    expect((await create({ from: ACME.number, body: 'hi', startAt: recent })).outcome).toMatchObject({
      ok: true,
      value: { campaign: { startAt: recent } },
    });
    expect(
      (await create({ from: ACME.number, body: 'hi', startAt: '2026-03-11T09:00:00+01:00' })).outcome,
    ).toMatchObject({ ok: true, value: { campaign: { startAt: '2026-03-11T08:00:00.000Z' } } });
  });

  it('refuses a workflow route that does not exist', async () => {
    const { outcome } = await create({ from: ACME.number, workflowId: 'order-status', routeId: 'returns' });
    expect(outcome).toMatchObject({
      ok: false,
      refusal: {
        status: 422,
        error: 'workflow-cannot-start',
        message: 'workflow order-status has no route returns',
      },
    });
  });

  it('checks pictures against the stage’s policy and the senders’ MMS capability', async () => {
    const loopback = await create({ from: ACME.number, body: 'hi', mediaUrls: ['http://127.0.0.1:9/a.png'] });
    expect(loopback.outcome).toMatchObject({
      ok: false,
      refusal: { status: 422, error: 'media-not-allowed' },
    });
    const noMms = await create({ from: ACME.noMms, body: 'hi', mediaUrls: ['https://example.com/a.png'] });
    expect(noMms.outcome).toMatchObject({
      ok: false,
      refusal: { status: 422, error: 'mms-not-supported', message: expect.stringContaining(ACME.noMms) },
    });
    const fine = await create({ pool: ACME.pool, body: 'hi', mediaUrls: ['https://example.com/a.png'] });
    expect(fine.outcome).toMatchObject({
      ok: true,
      value: { campaign: { mediaUrls: ['https://example.com/a.png'] } },
    });
  });

  it('answers a replayed Idempotency-Key with the campaign it created, even once its start time passed', async () => {
    const world = await campaignWorld();
    const request = createRequest({
      from: ACME.number,
      body: 'hi',
      startAt: new Date(NOW + 60_000).toISOString(),
      quietHours: '21:00-08:00',
    });
    const first = await createCampaign(
      { tenantId: ACME.tenantId, request, idempotencyKey: 'k-1' },
      world.deps,
    );
    expect(first).toMatchObject({
      ok: true,
      value: {
        replayed: false,
        campaign: { campaignId: campaignIdFor(ACME.tenantId, 'k-1', () => ''), idempotencyKey: 'k-1' },
      },
    });
    world.advance(10 * 60_000);
    const again = await createCampaign(
      { tenantId: ACME.tenantId, request, idempotencyKey: 'k-1' },
      world.deps,
    );
    expect(again).toEqual({
      ok: true,
      value: { replayed: true, campaign: first.ok && first.value.campaign },
    });
    // Without a start time the replay matches whatever start was stored.
    const { startAt: _startAt, ...withoutStart } = request;
    expect(
      await createCampaign(
        { tenantId: ACME.tenantId, request: withoutStart, idempotencyKey: 'k-1' },
        world.deps,
      ),
    ).toMatchObject({ ok: true, value: { replayed: true } });
    const different = await createCampaign(
      { tenantId: ACME.tenantId, request: { ...request, quietHours: '22:00-08:00' }, idempotencyKey: 'k-1' },
      world.deps,
    );
    expect(different).toMatchObject({ ok: false, refusal: { status: 422, error: 'idempotency-key-reused' } });
    // The same key of another tenant names another campaign.
    const theirs = await createCampaign(
      {
        tenantId: OTHER.tenantId,
        request: createRequest({ from: OTHER.number, body: 'hi' }),
        idempotencyKey: 'k-1',
      },
      world.deps,
    );
    expect(theirs).toMatchObject({ ok: true, value: { replayed: false } });
  });

  it('gives each campaign without a key its own id', async () => {
    const world = await campaignWorld();
    const request = createRequest({ from: ACME.number, body: 'hi' });
    const ids = new Set<string>();
    for (let index = 0; index < 3; index += 1) {
      const outcome = await createCampaign({ tenantId: ACME.tenantId, request }, world.deps);
      if (outcome.ok) ids.add(outcome.value.campaign.campaignId);
    }
    expect(ids.size).toBe(3);
  });
});
