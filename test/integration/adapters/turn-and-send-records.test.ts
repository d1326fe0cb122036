import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoConversationStore } from '../../../lambdas/adapters/dynamodb/conversation-store';
import { keys } from '../../../lambdas/adapters/dynamodb/keys';
import { DynamoMessageStore } from '../../../lambdas/adapters/dynamodb/message-store';
import { DynamoTenantAdmin } from '../../../lambdas/adapters/dynamodb/tenant-admin';
import type { ConversationRecord, PlannedReply, TurnCommit } from '../../../lambdas/ports/conversation-store';
import type { SendIdentity } from '../../../lambdas/ports/message-store';
import { useDynamoDbTable } from '../../support/dynamodb-table';

/**
 * The records a turn and its sends leave, on DynamoDB Local: the turn writes the state (with the
 * message it applied) and the inbound entry in one transaction; a send's claim, outcome and sid
 * live on the reply's transcript entry, which the claim creates when the turn did not.
 */
const table = useDynamoDbTable('turn-and-send-records-test');
const conversations = () => new DynamoConversationStore(table().documents, table().tableName);
const messages = () => new DynamoMessageStore(table().documents, table().tableName);

const TENANT = 'demo';
const AT = '2026-12-02T10:00:00.000Z';
const BUSINESS = '+15005550006';
let customerSeq = 0;
const nextCustomer = () => `+1555020${String(customerSeq++).padStart(4, '0')}`;

function reply(sid: string, body = 'What is your order number?'): PlannedReply {
  return { sendId: `${sid}-0`, transcriptKey: `${AT}#${sid}-0`, body };
}

function state(customer: string, version: number, sids: string[]): ConversationRecord {
  return {
    tenantId: TENANT,
    customer,
    conversationId: 'SMconv',
    businessNumber: '+15005550006',
    workflowId: 'order-status',
    slots: { status: 'collecting', routeId: 'track-order', variables: {}, attempts: {} },
    version,
    startedAt: AT,
    lastActivityAt: AT,
    expiresAt: '2026-12-03T10:00:00.000Z',
    recentMessageSids: sids,
    lastInboundAt: AT,
  };
}

function turn(
  customer: string,
  sid: string,
  expectedVersion: number | undefined,
  sids: string[],
): TurnCommit {
  return {
    tenantId: TENANT,
    customer,
    conversation: state(customer, (expectedVersion ?? 0) + 1, sids),
    ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    inbound: {
      transcriptKey: `${AT}#${sid}`,
      messageSid: sid,
      conversationId: 'SMconv',
      from: customer,
      to: '+15005550006',
      body: 'Where is my order?',
      mediaUrls: [],
      at: AT,
    },
    replies: [reply(sid)],
  };
}

async function item(key: { pk: string; sk: string }) {
  return (await table().documents.send(new GetCommand({ TableName: table().tableName, Key: key }))).Item;
}

