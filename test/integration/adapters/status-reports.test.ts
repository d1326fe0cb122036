import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { keys } from '../../../lambdas/adapters/dynamodb/keys';
import { DynamoMessageStore } from '../../../lambdas/adapters/dynamodb/message-store';
import type { OutboundStatus } from '../../../lambdas/domain/message-status';
import type { SendIdentity } from '../../../lambdas/ports/message-store';
import { useDynamoDbTable } from '../../support/dynamodb-table';

/**
 * The status write and its report: a redelivery of the same callback (same SQS message id) after a
 * crash between the write and the report is `advanced` again until the report is confirmed; any
 * other delivery of the same (MessageSid, status) is a duplicate.
 */
const table = useDynamoDbTable('status-reports-test');
const store = () => new DynamoMessageStore(table().documents, table().tableName);

function sendOf(sid: string): SendIdentity {
  return {
    tenantId: 'demo',
    sendId: `${sid}-send`,
    conversationKey: { tenantId: 'demo', customer: '+15551230000' },
    transcriptKey: `2026-12-02T00:00:00.000Z#${sid}`,
    conversationId: 'SMconversation',
    from: '+15005550006',
    to: '+15551230000',
    body: 'Hello',
    queuedAt: '2026-12-02T00:00:00.000Z',
  };
}

async function sentMessage(sid: string, status: OutboundStatus = 'queued') {
  const send = sendOf(sid);
  await table().documents.send(
    new PutCommand({
      TableName: table().tableName,
      Item: { ...keys.transcriptEntry('demo', '+15551230000', send.transcriptKey), status: 'pending' },
    }),
  );
  return recordSent(sid, status);
}

function recordSent(sid: string, status: OutboundStatus) {
  return store().recordSent(sendOf(sid), { sid, status, at: '2026-12-02T00:00:00.000Z' });
}

function apply(sid: string, status: OutboundStatus, deliveryId: string) {
  return store()
    .applyStatus({
      tenantId: 'demo',
      sid,
      status,
      at: '2026-12-02T00:00:01.000Z',
      deliveryId,
      recordUnknown: false,
    })
    .then((result) => result.outcome);
}

describe('status reports on DynamoDB Local', () => {
  it('advances again for its own unconfirmed delivery, and only for it', async () => {
    await sentMessage('SM0001');
    expect(await apply('SM0001', 'delivered', 'sqs-a')).toBe('advanced');
    // Twilio's duplicate (another SQS message) is a duplicate at once.
    expect(await apply('SM0001', 'delivered', 'sqs-b')).toBe('duplicate');
    // The same SQS message again, its report never confirmed (a crash): report it.
    expect(await apply('SM0001', 'delivered', 'sqs-a')).toBe('advanced');
    await store().confirmStatusReported('SM0001', 'delivered');
    expect(await apply('SM0001', 'delivered', 'sqs-a')).toBe('duplicate');
  });

  it('never turns a stale event into an advance', async () => {
    await sentMessage('SM0002');
    expect(await apply('SM0002', 'delivered', 'sqs-c')).toBe('advanced');
    expect(await apply('SM0002', 'sent', 'sqs-d')).toBe('stale');
    expect(await apply('SM0002', 'sent', 'sqs-d')).toBe('duplicate');
  });

  it('confirms nothing for a status that was never recorded', async () => {
    await sentMessage('SM0003');
    await expect(store().confirmStatusReported('SM0003', 'delivered')).resolves.toBeUndefined();
    expect(await apply('SM0003', 'delivered', 'sqs-e')).toBe('advanced');
  });

  it('has a send report the outcome of a message Twilio had finished, once, unless a callback recorded it', async () => {
    // Recovered late: the send records the final status itself and must report it, until confirmed.
    expect(await sentMessage('SM0004', 'delivered')).toEqual({ reportOutcome: true });
    expect(await recordSent('SM0004', 'delivered')).toEqual({ reportOutcome: true });
    // The callback for it is a duplicate: the send's record is not its delivery.
    expect(await apply('SM0004', 'delivered', 'sqs-f')).toBe('duplicate');
    await store().confirmStatusReported('SM0004', 'delivered');
    expect(await recordSent('SM0004', 'delivered')).toEqual({ reportOutcome: false });

    // Recorded while queued, then the callback delivered it: a late retry of the send reports nothing.
    expect(await sentMessage('SM0005')).toEqual({ reportOutcome: false });
    expect(await apply('SM0005', 'delivered', 'sqs-g')).toBe('advanced');
    expect(await recordSent('SM0005', 'delivered')).toEqual({ reportOutcome: false });
  });

  it("refuses to record another send's message, and changes nothing of it", async () => {
    await sentMessage('SM0006');
    const other = { ...sendOf('SM0006'), sendId: 'another-send' };
    expect(
      await store().recordSent(other, { sid: 'SM0006', status: 'delivered', at: '2026-12-02T00:00:02.000Z' }),
    ).toEqual({ belongsToAnotherSend: true });
    expect(await apply('SM0006', 'delivered', 'sqs-h')).toBe('advanced');
  });
});
