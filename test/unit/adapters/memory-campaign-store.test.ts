import { describe, expect, it } from 'vitest';
import {
  MemoryCampaignNotFoundError,
  MemoryCampaignStore,
} from '../../../lambdas/adapters/memory/campaign-store';
import { emptyCampaignCounters } from '../../../lambdas/domain/campaign/campaign';
import type { CampaignDefinition, CampaignRecipient } from '../../../lambdas/ports/campaign-store';

/** The memory store keeps the DynamoDB store's contract (test/integration/adapters/campaign-store.test.ts). */
const AT = '2026-03-10T12:00:00.000Z';
const START_MS = Date.parse(AT);
let campaigns = 0;

function definition(overrides: Partial<CampaignDefinition> = {}): CampaignDefinition {
  campaigns += 1;
  return {
    tenantId: 'acme',
    campaignId: `cmp-${campaigns.toString(16).padStart(32, '0')}`,
    sender: { kind: 'number', from: '+15005550101' },
    content: { kind: 'message', body: 'Hi' },
    defaultTimeZone: 'UTC',
    startAt: AT,
    createdAt: AT,
    ...overrides,
  };
}

function recipient(index: number, overrides: Partial<CampaignRecipient> = {}): CampaignRecipient {
  return {
    phone: `+1415555${String(index).padStart(4, '0')}`,
    variables: { order_number: String(100000 + index) },
    line: index + 1,
    notBeforeMs: START_MS,
    ...overrides,
  };
}

async function created(store: MemoryCampaignStore, overrides: Partial<CampaignDefinition> = {}) {
  const campaign = definition(overrides);
  expect(await store.create(campaign)).toEqual({ created: true });
  return campaign;
}

