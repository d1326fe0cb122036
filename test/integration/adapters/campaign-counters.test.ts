import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoCampaignStates } from '../../../lambdas/adapters/dynamodb/campaign-states';
import { DynamoConversationStore } from '../../../lambdas/adapters/dynamodb/conversation-store';
import { keys } from '../../../lambdas/adapters/dynamodb/keys';
import { DynamoMessageStore } from '../../../lambdas/adapters/dynamodb/message-store';
import {
  type CampaignCounter,
  type CampaignState,
  campaignCountersFrom,
  emptyCampaignCounters,
} from '../../../lambdas/domain/campaign/campaign';
import type { OutboundStatus } from '../../../lambdas/domain/message-status';
import type { ConversationRecord, TurnCommit } from '../../../lambdas/ports/conversation-store';
import type { SendIdentity } from '../../../lambdas/ports/message-store';
import { useDynamoDbTable } from '../../support/dynamodb-table';

/**
 * Campaign counters on DynamoDB Local, each added in the transaction that marks where it was
 * counted: a status move on the message item, a send's completion on its transcript entry, a
 * conversation's answer, completion or STOP on its state. Redeliveries, crashes between a write and
 * its report, and many messages of one campaign at once count each thing once.
 */
const table = useDynamoDbTable('campaign-counters-test');
const TENANT = 'demo';
const AT = '2026-12-03T10:00:00.000Z';
let sequence = 0;
const next = () => String(++sequence).padStart(6, '0');

function messages(client: DynamoDBDocumentClient = table().documents) {
  return new DynamoMessageStore(client, table().tableName);
}

/** A campaign's META item as the campaign store creates it (only what counting needs). */
async function newCampaign(state: CampaignState = 'running'): Promise<string> {
  const campaignId = `cmp-${next().padStart(32, '0')}`;
  await table().documents.send(
    new PutCommand({
      TableName: table().tableName,
      Item: {
        ...keys.campaign(TENANT, campaignId),
        tenantId: TENANT,
        campaignId,
        state,
        ...emptyCampaignCounters(),
      },
    }),
  );
  return campaignId;
}

async function countersOf(campaignId: string): Promise<Partial<Record<CampaignCounter, number>>> {
  const { Item: item } = await table().documents.send(
    new GetCommand({
      TableName: table().tableName,
      Key: keys.campaign(TENANT, campaignId),
      ConsistentRead: true,
    }),
  );
  if (!item) throw new Error(`no campaign ${campaignId}`);
  // Only the counters that moved, so an expectation names what counted.
  return Object.fromEntries(Object.entries(campaignCountersFrom(item)).filter(([, value]) => value !== 0));
}

async function itemOf(key: { pk: string; sk: string }) {
  const { Item: item } = await table().documents.send(
    new GetCommand({ TableName: table().tableName, Key: key, ConsistentRead: true }),
  );
  return item;
}

function sendOf(campaignId: string | undefined): SendIdentity {
  const id = next();
  return {
    tenantId: TENANT,
    sendId: `cmp-send-${id}-0`,
    conversationKey: { tenantId: TENANT, customer: `+1555030${id.slice(-4)}` },
    transcriptKey: `${AT}#cmp-send-${id}-0`,
    conversationId: '',
    from: '+15005550006',
    to: `+1555030${id.slice(-4)}`,
    body: 'Our spring sale starts today',
    queuedAt: AT,
    ...(campaignId !== undefined ? { campaignId } : {}),
  };
}

/** A campaign's message as the sender leaves it: claimed, recorded with its initial status. */
async function sentMessage(campaignId: string | undefined, status: OutboundStatus = 'queued') {
  const send = sendOf(campaignId);
  const sid = `SM${next().padStart(32, 'a')}`;
  await messages().claimSend(send, AT);
  await messages().recordSent(send, { sid, status, at: AT });
  return { send, sid };
}

function apply(sid: string, status: OutboundStatus, deliveryId: string, store = messages()) {
  return store
    .applyStatus({ tenantId: TENANT, sid, status, at: AT, deliveryId, recordUnknown: false })
    .then((result) => result);
}