describe('a turn in one transaction', () => {
  it('records the state with the turn and the inbound entry with its replies together', async () => {
    const customer = nextCustomer();
    expect(await conversations().commitTurn(turn(customer, 'SM1', undefined, ['SM1']))).toEqual({
      outcome: 'committed',
    });
    const saved = await conversations().load({ tenantId: TENANT, businessNumber: BUSINESS, customer });
    expect(saved?.version).toBe(1);
    expect(saved?.recentMessageSids).toEqual(['SM1']);
    expect(saved?.lastInboundAt).toBe(AT);
    const inbound = await item(keys.transcriptEntry(TENANT, customer, `${AT}#SM1`));
    expect(inbound?.replies).toEqual([reply('SM1')]);
  });

  it('is a duplicate with the same replies when retried after the whole turn', async () => {
    const customer = nextCustomer();
    await conversations().commitTurn(turn(customer, 'SM1', undefined, ['SM1']));
    // The retry read the state the first attempt wrote, so it expects version 1.
    expect(await conversations().commitTurn(turn(customer, 'SM1', 1, ['SM1', 'SM1']))).toEqual({
      outcome: 'duplicate',
      replies: [reply('SM1')],
    });
    expect(
      (await conversations().load({ tenantId: TENANT, businessNumber: BUSINESS, customer }))?.version,
    ).toBe(1);
  });

  it('writes no state when the inbound entry exists: the two are never apart', async () => {
    const customer = nextCustomer();
    const recorded = turn(customer, 'SM1', undefined, ['SM1']);
    await table().documents.send(
      new PutCommand({
        TableName: table().tableName,
        Item: {
          ...keys.transcriptEntry(TENANT, customer, recorded.inbound.transcriptKey),
          direction: 'inbound',
          replies: [reply('SM1', 'recorded earlier')],
        },
      }),
    );
    expect(await conversations().commitTurn(recorded)).toEqual({
      outcome: 'duplicate',
      replies: [reply('SM1', 'recorded earlier')],
    });
    expect(
      await conversations().load({ tenantId: TENANT, businessNumber: BUSINESS, customer }),
    ).toBeUndefined();
  });

  it('owes nothing for a second webhook of an applied message (same SID, later receipt)', async () => {
    const customer = nextCustomer();
    await conversations().commitTurn(turn(customer, 'SM1', undefined, ['SM1']));
    const again = turn(customer, 'SM1', 1, ['SM1', 'SM1']);
    const later = { ...again, inbound: { ...again.inbound, transcriptKey: `2026-12-02T10:09:00.000Z#SM1` } };
    expect(await conversations().commitTurn(later)).toEqual({ outcome: 'duplicate', replies: [] });
    expect(await item(keys.transcriptEntry(TENANT, customer, later.inbound.transcriptKey))).toBeUndefined();
  });

  it('keeps what the last turn recorded through a business start that wrote the state in between', async () => {
    const customer = nextCustomer();
    await conversations().commitTurn(turn(customer, 'SM1', undefined, ['SM1']));
    const started = await conversations().commitStart({
      tenantId: TENANT,
      customer,
      businessNumber: '+15005550006',
      conversation: { ...state(customer, 2, []), recentMessageSids: undefined },
      expectedVersion: 1,
      replies: [{ sendId: 'api-0', transcriptKey: `${AT}#api-0`, body: 'Hello from us' }],
      conversationId: 'api',
      at: AT,
    });
    expect(started).toBe('committed');
    const saved = await conversations().load({ tenantId: TENANT, businessNumber: BUSINESS, customer });
    expect([saved?.recentMessageSids, saved?.lastInboundAt]).toEqual([['SM1'], AT]);
    expect(await conversations().commitTurn(turn(customer, 'SM1', 2, ['SM1', 'SM1']))).toEqual({
      outcome: 'duplicate',
      replies: [reply('SM1')],
    });
  });

  it('is a conflict when another message changed the state since it was read', async () => {
    const customer = nextCustomer();
    await conversations().commitTurn(turn(customer, 'SM1', undefined, ['SM1']));
    await conversations().commitTurn(turn(customer, 'SM2', 1, ['SM1', 'SM2']));
    expect(await conversations().commitTurn(turn(customer, 'SM3', 1, ['SM1', 'SM3']))).toEqual({
      outcome: 'conflict',
    });
  });

  it('finds a message redriven long after its turn by its inbound entry', async () => {
    const customer = nextCustomer();
    await conversations().commitTurn(turn(customer, 'SM1', undefined, ['SM1']));
    let version = 1;
    for (const sid of ['SM2', 'SM3', 'SM4', 'SM5', 'SM6', 'SM7']) {
      await conversations().commitTurn(turn(customer, sid, version, [sid]));
      version++;
    }
    expect(await conversations().commitTurn(turn(customer, 'SM1', version, ['SM1']))).toEqual({
      outcome: 'duplicate',
      replies: [reply('SM1')],
    });
    expect(
      (await conversations().load({ tenantId: TENANT, businessNumber: BUSINESS, customer }))?.version,
    ).toBe(version);
  });
});

function send(customer: string, sid: string): SendIdentity {
  return {
    tenantId: TENANT,
    sendId: `${sid}-0`,
    conversationKey: { tenantId: TENANT, customer },
    transcriptKey: `${AT}#${sid}-0`,
    conversationId: 'SMconv',
    from: '+15005550006',
    to: customer,
    body: 'What is your order number?',
    queuedAt: '2026-12-02T10:00:00.100Z',
  };
}

