import { describe, expect, it } from 'vitest';
import { controlCampaign } from '../../../../lambdas/conversations-api/campaigns/control';
import { createCampaign } from '../../../../lambdas/conversations-api/campaigns/create';
import { listCampaigns, showCampaign } from '../../../../lambdas/conversations-api/campaigns/read';
import type { CampaignState } from '../../../../lambdas/domain/campaign/campaign';
import type { CampaignStore } from '../../../../lambdas/ports/campaign-store';
import { ACME, campaignWorld, createRequest, NOW, OTHER } from '../../../support/campaign-world';

type World = Awaited<ReturnType<typeof campaignWorld>>;

async function campaignIn(world: World, body: Record<string, unknown> = {}): Promise<string> {
  const outcome = await createCampaign(
    { tenantId: ACME.tenantId, request: createRequest({ from: ACME.number, body: 'hi', ...body }) },
    world.deps,
  );
  if (!outcome.ok) throw new Error(outcome.refusal.message);
  return outcome.value.campaign.campaignId;
}

async function moveTo(world: World, campaignId: string, from: CampaignState, to: CampaignState) {
  await world.campaigns.transition(ACME.tenantId, campaignId, from, to, new Date(NOW).toISOString());
}

describe('controlCampaign', () => {
  it('pauses and resumes a running campaign, with a tick on resume; a second pause changes nothing', async () => {
    const world = await campaignWorld();
    const campaignId = await campaignIn(world);
    await world.campaigns.markRecipientsComplete(ACME.tenantId, campaignId);
    await moveTo(world, campaignId, 'scheduled', 'running');
    const control = (action: 'pause' | 'resume' | 'cancel') =>
      controlCampaign({ tenantId: ACME.tenantId, campaignId, action }, world.deps);

    expect(await control('pause')).toMatchObject({
      ok: true,
      value: { changed: true, campaign: { state: 'paused' } },
    });
    expect(await control('pause')).toMatchObject({
      ok: true,
      value: { changed: false, campaign: { state: 'paused' } },
    });
    expect(world.ticks.sent).toEqual([]);
    expect(await control('resume')).toMatchObject({
      ok: true,
      value: { changed: true, campaign: { state: 'running' } },
    });
    expect(world.ticks.drain()).toEqual([
      { body: { v: 1, tenantId: ACME.tenantId, campaignId }, delaySeconds: 0 },
    ]);
    expect(await control('cancel')).toMatchObject({ ok: true, value: { campaign: { state: 'cancelled' } } });
    expect(await control('resume')).toMatchObject({
      ok: false,
      refusal: {
        status: 409,
        error: 'campaign-state-conflict',
        message: 'the campaign is cancelled: it cannot be resumed',
      },
    });
    expect(await control('cancel')).toMatchObject({ ok: true, value: { changed: false } });
  });

  it('resumes a campaign whose start is ahead to scheduled, ticking only once its file is complete', async () => {
    const world = await campaignWorld();
    const campaignId = await campaignIn(world, { startAt: new Date(NOW + 3_600_000).toISOString() });
    const control = (action: 'pause' | 'resume') =>
      controlCampaign({ tenantId: ACME.tenantId, campaignId, action }, world.deps);
    await control('pause');
    expect(await control('resume')).toMatchObject({ ok: true, value: { campaign: { state: 'scheduled' } } });
    // The file is not complete: completing it will put the first tick.
    expect(world.ticks.sent).toEqual([]);
    await world.campaigns.markRecipientsComplete(ACME.tenantId, campaignId);
    await control('pause');
    await control('resume');
    expect(world.ticks.drain().map((tick) => tick.delaySeconds)).toEqual([900]);
  });

  it('refuses to cancel a completed campaign', async () => {
    const world = await campaignWorld();
    const campaignId = await campaignIn(world);
    await moveTo(world, campaignId, 'scheduled', 'completed');
    expect(
      await controlCampaign({ tenantId: ACME.tenantId, campaignId, action: 'cancel' }, world.deps),
    ).toMatchObject({
      ok: false,
      refusal: { status: 409, message: expect.stringMatching(/every message was already sent/) },
    });
  });

  it('decides again when the dispatcher moved the campaign between the read and the write', async () => {
    const world = await campaignWorld();
    const campaignId = await campaignIn(world);
    const store = world.campaigns;
    let raced = false;
    // The dispatcher starts the campaign just as the operator's pause is written.
    const racing: CampaignStore = Object.assign(Object.create(store) as CampaignStore, {
      transition: async (...args: Parameters<CampaignStore['transition']>) => {
        if (!raced) {
          raced = true;
          await store.transition(
            ACME.tenantId,
            campaignId,
            'scheduled',
            'running',
            new Date(NOW).toISOString(),
          );
        }
        return store.transition(...args);
      },
    });
    const outcome = await controlCampaign(
      { tenantId: ACME.tenantId, campaignId, action: 'pause' },
      { ...world.deps, campaigns: racing },
    );
    expect(outcome).toMatchObject({ ok: true, value: { changed: true, campaign: { state: 'paused' } } });
  });

  it('does not find another tenant’s campaign', async () => {
    const world = await campaignWorld();
    const campaignId = await campaignIn(world);
    expect(
      await controlCampaign({ tenantId: OTHER.tenantId, campaignId, action: 'cancel' }, world.deps),
    ).toMatchObject({
      ok: false,
      refusal: { status: 404, error: 'campaign-not-found' },
    });
    expect((await world.campaigns.get(ACME.tenantId, campaignId))?.state).toBe('scheduled');
  });
});

