import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoSendPacer } from '../../../lambdas/adapters/dynamodb/send-pacer';
import { useDynamoDbTable } from '../../support/dynamodb-table';

const table = useDynamoDbTable('pacing-test');

/** A clock frozen at `nowMs`, so the schedule is exact regardless of how long the calls take. */
function pacerAt(nowMs: number) {
  return new DynamoSendPacer(table().documents, table().tableName, () => nowMs);
}

describe('DynamoSendPacer on DynamoDB Local', () => {
  it('gives concurrent senders of one number distinct, evenly paced slots', async () => {
    const from = '+15005550001';
    const pacer = pacerAt(1_000_000);
    const decisions = await Promise.all(
      Array.from({ length: 12 }, () =>
        pacer.reserve({ from, segments: 1, segmentsPerSecond: 2, maxWaitMs: 60_000 }),
      ),
    );
    const slots = decisions
      .map((decision) => (decision.kind === 'send' ? decision.sendAtMs : Number.NaN))
      .sort((a, b) => a - b);
    expect(slots).toEqual(Array.from({ length: 12 }, (_, index) => 1_000_000 + index * 500));
    const item = await table().documents.send(
      new GetCommand({
        TableName: table().tableName,
        Key: { pk: `PACE#${from}`, sk: 'PACE' },
        ConsistentRead: true,
      }),
    );
    expect(item.Item?.tat).toBe(1_000_000 + 12 * 500);
    expect(item.Item?.expiresAt).toBeGreaterThan(1_000_000 / 1000);
  });

  it('defers a send whose slot is beyond the wait it may afford, without booking it', async () => {
    const from = '+15005550002';
    const pacer = pacerAt(2_000_000);
    expect(await pacer.reserve({ from, segments: 4, segmentsPerSecond: 1, maxWaitMs: 1000 })).toEqual({
      kind: 'send',
      sendAtMs: 2_000_000,
      nextTheoreticalArrivalMs: 2_004_000,
    });
    expect(await pacer.reserve({ from, segments: 1, segmentsPerSecond: 1, maxWaitMs: 1000 })).toEqual({
      kind: 'defer',
      retryAfterMs: 3000,
    });
    // Later, the slot is free again at the booked time.
    expect(
      await pacerAt(2_004_000).reserve({ from, segments: 1, segmentsPerSecond: 1, maxWaitMs: 0 }),
    ).toEqual({
      kind: 'send',
      sendAtMs: 2_004_000,
      nextTheoreticalArrivalMs: 2_005_000,
    });
  });

  it('paces numbers independently', async () => {
    const pacer = pacerAt(3_000_000);
    const [a, b] = await Promise.all([
      pacer.reserve({ from: '+15005550003', segments: 5, segmentsPerSecond: 1, maxWaitMs: 0 }),
      pacer.reserve({ from: '+15005550004', segments: 5, segmentsPerSecond: 1, maxWaitMs: 0 }),
    ]);
    expect(a).toMatchObject({ kind: 'send', sendAtMs: 3_000_000 });
    expect(b).toMatchObject({ kind: 'send', sendAtMs: 3_000_000 });
  });
});