/** A document client whose next TransactWriteItems dies before it is sent (a crash right there). */
function crashingOnNextTransaction(): { client: DynamoDBDocumentClient; armed: () => boolean } {
  let armed = true;
  const documents = table().documents;
  const client = new Proxy(documents, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
      return (command: unknown) => {
        if (armed && command instanceof TransactWriteCommand) {
          armed = false;
          return Promise.reject(new Error('injected crash'));
        }
        return target.send(command as Parameters<typeof target.send>[0]);
      };
    },
  });
  return { client, armed: () => armed };
}

describe('campaign counters of status moves', () => {
  it('counts sent and the outcome once each, whatever repeats, and reports the campaign', async () => {
    const campaignId = await newCampaign();
    const { sid } = await sentMessage(campaignId);
    expect(await countersOf(campaignId)).toEqual({});

    expect(await apply(sid, 'sent', 'sqs-1')).toMatchObject({ outcome: 'advanced', campaignId });
    // The same delivery again, its report never confirmed (a crash): advanced again, counted once.
    expect((await apply(sid, 'sent', 'sqs-1')).outcome).toBe('advanced');
    // Twilio's duplicate callback: another SQS message.
    expect((await apply(sid, 'sent', 'sqs-2')).outcome).toBe('duplicate');
    expect(await countersOf(campaignId)).toEqual({ sent: 1 });

    expect(await apply(sid, 'delivered', 'sqs-3')).toMatchObject({ outcome: 'advanced', campaignId });
    expect((await apply(sid, 'delivered', 'sqs-3')).outcome).toBe('advanced');
    await messages().confirmStatusReported(sid, 'delivered');
    expect((await apply(sid, 'delivered', 'sqs-3')).outcome).toBe('duplicate');
    expect((await apply(sid, 'read', 'sqs-4')).outcome).toBe('advanced');
    expect(await countersOf(campaignId)).toEqual({ sent: 1, delivered: 1 });
    expect((await itemOf(keys.message(sid)))?.campaignCounted).toEqual(new Set(['sent', 'delivered']));
  });

  it('counts sent with an outcome that overtook it, and nothing for the late sent', async () => {
    const campaignId = await newCampaign();
    const { sid } = await sentMessage(campaignId);
    expect((await apply(sid, 'undelivered', 'sqs-a')).outcome).toBe('advanced');
    expect((await apply(sid, 'sent', 'sqs-b')).outcome).toBe('stale');
    expect(await countersOf(campaignId)).toEqual({ sent: 1, undelivered: 1 });
  });

  it('counts a move whose counting died with the delivery that applied it, when that delivery comes back', async () => {
    const campaignId = await newCampaign();
    const { sid } = await sentMessage(campaignId);
    const crash = crashingOnNextTransaction();
    await expect(apply(sid, 'delivered', 'sqs-x', messages(crash.client))).rejects.toThrow('injected crash');
    expect(crash.armed()).toBe(false);
    // Applied, not counted: the status moved in its own write.
    expect((await itemOf(keys.message(sid)))?.status).toBe('delivered');
    expect(await countersOf(campaignId)).toEqual({});
    // Another delivery of the same callback (Twilio's duplicate) finds it applied by someone else.
    expect((await apply(sid, 'delivered', 'sqs-y')).outcome).toBe('duplicate');
    // The delivery that applied it comes back (its SQS message was never deleted).
    expect((await apply(sid, 'delivered', 'sqs-x')).outcome).toBe('advanced');
    expect((await apply(sid, 'delivered', 'sqs-x')).outcome).toBe('advanced');
    expect(await countersOf(campaignId)).toEqual({ sent: 1, delivered: 1 });
  });

  it('counts what a send recovered late recorded itself, once however often it is recorded', async () => {
    const campaignId = await newCampaign();
    const send = sendOf(campaignId);
    const sid = `SM${next().padStart(32, 'b')}`;
    await messages().claimSend(send, AT);
    await messages().recordSent(send, { sid, status: 'delivered', at: AT });
    await messages().recordSent(send, { sid, status: 'delivered', at: AT });
    expect((await apply(sid, 'delivered', 'sqs-late')).outcome).toBe('duplicate');
    expect(await countersOf(campaignId)).toEqual({ sent: 1, delivered: 1 });
  });

  it('counts nothing for a message of no campaign, and nothing into a campaign that is gone', async () => {
    const { sid } = await sentMessage(undefined);
    expect(await apply(sid, 'delivered', 'sqs-none')).toEqual(
      expect.not.objectContaining({ campaignId: expect.anything() }),
    );
    expect((await itemOf(keys.message(sid)))?.campaignCounted).toBeUndefined();

    const gone = `cmp-${'f'.repeat(32)}`;
    const orphan = await sentMessage(gone);
    expect((await apply(orphan.sid, 'delivered', 'sqs-gone')).outcome).toBe('advanced');
    expect(await itemOf(keys.campaign(TENANT, gone))).toBeUndefined();
  });

  it('counts every message of a campaign whose callbacks all come at once', async () => {
    const campaignId = await newCampaign();
    const sent = await Promise.all(Array.from({ length: 24 }, () => sentMessage(campaignId)));
    await Promise.all(
      sent.flatMap(({ sid }, index) => [
        apply(sid, 'sent', `sqs-s${index}`),
        apply(sid, index % 3 === 0 ? 'undelivered' : 'delivered', `sqs-f${index}`),
      ]),
    );
    expect(await countersOf(campaignId)).toEqual({ sent: 24, delivered: 16, undelivered: 8 });
  });
});

