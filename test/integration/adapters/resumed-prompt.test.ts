import { describe, expect, it } from 'vitest';
import { DynamoConversationStore } from '../../../lambdas/adapters/dynamodb/conversation-store';
import { DynamoReminderStore } from '../../../lambdas/adapters/dynamodb/reminder-store';
import { transcriptKey } from '../../../lambdas/domain/queue-messages';
import type { ConversationRecord } from '../../../lambdas/ports/conversation-store';
import { useDynamoDbTable } from '../../support/dynamodb-table';
import { awaitingOrderNumber, BUSINESS, T0, TENANT } from '../../unit/reminders/fixtures';

/**
 * A hand-off's release that asks the prompt again stores `resumedPrompt` (a silence of its own for
 * reminders): a reminder keeps it, the customer's next turn and a new start remove it.
 */
const table = useDynamoDbTable('resumed-prompt-test');
let sequence = 0;
const RELEASED_AT = '2026-12-01T15:30:00.000Z';

async function released(): Promise<{ conversations: DynamoConversationStore; record: ConversationRecord }> {
  const { documents, tableName } = table();
  const customer = `+1555041${String(sequence++).padStart(4, '0')}`;
  const conversations = new DynamoConversationStore(documents, tableName);
  const handedOff = awaitingOrderNumber({
    customer,
    version: 1,
    slots: { status: 'handed-off', routeId: 'track-order', variables: {}, attempts: {} },
  });
  await conversations.commitTurn({
    tenantId: TENANT,
    customer,
    conversation: handedOff,
    inbound: {
      transcriptKey: transcriptKey(T0, 'SM1'),
      messageSid: 'SM1',
      conversationId: 'SM0',
      from: customer,
      to: BUSINESS,
      body: 'I want a human',
      mediaUrls: [],
      at: T0,
    },
    replies: [],
  });
  const sendId = 'op-release-0';
  const record: ConversationRecord = {
    ...handedOff,
    slots: { ...handedOff.slots, status: 'collecting' },
    version: 2,
    lastActivityAt: RELEASED_AT,
    resumedPrompt: { id: 'op-release', at: RELEASED_AT },
  };
  const outcome = await conversations.commitHandoff({
    tenantId: TENANT,
    customer,
    businessNumber: BUSINESS,
    conversation: record,
    expectedVersion: 1,
    replies: [
      { sendId, transcriptKey: transcriptKey(RELEASED_AT, sendId), body: 'What is your order number?' },
    ],
    at: RELEASED_AT,
    removeListing: true,
  });
  expect(outcome).toBe('committed');
  return { conversations, record };
}

describe('resumedPrompt on DynamoDB Local', () => {
  it('is stored by a release, read back, and kept by a reminder', async () => {
    const { conversations, record } = await released();
    expect(await conversations.load(record)).toMatchObject({
      version: 2,
      resumedPrompt: { id: 'op-release', at: RELEASED_AT },
      lastInboundAt: T0,
      recentMessageSids: ['SM0', 'SM1'],
    });
    const { documents, tableName } = table();
    const at = '2026-12-01T15:30:10.000Z';
    const sendId = 'op-release-reminder-0';
    const reminders = new DynamoReminderStore(documents, tableName);
    const current = (await reminders.load(record)) as ConversationRecord;
    await reminders.commitReminder({
      tenantId: TENANT,
      customer: record.customer,
      businessNumber: BUSINESS,
      conversation: {
        ...current,
        version: 3,
        reminder: { silenceKey: 'op-release', sent: 1, lastAt: at },
      },
      expectedVersion: 2,
      replies: [{ sendId, transcriptKey: transcriptKey(at, sendId), body: 'Still there?' }],
      at,
    });
    expect(await conversations.load(record)).toMatchObject({
      version: 3,
      resumedPrompt: { id: 'op-release', at: RELEASED_AT },
      reminder: { silenceKey: 'op-release', sent: 1 },
    });
  });

  it("is removed by the customer's next turn and by a new start", async () => {
    const { conversations, record } = await released();
    const { resumedPrompt: _release, ...turned } = record;
    const at = '2026-12-01T15:31:00.000Z';
    await conversations.commitTurn({
      tenantId: TENANT,
      customer: record.customer,
      conversation: { ...turned, version: 3, recentMessageSids: ['SM0', 'SM1', 'SM2'], lastInboundAt: at },
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
    expect((await conversations.load(record))?.resumedPrompt).toBeUndefined();

    const again = await released();
    const { resumedPrompt: _again, ...fresh } = again.record;
    const startedAt = '2026-12-01T16:00:00.000Z';
    const sendId = 'op-start-0';
    await again.conversations.commitStart({
      tenantId: TENANT,
      customer: again.record.customer,
      businessNumber: BUSINESS,
      conversation: { ...fresh, conversationId: 'op-start', version: 3, startedAt },
      expectedVersion: 2,
      replies: [{ sendId, transcriptKey: transcriptKey(startedAt, sendId), body: 'Hi!' }],
      conversationId: 'op-start',
      at: startedAt,
    });
    expect(await again.conversations.load(again.record)).not.toHaveProperty('resumedPrompt');
  });
});
