import { describe, expect, it } from 'vitest';
import { createCampaign } from '../../../../lambdas/conversations-api/campaigns/create';
import { addCampaignRecipients } from '../../../../lambdas/conversations-api/campaigns/recipients';
import { parseRecipientsRequest } from '../../../../lambdas/conversations-api/campaigns/request';
import { ACME, campaignWorld, createRequest, NOW } from '../../../support/campaign-world';

type World = Awaited<ReturnType<typeof campaignWorld>>;

const ORDER = { order_number: '123456', order_date: 'March 1' };

async function campaignIn(world: World, body: Record<string, unknown>): Promise<string> {
  const outcome = await createCampaign({ tenantId: ACME.tenantId, request: createRequest(body) }, world.deps);
  if (!outcome.ok) throw new Error(outcome.refusal.message);
  return outcome.value.campaign.campaignId;
}

function add(
  world: World,
  campaignId: string,
  body: Record<string, unknown>,
  tenantId: string = ACME.tenantId,
) {
  const parsed = parseRecipientsRequest(body);
  if (!parsed.ok) throw new Error(parsed.reason);
  return addCampaignRecipients({ tenantId, campaignId, request: parsed.value }, world.deps);
}

const WORKFLOW_CAMPAIGN = {
  from: ACME.number,
  workflowId: 'order-status',
  quietHours: '21:00-08:00',
  timeZone: 'America/New_York',
};