describe('campaign counters of sends that fail for good', () => {
  it('counts a cancelled send once, however often it is completed', async () => {
    const campaignId = await newCampaign('cancelled');
    const send = sendOf(campaignId);
    await messages().claimSend(send, AT);
    const failure = {
      state: 'failed',
      reason: 'campaign cancelled',
      at: AT,
      campaignCounter: 'cancelled',
    } as const;
    await messages().completeSend(send, failure);
    await messages().completeSend(send, failure);
    expect(await countersOf(campaignId)).toEqual({ cancelled: 1 });
    expect(
      await itemOf(keys.transcriptEntry(TENANT, send.conversationKey.customer, send.transcriptKey)),
    ).toMatchObject({
      sendState: 'failed',
      reason: 'campaign cancelled',
    });
    expect((await messages().claimSend(send, AT)).outcome).toBe('done');
  });

  it("counts a campaign's send Twilio refused as failed, and completes one whose campaign is gone", async () => {
    const campaignId = await newCampaign();
    const send = sendOf(campaignId);
    await messages().claimSend(send, AT);
    await messages().completeSend(send, { state: 'failed', errorCode: 21211, reason: 'invalid To', at: AT });
    expect(await countersOf(campaignId)).toEqual({ failed: 1 });

    const orphan = sendOf(`cmp-${'e'.repeat(32)}`);
    await messages().claimSend(orphan, AT);
    await messages().completeSend(orphan, {
      state: 'failed',
      reason: 'campaign cancelled',
      at: AT,
      campaignCounter: 'cancelled',
    });
    expect((await messages().claimSend(orphan, AT)).outcome).toBe('done');
  });
});

