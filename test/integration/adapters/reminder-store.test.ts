import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoConversationStore } from '../../../lambdas/adapters/dynamodb/conversation-store';
import { keys } from '../../../lambdas/adapters/dynamodb/keys';
import { DynamoReminderStore } from '../../../lambdas/adapters/dynamodb/reminder-store';
import { DynamoTenantAdmin } from '../../../lambdas/adapters/dynamodb/tenant-admin';
import { transcriptKey } from '../../../lambdas/domain/queue-messages';
import type { ConversationRecord } from '../../../lambdas/ports/conversation-store';
import { useDynamoDbTable } from '../../support/dynamodb-table';
import { awaitingOrderNumber, BUSINESS, T0, TENANT } from '../../unit/reminders/fixtures';

const table = useDynamoDbTable('reminder-store-test');
let sequence = 0;

async function seeded(): Promise<{ store: DynamoReminderStore; record: ConversationRecord }> {
  const { documents, tableName } = table();
  const customer = `+1555040${String(sequence++).padStart(4, '0')}`;
  const record = awaitingOrderNumber({ customer, version: 1 });
  const conversations = new DynamoConversationStore(documents, tableName);
  await conversations.commitTurn({
    tenantId: TENANT,
    customer,
    conversation: record,
    inbound: {
      transcriptKey: transcriptKey(T0, 'SM1'),
      messageSid: 'SM1',
      conversationId: 'SM0',
      from: customer,
      to: BUSINESS,
      body: 'where is my order',
      mediaUrls: [],
      at: T0,
    },
    replies: [],
  });
  return { store: new DynamoReminderStore(documents, tableName), record };
}

const AT = '2026-12-01T15:00:10.000Z';

function commitOf(record: ConversationRecord, expectedVersion = record.version) {
  const sendId = 'SM1-reminder-0';
  return {
    tenantId: TENANT,
    customer: record.customer,
    businessNumber: BUSINESS,
    conversation: {
      ...record,
      version: record.version + 1,
      reminder: { silenceKey: 'SM1', sent: 1, lastAt: AT },
    },
    expectedVersion,
    replies: [
      { sendId, transcriptKey: transcriptKey(AT, sendId), body: 'Still there? What is your order number?' },
    ],
    at: AT,
  };
}

describe('DynamoReminderStore on DynamoDB Local', () => {
  it('commits the reminder entry and the marker on the version read, once', async () => {
    const { store, record } = await seeded();
    expect(await store.commitReminder(commitOf(record))).toBe('committed');
    const loaded = await store.load(record);
    expect(loaded).toMatchObject({
      version: 2,
      reminder: { silenceKey: 'SM1', sent: 1, lastAt: AT },
      expiresAt: record.expiresAt,
      recentMessageSids: ['SM0', 'SM1'],
      lastInboundAt: T0,
    });
    // A second attempt of the same commit finds its entry; one on the old version conflicts.
    expect(await store.commitReminder(commitOf(record))).toBe('duplicate');
    const later = { ...commitOf(record), at: '2026-12-01T15:00:11.000Z' };
    const retried = {
      ...later,
      replies: [{ ...later.replies[0]!, transcriptKey: transcriptKey(later.at, 'SM1-reminder-0') }],
    };
    expect(await store.commitReminder(retried)).toBe('conflict');
    const { documents, tableName } = table();
    const transcript = await new DynamoTenantAdmin(documents, tableName).transcript(TENANT, record.customer);
    expect(transcript.filter((entry) => entry.direction === 'outbound')).toMatchObject([
      { sendId: 'SM1-reminder-0', body: 'Still there? What is your order number?', status: 'pending' },
    ]);
  });

  it('a turn written after the reminder removes the marker (a new silence)', async () => {
    const { store, record } = await seeded();
    await store.commitReminder(commitOf(record));
    const { documents, tableName } = table();
    const conversations = new DynamoConversationStore(documents, tableName);
    const current = (await conversations.load(record)) as ConversationRecord;
    const { reminder: _marker, ...withoutMarker } = current;
    const at = '2026-12-01T15:01:00.000Z';
    await conversations.commitTurn({
      tenantId: TENANT,
      customer: record.customer,
      conversation: {
        ...withoutMarker,
        version: 3,
        recentMessageSids: ['SM0', 'SM1', 'SM2'],
        lastInboundAt: at,
      },
      expectedVersion: 2,
      inbound: {
        transcriptKey: transcriptKey(at, 'SM2'),
        messageSid: 'SM2',
        conversationId: 'SM0',
        from: record.customer,
        to: BUSINESS,
        body: '123456',
        mediaUrls: [],
        at,
      },
      replies: [],
    });
    expect((await conversations.load(record))?.reminder).toBeUndefined();
  });

  it('finds an inbound message to the number after the silence, whatever it did to the state', async () => {
    const { store, record } = await seeded();
    const after = `${T0}#SM1`;
    expect(await store.inboundAfter(record, after)).toBe(false);
    const { documents, tableName } = table();
    const put = (key: string, item: Record<string, unknown>) =>
      documents.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...keys.transcriptEntry(TENANT, record.customer, key), ...item },
        }),
      );
    // The bot's reply and a message to another of the tenant's numbers do not end the silence.
    await put(transcriptKey(T0, 'SM1-0'), { direction: 'outbound', to: record.customer });
    await put(transcriptKey('2026-12-01T15:00:03.000Z', 'SMother'), {
      direction: 'inbound',
      to: '+15005550099',
    });
    expect(await store.inboundAfter(record, after)).toBe(false);
    await put(transcriptKey('2026-12-01T15:00:04.000Z', 'SMhelp'), { direction: 'inbound', to: BUSINESS });
    expect(await store.inboundAfter(record, after)).toBe(true);
  });
});
