import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  CampaignNotFoundError,
  DynamoCampaignStore,
} from '../../../lambdas/adapters/dynamodb/campaign-store';
import { emptyCampaignCounters } from '../../../lambdas/domain/campaign/campaign';
import type { CampaignDefinition, CampaignRecipient } from '../../../lambdas/ports/campaign-store';
import { useDynamoDbTable } from '../../support/dynamodb-table';

const table = useDynamoDbTable('campaign-store-test');
const AT = '2026-03-10T12:00:00.000Z';
const START_MS = Date.parse(AT);

function store() {
  return new DynamoCampaignStore(table().documents, table().tableName, () => new Date(AT));
}

let campaigns = 0;

/** A fresh campaign id per test, so the tests share one table without seeing each other's items. */
function nextCampaignId(): string {
  campaigns += 1;
  return `cmp-${campaigns.toString(16).padStart(32, '0')}`;
}

function definition(overrides: Partial<CampaignDefinition> = {}): CampaignDefinition {
  return {
    tenantId: 'acme',
    campaignId: nextCampaignId(),
    name: 'spring sale',
    sender: { kind: 'pool', pool: 'main', members: [{ number: '+15005550101', segmentsPerSecond: 2 }] },
    content: { kind: 'workflow', workflowId: 'order-status', routeId: 'track-order' },
    mediaUrls: ['https://example.com/a.png'],
    quietHours: '21:00-08:00',
    defaultTimeZone: 'America/New_York',
    defaultCountry: 'US',
    startAt: AT,
    createdAt: AT,
    idempotencyKey: 'key-1',
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

async function created(overrides: Partial<CampaignDefinition> = {}): Promise<CampaignDefinition> {
  const campaign = definition(overrides);
  expect(await store().create(campaign)).toEqual({ created: true });
  return campaign;
}

async function rawItem(pk: string, sk: string) {
  const { Item } = await table().documents.send(
    new GetCommand({ TableName: table().tableName, Key: { pk, sk }, ConsistentRead: true }),
  );
  return Item;
}

async function dueKeys(campaign: CampaignDefinition): Promise<string[]> {
  const { Items } = await table().documents.send(
    new QueryCommand({
      TableName: table().tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :due)',
      ExpressionAttributeValues: {
        ':pk': `CAMPAIGN#${campaign.tenantId}#${campaign.campaignId}`,
        ':due': 'DUE#',
      },
      ConsistentRead: true,
    }),
  );
  return (Items ?? []).map((item) => String(item.sk));
}

describe('DynamoCampaignStore on DynamoDB Local', () => {
  it('creates a campaign once and gives a retried create the one that exists', async () => {
    const campaign = await created();
    const record = await store().get(campaign.tenantId, campaign.campaignId);
    expect(record).toEqual({
      ...campaign,
      state: 'scheduled',
      recipientsComplete: false,
      counters: emptyCampaignCounters(),
      senderClocks: {},
      updatedAt: AT,
    });
    const again = await store().create({
      ...campaign,
      name: 'another name',
      createdAt: '2026-03-10T12:05:00.000Z',
    });
    expect(again).toEqual({ created: false, existing: record });
    // The retried create wrote no second list entry.
    expect((await store().list('acme', { limit: 100 })).campaigns.map((listed) => listed.campaignId)).toEqual(
      expect.arrayContaining([campaign.campaignId]),
    );
    const listed = (await store().list('acme', { limit: 100 })).campaigns.filter(
      (listedCampaign) => listedCampaign.campaignId === campaign.campaignId,
    );
    expect(listed).toHaveLength(1);
  });

  it('keeps a message campaign from a number and one from the Messaging Service as they were given', async () => {
    const fromNumber = await created({
      sender: { kind: 'number', from: '+15005550006', segmentsPerSecond: 30 },
      content: { kind: 'message', body: 'Hi {{first_name}}' },
      mediaUrls: undefined,
      quietHours: undefined,
      name: undefined,
      idempotencyKey: undefined,
    });
    const record = await store().get('acme', fromNumber.campaignId);
    expect(record?.sender).toEqual({ kind: 'number', from: '+15005550006', segmentsPerSecond: 30 });
    expect(record?.content).toEqual({ kind: 'message', body: 'Hi {{first_name}}' });
    expect(record).not.toHaveProperty('name');
    expect(record).not.toHaveProperty('quietHours');
    expect(record).not.toHaveProperty('mediaUrls');
    const service = await created({ sender: { kind: 'messaging-service', from: '+15005550006' } });
    expect((await store().get('acme', service.campaignId))?.sender).toEqual({
      kind: 'messaging-service',
      from: '+15005550006',
    });
    expect(await store().get('acme', nextCampaignId())).toBeUndefined();
    expect(await store().get('other', fromNumber.campaignId)).toBeUndefined();
  });

  it('stores each number once across chunks and counts the duplicates', async () => {
    const campaign = await created();
    const { tenantId, campaignId } = campaign;
    const first = Array.from({ length: 25 }, (_, index) => recipient(index));
    expect(await store().addRecipients(tenantId, campaignId, first)).toEqual({ added: 25, duplicates: [] });
    // A later chunk repeats two numbers of the first one (beyond the reader's window) and one of its own.
    const second = [
      recipient(3, { line: 40 }),
      recipient(30, { line: 41 }),
      recipient(30, { line: 42, variables: { order_number: '999999' } }),
      recipient(24, { line: 43, variables: {} }),
      recipient(31, { line: 44 }),
    ];
    const result = await store().addRecipients(tenantId, campaignId, second);
    expect(result.added).toBe(2);
    expect(result.duplicates.map((duplicate) => duplicate.line).sort()).toEqual([40, 42, 43]);
    await store().countInvalid(tenantId, campaignId, 4);

    const record = await store().get(tenantId, campaignId);
    expect(record?.counters).toMatchObject({ total: 34, skippedDuplicate: 3, skippedInvalid: 4, queued: 0 });
    // The first line of a number is the one kept.
    expect(await rawItem(`CAMPAIGN#acme#${campaignId}`, `R#${recipient(3).phone}`)).toMatchObject({
      line: 4,
      state: 'pending',
      variables: { order_number: '100003' },
    });
    expect(await dueKeys(campaign)).toHaveLength(27);
  });

  it('counts a chunk sent again (a retried request) once, not as duplicates', async () => {
    const { tenantId, campaignId } = await created();
    const chunk = [recipient(1), recipient(2), recipient(3)];
    expect(await store().addRecipients(tenantId, campaignId, chunk)).toEqual({ added: 3, duplicates: [] });
    expect(await store().addRecipients(tenantId, campaignId, chunk)).toEqual({ added: 0, duplicates: [] });
    expect((await store().get(tenantId, campaignId))?.counters).toMatchObject({
      total: 3,
      skippedDuplicate: 0,
    });
  });

  it('refuses recipients, invalid counts and completion for a campaign that does not exist', async () => {
    const missing = nextCampaignId();
    await expect(store().addRecipients('acme', missing, [recipient(1)])).rejects.toBeInstanceOf(
      CampaignNotFoundError,
    );
    await expect(store().countInvalid('acme', missing, 1)).rejects.toBeInstanceOf(CampaignNotFoundError);
    await expect(store().markRecipientsComplete('acme', missing)).rejects.toBeInstanceOf(
      CampaignNotFoundError,
    );
    // Late reports (status callbacks) of a campaign that is gone change nothing and do not fail.
    await store().addCounters('acme', missing, { delivered: 1 });
    expect(await store().get('acme', missing)).toBeUndefined();
    expect(await rawItem(`CAMPAIGN#acme#${missing}`, `R#${recipient(1).phone}`)).toBeUndefined();
  });

  it('reads due recipients by time, then number, up to now and the limit', async () => {
    const { tenantId, campaignId } = await created();
    const later = recipient(1, { notBeforeMs: START_MS + 60_000, timezone: 'Europe/Paris' });
    const first = recipient(2, { notBeforeMs: START_MS - 1 });
    const sameTimeA = recipient(3, { notBeforeMs: START_MS });
    const sameTimeB = recipient(4, { notBeforeMs: START_MS });
    const farAhead = recipient(5, { notBeforeMs: START_MS + 86_400_000 });
    await store().addRecipients(tenantId, campaignId, [later, farAhead, sameTimeB, first, sameTimeA]);

    const due = await store().dueRecipients(tenantId, campaignId, START_MS + 60_000, 10);
    expect(due.map((entry) => entry.phone)).toEqual([
      first.phone,
      sameTimeA.phone,
      sameTimeB.phone,
      later.phone,
    ]);
    expect(due[3]).toEqual(later);
    expect(
      (await store().dueRecipients(tenantId, campaignId, START_MS + 60_000, 2)).map((entry) => entry.phone),
    ).toEqual([first.phone, sameTimeA.phone]);
    expect(await store().dueRecipients(tenantId, campaignId, START_MS - 2, 10)).toEqual([]);
  });

  it('releases a recipient once: a second release returns false and counts nothing', async () => {
    const { tenantId, campaignId } = await created();
    const target = recipient(1);
    await store().addRecipients(tenantId, campaignId, [target, recipient(2), recipient(3)]);
    const [due] = await store().dueRecipients(tenantId, campaignId, START_MS, 1);
    if (!due) throw new Error('no due recipient');
    const queued = { kind: 'queued', sendId: 'cmp-send-0', from: '+15005550101' } as const;
    const outcomes = await Promise.all([
      store().release(tenantId, campaignId, due, queued),
      store().release(tenantId, campaignId, due, queued),
    ]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await store().release(tenantId, campaignId, due, queued)).toBe(false);
    // Once released, a skip of the same due item (a stale tick) is refused too.
    expect(await store().release(tenantId, campaignId, due, { kind: 'skipped', reason: 'opted-out' })).toBe(
      false,
    );

    const [second, third] = await store().dueRecipients(tenantId, campaignId, START_MS, 10);
    if (!second || !third) throw new Error('due recipients missing');
    expect(
      await store().release(tenantId, campaignId, second, { kind: 'skipped', reason: 'opted-out' }),
    ).toBe(true);
    expect(
      await store().release(tenantId, campaignId, third, { kind: 'skipped', reason: 'conversation-active' }),
    ).toBe(true);

    const record = await store().get(tenantId, campaignId);
    expect(record?.counters).toMatchObject({
      total: 3,
      queued: 1,
      skippedOptedOut: 1,
      skippedConversationActive: 1,
    });
    expect(await rawItem(`CAMPAIGN#acme#${campaignId}`, `R#${target.phone}`)).toMatchObject({
      state: 'queued',
      sendId: 'cmp-send-0',
      from: '+15005550101',
      releasedAt: AT,
    });
    expect(await rawItem(`CAMPAIGN#acme#${campaignId}`, `R#${second.phone}`)).toMatchObject({
      state: 'skipped',
      skipReason: 'opted-out',
    });
    expect(await store().dueRecipients(tenantId, campaignId, START_MS + 1e9, 10)).toEqual([]);
  });

  it('postpones a recipient: its due item moves to the new time in one write, once', async () => {
    const campaign = await created();
    const { tenantId, campaignId } = campaign;
    await store().addRecipients(tenantId, campaignId, [recipient(1), recipient(2)]);
    const [due] = await store().dueRecipients(tenantId, campaignId, START_MS, 1);
    if (!due) throw new Error('no due recipient');
    const opensAt = START_MS + 3_600_000;
    expect(
      await store().release(tenantId, campaignId, due, { kind: 'postponed', notBeforeMs: opensAt }),
    ).toBe(true);
    expect(
      await store().release(tenantId, campaignId, due, { kind: 'postponed', notBeforeMs: opensAt }),
    ).toBe(false);
    expect(
      (await store().dueRecipients(tenantId, campaignId, START_MS, 10)).map((entry) => entry.phone),
    ).toEqual([recipient(2).phone]);
    const moved = await store().dueRecipients(tenantId, campaignId, opensAt, 10);
    expect(moved.map((entry) => [entry.phone, entry.notBeforeMs])).toEqual([
      [recipient(2).phone, START_MS],
      [due.phone, opensAt],
    ]);
    expect(moved[1]?.variables).toEqual(due.variables);
    expect(await dueKeys(campaign)).toHaveLength(2);
    expect(await rawItem(`CAMPAIGN#acme#${campaignId}`, `R#${due.phone}`)).toMatchObject({
      state: 'pending',
      notBeforeMs: opensAt,
    });
    // Postponing adds nothing: the recipient is still pending.
    expect((await store().get(tenantId, campaignId))?.counters).toMatchObject({ total: 2, queued: 0 });
  });

  it('moves the state only from the state the caller read', async () => {
    const { tenantId, campaignId } = await created();
    const started = await store().transition(
      tenantId,
      campaignId,
      'scheduled',
      'running',
      '2026-03-10T12:01:00.000Z',
    );
    expect(started).toMatchObject({
      ok: true,
      campaign: { state: 'running', updatedAt: '2026-03-10T12:01:00.000Z' },
    });
    const stale = await store().transition(
      tenantId,
      campaignId,
      'scheduled',
      'paused',
      '2026-03-10T12:02:00.000Z',
    );
    expect(stale).toMatchObject({ ok: false, current: { state: 'running' } });
    expect(await store().transition(tenantId, nextCampaignId(), 'scheduled', 'running', AT)).toEqual({
      ok: false,
      current: undefined,
    });
  });

  it('marks the file read, saves sender clocks and adds reported counters', async () => {
    const { tenantId, campaignId } = await created();
    await store().markRecipientsComplete(tenantId, campaignId);
    await store().saveSenderClocks(tenantId, campaignId, { '+15005550101': START_MS + 5000 });
    await store().addCounters(tenantId, campaignId, { sent: 2, delivered: 1, replied: 0 });
    await store().addCounters(tenantId, campaignId, { delivered: 1, completed: 1 });
    const record = await store().get(tenantId, campaignId);
    expect(record?.recipientsComplete).toBe(true);
    expect(record?.senderClocks).toEqual({ '+15005550101': START_MS + 5000 });
    expect(record?.counters).toMatchObject({ sent: 2, delivered: 2, replied: 0, completed: 1 });
  });

  it('lists a tenant’s campaigns newest first, a page at a time', async () => {
    const tenantId = 'lister';
    const createdIds: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const campaign = await created({
        tenantId,
        createdAt: new Date(START_MS + index * 1000).toISOString(),
      });
      createdIds.push(campaign.campaignId);
    }
    await created({ tenantId: 'someone-else' });
    const newestFirst = [...createdIds].reverse();

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await store().list(tenantId, { limit: 2, ...(cursor !== undefined ? { cursor } : {}) });
      pages.push(page.campaigns.map((campaign) => campaign.campaignId));
      cursor = page.cursor;
    } while (cursor !== undefined);
    expect(pages).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);

    // A page that ends the list exactly has no cursor to an empty page.
    const whole = await store().list(tenantId, { limit: 5 });
    expect(whole.campaigns.map((campaign) => campaign.campaignId)).toEqual(newestFirst);
    expect(whole.cursor).toBeUndefined();
    expect((await store().list('nobody', { limit: 10 })).campaigns).toEqual([]);
    await expect(store().list(tenantId, { limit: 2, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
      RangeError,
    );
  });
});