describe('addCampaignRecipients', () => {
  it('stores valid rows once, lists the others by line and counts every row', async () => {
    const world = await campaignWorld();
    const campaignId = await campaignIn(world, WORKFLOW_CAMPAIGN);
    const outcome = await add(world, campaignId, {
      recipients: [
        { phone: '+14155550100', variables: ORDER },
        { phone: '(415) 555-0101', variables: ORDER },
        { phone: 'call me', variables: ORDER },
        { phone: '+1 415 555 0100', variables: ORDER },
        { phone: '+819012345678', variables: ORDER },
        { phone: '+14155550102', variables: { ...ORDER, order_number: '12' } },
        { phone: '+14155550103', variables: ORDER, timezone: 'Pacific/Auckland' },
        { phone: '+14155550104', variables: { order_number: '654321' } },
      ],
      invalid: 2,
      duplicates: 1,
    });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const { added, duplicates, invalid, campaign } = outcome.value;
    expect(added).toBe(4);
    expect(duplicates).toEqual([4]);
    expect(invalid).toEqual([
      { line: 3, reason: expect.stringMatching(/^not a phone number/) },
      { line: 6, reason: expect.stringMatching(/order_number/) },
      { line: 8, reason: 'order_date empty: the first message needs it' },
    ]);
    expect(campaign.counters).toMatchObject({ total: 11, skippedInvalid: 5, skippedDuplicate: 2, queued: 0 });
    expect(campaign.recipientsComplete).toBe(false);
    expect(world.ticks.sent).toEqual([]);

    // Due at the start (now), or when the quiet hours end on the recipient's clock: 08:00 in New
    // York (the campaign's zone for +1 numbers) is now; 21:00 in Tokyo waits for 08:00 there.
    const due = await world.campaigns.dueRecipients(ACME.tenantId, campaignId, NOW + 2 * 86_400_000, 10);
    expect(
      due.map(({ phone, notBeforeMs, line }) => [phone, new Date(notBeforeMs).toISOString(), line]),
    ).toEqual([
      ['+14155550100', '2026-03-10T12:00:00.000Z', 1],
      ['+14155550101', '2026-03-10T12:00:00.000Z', 2],
      ['+14155550103', '2026-03-10T19:00:00.000Z', 7],
      ['+819012345678', '2026-03-10T23:00:00.000Z', 5],
    ]);
    expect(due[2]).toMatchObject({ timezone: 'Pacific/Auckland', variables: ORDER });
  });

  it('counts a number of an earlier request as a duplicate and completes the file with one tick', async () => {
    const world = await campaignWorld();
    const campaignId = await campaignIn(world, WORKFLOW_CAMPAIGN);
    await add(world, campaignId, { recipients: [{ phone: '+14155550100', variables: ORDER }] });
    const last = await add(world, campaignId, {
      recipients: [{ phone: '+14155550100', variables: ORDER, line: 20 }],
      complete: true,
    });
    expect(last).toMatchObject({
      ok: true,
      value: {
        added: 0,
        duplicates: [20],
        campaign: { recipientsComplete: true, counters: { total: 2, skippedDuplicate: 1 } },
      },
    });
    expect(world.ticks.drain()).toEqual([
      { body: { v: 1, tenantId: ACME.tenantId, campaignId }, delaySeconds: 0 },
    ]);

    // Completing again changes nothing; adding after completion is refused.
    expect(await add(world, campaignId, { complete: true })).toMatchObject({ ok: true, value: { added: 0 } });
    expect(world.ticks.sent).toEqual([]);
    expect(
      await add(world, campaignId, { recipients: [{ phone: '+14155550109', variables: ORDER }] }),
    ).toMatchObject({
      ok: false,
      refusal: { status: 409, error: 'recipients-complete' },
    });
    expect(await add(world, campaignId, { invalid: 1 })).toMatchObject({
      ok: false,
      refusal: { status: 409 },
    });
  });

  it('counts a request sent again once', async () => {
    const world = await campaignWorld();
    const campaignId = await campaignIn(world, WORKFLOW_CAMPAIGN);
    const body = { recipients: [{ phone: '+14155550100', variables: ORDER, line: 2 }] };
    await add(world, campaignId, body);
    expect(await add(world, campaignId, body)).toMatchObject({
      ok: true,
      value: { added: 0, duplicates: [], campaign: { counters: { total: 1, skippedDuplicate: 0 } } },
    });
  });

  it('holds the first tick back until a later start, as far as SQS can', async () => {
    const world = await campaignWorld();
    const startAt = new Date(NOW + 2 * 3_600_000).toISOString();
    const soon = new Date(NOW + 90_000).toISOString();
    const later = await campaignIn(world, { from: ACME.number, body: 'Sale at 2', startAt });
    const sooner = await campaignIn(world, { from: ACME.number, body: 'Sale soon', startAt: soon });
    await add(world, later, { recipients: [{ phone: '+14155550100' }], complete: true });
    await add(world, sooner, { recipients: [{ phone: '+14155550100' }], complete: true });
    expect(world.ticks.drain().map((tick) => [tick.body.campaignId, tick.delaySeconds])).toEqual([
      [later, 900],
      [sooner, 90],
    ]);
    const [due] = await world.campaigns.dueRecipients(ACME.tenantId, later, NOW + 86_400_000, 10);
    expect(due?.notBeforeMs).toBe(Date.parse(startAt));
  });

  it.each([
    [
      'a column that is no variable of the campaign',
      {
        recipients: [
          { phone: '+14155550100', variables: { first_name: 'Ada', order_number: '1', coupon: 'X1' } },
        ],
      },
      'unknown-columns',
      /coupon is not a variable of the campaign/,
    ],
    [
      'columns the workflow cannot start with',
      { recipients: [{ phone: '+14155550100', variables: { order_number: '123456' } }] },
      'workflow-cannot-start',
      /^cannot start with these columns: the text needs variable\(s\) first_name/,
    ],
  ])('refuses %s, storing nothing', async (_name, body, error, message) => {
    const world = await campaignWorld();
    const campaignId = await campaignIn(world, {
      from: ACME.number,
      body: 'Hi {{first_name}}, your order {{order_number}} shipped',
    });
    expect(await add(world, campaignId, body)).toMatchObject({
      ok: false,
      refusal: { status: 400, error, message: expect.stringMatching(message) },
    });
    expect((await world.campaigns.get(ACME.tenantId, campaignId))?.counters.total).toBe(0);
  });

  it('fills a text’s variables from the rows', async () => {
    const world = await campaignWorld();
    const campaignId = await campaignIn(world, { from: ACME.number, body: 'Hi {{first_name}}' });
    const outcome = await add(world, campaignId, {
      recipients: [
        { phone: '+14155550100', variables: { first_name: 'Ada' } },
        { phone: '+14155550101', variables: { first_name: '' } },
      ],
    });
    expect(outcome).toMatchObject({
      ok: true,
      value: { added: 1, invalid: [{ line: 2, reason: 'first_name empty: the first message needs it' }] },
    });
  });

  it('puts no tick for a paused campaign: its resume does', async () => {
    const world = await campaignWorld();
    const campaignId = await campaignIn(world, WORKFLOW_CAMPAIGN);
    await world.campaigns.transition(
      ACME.tenantId,
      campaignId,
      'scheduled',
      'paused',
      new Date(NOW).toISOString(),
    );
    expect(await add(world, campaignId, { complete: true })).toMatchObject({
      ok: true,
      value: { campaign: { recipientsComplete: true, state: 'paused' } },
    });
    expect(world.ticks.sent).toEqual([]);
  });

  it('refuses recipients for a cancelled campaign, and for a campaign that is not the tenant’s', async () => {
    const world = await campaignWorld();
    const campaignId = await campaignIn(world, WORKFLOW_CAMPAIGN);
    const row = { recipients: [{ phone: '+14155550100', variables: ORDER }] };
    expect(await add(world, campaignId, row, 'other')).toMatchObject({
      ok: false,
      refusal: { status: 404, error: 'campaign-not-found' },
    });
    await world.campaigns.transition(
      ACME.tenantId,
      campaignId,
      'scheduled',
      'cancelled',
      new Date(NOW).toISOString(),
    );
    expect(await add(world, campaignId, row)).toMatchObject({
      ok: false,
      refusal: { status: 409, error: 'campaign-state-conflict', message: expect.stringMatching(/cancelled/) },
    });
  });
});