describe('showCampaign and listCampaigns', () => {
  it('shows the tenant’s own campaign only', async () => {
    const world = await campaignWorld();
    const campaignId = await campaignIn(world);
    expect(await showCampaign({ tenantId: ACME.tenantId, campaignId }, world.deps)).toMatchObject({
      ok: true,
      value: { campaignId },
    });
    for (const [tenantId, id] of [
      [OTHER.tenantId, campaignId],
      [ACME.tenantId, 'cmp-not-an-id'],
    ] as const)
      expect(await showCampaign({ tenantId, campaignId: id }, world.deps)).toMatchObject({
        ok: false,
        refusal: { status: 404, error: 'campaign-not-found' },
      });
  });

  it('lists newest first, a page at a time', async () => {
    const world = await campaignWorld();
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      ids.push(await campaignIn(world));
      world.advance(1000);
    }
    const first = await listCampaigns({ tenantId: ACME.tenantId, limit: '2' }, world.deps);
    expect(first.ok && first.value.campaigns.map((campaign) => campaign.campaignId)).toEqual([
      ids[2],
      ids[1],
    ]);
    const cursor = first.ok ? first.value.cursor : undefined;
    expect(cursor).toBeDefined();
    const second = await listCampaigns({ tenantId: ACME.tenantId, limit: '2', cursor }, world.deps);
    expect(second).toEqual({
      ok: true,
      value: { campaigns: [expect.objectContaining({ campaignId: ids[0] })] },
    });
    expect(await listCampaigns({ tenantId: OTHER.tenantId }, world.deps)).toEqual({
      ok: true,
      value: { campaigns: [] },
    });
  });

  it.each([
    [{ limit: '0' }, /limit/],
    [{ limit: '101' }, /limit/],
    [{ limit: '2.5' }, /limit/],
    [{ limit: '' }, /limit/],
    [{ cursor: 'page-2' }, /cursor/],
  ])('refuses %o', async (query, reason) => {
    const world = await campaignWorld();
    expect(await listCampaigns({ tenantId: ACME.tenantId, ...query }, world.deps)).toMatchObject({
      ok: false,
      refusal: { status: 400, message: expect.stringMatching(reason) },
    });
  });
});