describe("campaign counters of a campaign's conversation", () => {
  const conversations = () => new DynamoConversationStore(table().documents, table().tableName);
  const BUSINESS = '+15005550006';

  function state(customer: string, version: number, extra: Partial<ConversationRecord>): ConversationRecord {
    return {
      tenantId: TENANT,
      customer,
      conversationId: 'cmp-conv',
      businessNumber: BUSINESS,
      workflowId: 'order-status',
      slots: { status: 'collecting', routeId: 'track-order', variables: {}, attempts: {} },
      version,
      startedAt: AT,
      lastActivityAt: AT,
      expiresAt: '2026-12-04T10:00:00.000Z',
      recentMessageSids: [],
      ...extra,
    };
  }

  function turn(
    customer: string,
    sid: string,
    conversation: ConversationRecord,
    counting?: TurnCommit['campaignCounters'],
  ): TurnCommit {
    return {
      tenantId: TENANT,
      customer,
      conversation: { ...conversation, recentMessageSids: [...(conversation.recentMessageSids ?? []), sid] },
      expectedVersion: conversation.version - 1,
      inbound: {
        transcriptKey: `${AT}#${sid}`,
        messageSid: sid,
        conversationId: conversation.conversationId,
        from: customer,
        to: BUSINESS,
        body: 'It is 123456',
        mediaUrls: [],
        at: AT,
      },
      replies: [],
      ...(counting ? { campaignCounters: counting } : {}),
    };
  }

  async function started(campaignId: string) {
    const customer = `+1555040${next().slice(-4)}`;
    const opening = state(customer, 1, { campaignId });
    await conversations().commitTurn({
      ...turn(customer, `SMopen${next()}`, opening),
      expectedVersion: undefined,
    });
    return { customer, opening };
  }

  it('adds the counters with the state that marks them, once, and keeps the campaign on the state', async () => {
    const campaignId = await newCampaign();
    const { customer, opening } = await started(campaignId);
    expect(
      await conversations().load({ tenantId: TENANT, businessNumber: BUSINESS, customer }),
    ).toMatchObject({
      campaignId,
    });

    const answered = state(customer, 2, {
      campaignId,
      campaignCounted: ['replied'],
      recentMessageSids: opening.recentMessageSids,
    });
    const answer = turn(customer, 'SManswer1', answered, { campaignId, counters: ['replied'] });
    expect((await conversations().commitTurn(answer)).outcome).toBe('committed');
    // The same message again (a redelivery after a crash): recorded already, nothing added.
    expect((await conversations().commitTurn(answer)).outcome).toBe('duplicate');
    expect(await countersOf(campaignId)).toEqual({ replied: 1 });
    expect(
      await conversations().load({ tenantId: TENANT, businessNumber: BUSINESS, customer }),
    ).toMatchObject({
      campaignId,
      campaignCounted: ['replied'],
      version: 2,
    });
  });

  it('commits the turn without counting when the campaign is gone', async () => {
    const gone = `cmp-${'d'.repeat(32)}`;
    const { customer } = await started(gone);
    const answered = state(customer, 2, { campaignId: gone, campaignCounted: ['replied'] });
    expect(
      (
        await conversations().commitTurn(
          turn(customer, 'SManswer2', answered, { campaignId: gone, counters: ['replied'] }),
        )
      ).outcome,
    ).toBe('committed');
    expect(await itemOf(keys.campaign(TENANT, gone))).toBeUndefined();
  });

  it('leaves no campaign on a state that a conversation of no campaign replaces', async () => {
    const campaignId = await newCampaign();
    const { customer } = await started(campaignId);
    const answered = state(customer, 2, { campaignId, campaignCounted: ['replied'] });
    await conversations().commitTurn(
      turn(customer, 'SManswer3', answered, { campaignId, counters: ['replied'] }),
    );
    const replaced = state(customer, 3, { conversationId: 'SMnew' });
    expect((await conversations().commitTurn(turn(customer, 'SMnew', replaced))).outcome).toBe('committed');
    const loaded = await conversations().load({ tenantId: TENANT, businessNumber: BUSINESS, customer });
    expect(loaded?.campaignId).toBeUndefined();
    expect(loaded?.campaignCounted).toBeUndefined();
    const stored = await itemOf(
      keys.conversationState({ tenantId: TENANT, businessNumber: BUSINESS, customer }),
    );
    expect(stored).not.toHaveProperty('campaignId');
    expect(stored).not.toHaveProperty('campaignCounted');
  });
});

describe('campaign states', () => {
  it("reads a campaign's state, and nothing for one that does not exist", async () => {
    const states = new DynamoCampaignStates(table().documents, table().tableName);
    const cancelled = await newCampaign('cancelled');
    expect(await states.stateOf(TENANT, cancelled)).toBe('cancelled');
    expect(await states.stateOf(TENANT, `cmp-${'0'.repeat(32)}`)).toBeUndefined();
    expect(await states.stateOf('other', cancelled)).toBeUndefined();
  });
});