describe("a send's record on its reply's transcript entry", () => {
  it("keeps a parked send's booked slot for the receive that comes back, counts its parks, and drops the slot on a release", async () => {
    const customer = nextCustomer();
    const identity = send(customer, 'SM9');
    await messages().claimSend(identity, '2026-12-02T10:00:01.000Z');
    await messages().parkSend(identity, { slotAtMs: 1_764_669_630_000 });
    expect(await messages().claimSend(identity, '2026-12-02T10:00:20.000Z')).toEqual({
      outcome: 'claimed',
      bookedSlotAtMs: 1_764_669_630_000,
      parks: 1,
    });
    // Back early: parked again with the same slot, a second park.
    await messages().parkSend(identity, { slotAtMs: 1_764_669_630_000 });
    expect(await messages().claimSend(identity, '2026-12-02T10:00:29.000Z')).toMatchObject({
      outcome: 'claimed',
      bookedSlotAtMs: 1_764_669_630_000,
      parks: 2,
    });
    // A failed attempt used its slot up; the parks stay counted (they are not failures).
    await messages().releaseSend(identity);
    expect(await messages().claimSend(identity, '2026-12-02T10:00:40.000Z')).toEqual({
      outcome: 'claimed',
      parks: 2,
    });
    // Only a claim holder parks.
    await messages().completeSend(identity, {
      state: 'sent',
      sid: 'SMtwilio9',
      at: '2026-12-02T10:00:41.000Z',
    });
    await expect(messages().parkSend(identity, { slotAtMs: 1 })).rejects.toThrow();
  });

  it('is created by the claim, held once, released, reclaimed and finally done', async () => {
    const customer = nextCustomer();
    const identity = send(customer, 'SM1');
    expect(await messages().claimSend(identity, '2026-12-02T10:00:01.000Z')).toEqual({
      outcome: 'claimed',
      parks: 0,
    });
    expect(await messages().claimSend(identity, '2026-12-02T10:00:02.000Z')).toEqual({
      outcome: 'inFlight',
      claimedAt: '2026-12-02T10:00:01.000Z',
      parks: 0,
    });
    await messages().releaseSend(identity);
    expect(await messages().claimSend(identity, '2026-12-02T10:00:03.000Z')).toEqual({
      outcome: 'claimed',
      parks: 0,
    });
    await messages().recordSent(identity, {
      sid: 'SMtwilio1',
      status: 'queued',
      at: '2026-12-02T10:00:04.000Z',
    });
    await messages().completeSend(identity, {
      state: 'sent',
      sid: 'SMtwilio1',
      at: '2026-12-02T10:00:04.000Z',
    });
    expect(await messages().claimSend(identity, '2026-12-02T10:00:05.000Z')).toEqual({
      outcome: 'done',
      sid: 'SMtwilio1',
    });
    const entry = await item(keys.transcriptEntry(TENANT, customer, identity.transcriptKey));
    expect(entry).toMatchObject({
      direction: 'outbound',
      sendId: 'SM1-0',
      from: '+15005550006',
      to: customer,
      body: 'What is your order number?',
      at: '2026-12-02T10:00:00.100Z',
      sendState: 'sent',
      sid: 'SMtwilio1',
      attempts: 2,
    });
  });

  it('claims an entry written ahead of the send and keeps what it says', async () => {
    const customer = nextCustomer();
    await conversations().recordReply({
      ...reply('SM9', 'Sorry, something went wrong on our side.'),
      tenantId: TENANT,
      customer,
      businessNumber: '+15005550006',
      at: AT,
    });
    const identity = { ...send(customer, 'SM9'), body: 'Sorry, something went wrong on our side.' };
    expect(await messages().claimSend(identity, '2026-12-02T10:00:01.000Z')).toEqual({
      outcome: 'claimed',
      parks: 0,
    });
    const entry = await item(keys.transcriptEntry(TENANT, customer, identity.transcriptKey));
    expect(entry).toMatchObject({ at: AT, conversationId: '', sendState: 'sending' });
  });

  it('shows each reply with its message status in the transcript, and unclaimed ones as pending', async () => {
    const customer = nextCustomer();
    const admin = new DynamoTenantAdmin(table().documents, table().tableName);
    await conversations().commitTurn(turn(customer, 'SM1', undefined, ['SM1']));
    expect(
      (await admin.transcript(TENANT, customer)).map((entry) => [entry.direction, entry.status]),
    ).toEqual([
      ['inbound', undefined],
      ['outbound', 'pending'],
    ]);
    const identity = send(customer, 'SM1');
    await messages().claimSend(identity, '2026-12-02T10:00:01.000Z');
    await messages().recordSent(identity, {
      sid: 'SMtwilio2',
      status: 'queued',
      at: '2026-12-02T10:00:02.000Z',
    });
    await messages().completeSend(identity, {
      state: 'sent',
      sid: 'SMtwilio2',
      at: '2026-12-02T10:00:02.000Z',
    });
    await messages().applyStatus({
      tenantId: TENANT,
      sid: 'SMtwilio2',
      status: 'undelivered',
      errorCode: '30003',
      at: '2026-12-02T10:00:03.000Z',
      deliveryId: 'sqs-1',
      recordUnknown: false,
    });
    const transcript = await admin.transcript(TENANT, customer);
    expect(transcript).toHaveLength(2);
    expect(transcript[1]).toMatchObject({ sid: 'SMtwilio2', status: 'undelivered', errorCode: '30003' });
  });
});