describe('MemoryCampaignStore', () => {
  it('creates once and answers a retried create with the campaign that exists', async () => {
    const store = new MemoryCampaignStore(() => new Date(AT));
    const campaign = await created(store);
    const record = await store.get('acme', campaign.campaignId);
    expect(record).toEqual({
      ...campaign,
      state: 'scheduled',
      recipientsComplete: false,
      counters: emptyCampaignCounters(),
      senderClocks: {},
      updatedAt: AT,
    });
    expect(await store.create({ ...campaign, name: 'again' })).toEqual({ created: false, existing: record });
    expect(await store.get('other', campaign.campaignId)).toBeUndefined();
  });

  it('hands out copies: changing what was read changes nothing stored', async () => {
    const store = new MemoryCampaignStore();
    const campaign = await created(store);
    const record = await store.get('acme', campaign.campaignId);
    (record?.counters as Record<string, number>).queued = 99;
    expect((await store.get('acme', campaign.campaignId))?.counters.queued).toBe(0);
  });

  it('stores each number once, counts duplicates, and a chunk sent again once', async () => {
    const store = new MemoryCampaignStore();
    const { tenantId, campaignId } = await created(store);
    const first = Array.from({ length: 25 }, (_, index) => recipient(index));
    expect(await store.addRecipients(tenantId, campaignId, first)).toEqual({ added: 25, duplicates: [] });
    // The same chunk again (a retried request): not duplicates, counted once.
    expect(await store.addRecipients(tenantId, campaignId, first.slice(0, 3))).toEqual({
      added: 0,
      duplicates: [],
    });
    const second = [
      recipient(3, { line: 40 }),
      recipient(30, { line: 41 }),
      recipient(30, { line: 42, variables: { order_number: '999999' } }),
      recipient(24, { line: 43, variables: {} }),
      recipient(31, { line: 44 }),
    ];
    const result = await store.addRecipients(tenantId, campaignId, second);
    expect(result.added).toBe(2);
    expect(result.duplicates.map((duplicate) => duplicate.line).sort()).toEqual([40, 42, 43]);
    await store.countInvalid(tenantId, campaignId, 4);
    await store.countInvalid(tenantId, campaignId, 0);
    expect((await store.get(tenantId, campaignId))?.counters).toMatchObject({
      total: 34,
      skippedDuplicate: 3,
      skippedInvalid: 4,
    });
    expect(store.recipient(tenantId, campaignId, recipient(3).phone)).toMatchObject({
      line: 4,
      state: 'pending',
    });
    await expect(
      store.addRecipients(
        tenantId,
        campaignId,
        Array.from({ length: 26 }, (_, i) => recipient(100 + i)),
      ),
    ).rejects.toBeInstanceOf(RangeError);
  });

  it('refuses writes to a campaign that does not exist, and ignores late counters for it', async () => {
    const store = new MemoryCampaignStore();
    const missing = definition().campaignId;
    await expect(store.addRecipients('acme', missing, [recipient(1)])).rejects.toBeInstanceOf(
      MemoryCampaignNotFoundError,
    );
    await expect(store.countInvalid('acme', missing, 1)).rejects.toBeInstanceOf(MemoryCampaignNotFoundError);
    await expect(store.markRecipientsComplete('acme', missing)).rejects.toBeInstanceOf(
      MemoryCampaignNotFoundError,
    );
    await expect(store.saveSenderClocks('acme', missing, {})).rejects.toBeInstanceOf(
      MemoryCampaignNotFoundError,
    );
    await store.addCounters('acme', missing, { delivered: 1 });
    expect(await store.transition('acme', missing, 'scheduled', 'running', AT)).toEqual({
      ok: false,
      current: undefined,
    });
    expect(
      await store.release('acme', missing, { ...recipient(1) }, { kind: 'skipped', reason: 'invalid' }),
    ).toBe(false);
  });

  it('reads due recipients by time, then number, up to now and the limit', async () => {
    const store = new MemoryCampaignStore();
    const { tenantId, campaignId } = await created(store);
    const later = recipient(1, { notBeforeMs: START_MS + 60_000, timezone: 'Europe/Paris' });
    const first = recipient(2, { notBeforeMs: START_MS - 1 });
    const sameTimeA = recipient(3);
    const sameTimeB = recipient(4);
    const farAhead = recipient(5, { notBeforeMs: START_MS + 86_400_000 });
    await store.addRecipients(tenantId, campaignId, [later, farAhead, sameTimeB, first, sameTimeA]);
    const due = await store.dueRecipients(tenantId, campaignId, START_MS + 60_000, 10);
    expect(due.map((entry) => entry.phone)).toEqual([
      first.phone,
      sameTimeA.phone,
      sameTimeB.phone,
      later.phone,
    ]);
    expect(due[3]).toEqual(later);
    expect((await store.dueRecipients(tenantId, campaignId, START_MS + 60_000, 2)).length).toBe(2);
    expect(await store.dueRecipients(tenantId, campaignId, START_MS - 2, 10)).toEqual([]);
    await expect(store.dueRecipients(tenantId, campaignId, START_MS, 0)).rejects.toBeInstanceOf(RangeError);
  });

  it('releases a due recipient once and counts it with the release', async () => {
    const store = new MemoryCampaignStore(() => new Date(AT));
    const { tenantId, campaignId } = await created(store);
    await store.addRecipients(tenantId, campaignId, [recipient(1), recipient(2), recipient(3)]);
    const [due, second, third] = await store.dueRecipients(tenantId, campaignId, START_MS, 10);
    if (!due || !second || !third) throw new Error('due recipients missing');
    const queued = { kind: 'queued', sendId: 'cmp-send-0', from: '+15005550101' } as const;
    const outcomes = await Promise.all([
      store.release(tenantId, campaignId, due, queued),
      store.release(tenantId, campaignId, due, queued),
    ]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await store.release(tenantId, campaignId, due, { kind: 'skipped', reason: 'opted-out' })).toBe(
      false,
    );
    expect(await store.release(tenantId, campaignId, second, { kind: 'skipped', reason: 'opted-out' })).toBe(
      true,
    );
    expect(
      await store.release(tenantId, campaignId, third, { kind: 'skipped', reason: 'conversation-active' }),
    ).toBe(true);
    expect((await store.get(tenantId, campaignId))?.counters).toMatchObject({
      total: 3,
      queued: 1,
      skippedOptedOut: 1,
      skippedConversationActive: 1,
    });
    expect(store.recipient(tenantId, campaignId, due.phone)).toMatchObject({
      state: 'queued',
      sendId: 'cmp-send-0',
      from: '+15005550101',
    });
    expect(await store.dueRecipients(tenantId, campaignId, START_MS + 1e9, 10)).toEqual([]);
  });

  it('postpones a recipient to its new time, once, counting nothing', async () => {
    const store = new MemoryCampaignStore();
    const { tenantId, campaignId } = await created(store);
    await store.addRecipients(tenantId, campaignId, [recipient(1), recipient(2)]);
    const [due] = await store.dueRecipients(tenantId, campaignId, START_MS, 1);
    if (!due) throw new Error('no due recipient');
    const opensAt = START_MS + 3_600_000;
    expect(await store.release(tenantId, campaignId, due, { kind: 'postponed', notBeforeMs: opensAt })).toBe(
      true,
    );
    expect(await store.release(tenantId, campaignId, due, { kind: 'postponed', notBeforeMs: opensAt })).toBe(
      false,
    );
    expect(
      (await store.dueRecipients(tenantId, campaignId, START_MS, 10)).map((entry) => entry.phone),
    ).toEqual([recipient(2).phone]);
    const moved = await store.dueRecipients(tenantId, campaignId, opensAt, 10);
    expect(moved.map((entry) => [entry.phone, entry.notBeforeMs])).toEqual([
      [recipient(2).phone, START_MS],
      [due.phone, opensAt],
    ]);
    expect(moved[1]?.variables).toEqual(due.variables);
    expect(store.recipient(tenantId, campaignId, due.phone)).toMatchObject({
      state: 'pending',
      notBeforeMs: opensAt,
    });
    expect((await store.get(tenantId, campaignId))?.counters).toMatchObject({ total: 2, queued: 0 });
  });

  it('moves the state only from the state read; marks the file read; keeps clocks and counters', async () => {
    const store = new MemoryCampaignStore(() => new Date('2026-03-10T12:03:00.000Z'));
    const { tenantId, campaignId } = await created(store);
    expect(
      await store.transition(tenantId, campaignId, 'scheduled', 'running', '2026-03-10T12:01:00.000Z'),
    ).toMatchObject({
      ok: true,
      campaign: { state: 'running', updatedAt: '2026-03-10T12:01:00.000Z' },
    });
    expect(await store.transition(tenantId, campaignId, 'scheduled', 'paused', AT)).toMatchObject({
      ok: false,
      current: { state: 'running' },
    });
    await store.markRecipientsComplete(tenantId, campaignId);
    await store.saveSenderClocks(tenantId, campaignId, { '+15005550101': START_MS + 5000 });
    await store.addCounters(tenantId, campaignId, { sent: 2, delivered: 1 });
    await store.addCounters(tenantId, campaignId, { delivered: 1, completed: 1 });
    expect(await store.get(tenantId, campaignId)).toMatchObject({
      recipientsComplete: true,
      updatedAt: '2026-03-10T12:03:00.000Z',
      senderClocks: { '+15005550101': START_MS + 5000 },
      counters: { sent: 2, delivered: 2, completed: 1 },
    });
  });

  it("lists a tenant's campaigns newest first, a page at a time", async () => {
    const store = new MemoryCampaignStore();
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1)
      ids.push(
        (
          await created(store, {
            tenantId: 'lister',
            createdAt: new Date(START_MS + index * 1000).toISOString(),
          })
        ).campaignId,
      );
    await created(store, { tenantId: 'someone-else' });
    const newestFirst = [...ids].reverse();
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list('lister', { limit: 2, ...(cursor !== undefined ? { cursor } : {}) });
      pages.push(page.campaigns.map((campaign) => campaign.campaignId));
      cursor = page.cursor;
    } while (cursor !== undefined);
    expect(pages).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);
    expect((await store.list('lister', { limit: 5 })).cursor).toBeUndefined();
    await expect(store.list('lister', { limit: 2, cursor: 'nope' })).rejects.toBeInstanceOf(RangeError);
  });
});
