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
    const booked = await Promise.all(
      Array.from({ length: 12 }, () => pacer.reserve({ from, segments: 1, segmentsPerSecond: 2 })),
    );
    const slots = booked.map((slot) => slot.sendAtMs).sort((a, b) => a - b);
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

  it('books a slot however far ahead it is, so a send parked for it never competes again', async () => {
    const from = '+15005550002';
    const pacer = pacerAt(2_000_000);
    expect(await pacer.reserve({ from, segments: 4, segmentsPerSecond: 1 })).toEqual({
      sendAtMs: 2_000_000,
      nextTheoreticalArrivalMs: 2_004_000,
    });
    expect(await pacer.reserve({ from, segments: 1, segmentsPerSecond: 1 })).toEqual({
      sendAtMs: 2_004_000,
      nextTheoreticalArrivalMs: 2_005_000,
    });
    // The next send, even once the first slots have passed, goes after every booked one.
    expect(await pacerAt(2_004_500).reserve({ from, segments: 1, segmentsPerSecond: 1 })).toEqual({
      sendAtMs: 2_005_000,
      nextTheoreticalArrivalMs: 2_006_000,
    });
    // An idle number's slot is now again.
    expect(await pacerAt(2_100_000).reserve({ from, segments: 1, segmentsPerSecond: 1 })).toEqual({
      sendAtMs: 2_100_000,
      nextTheoreticalArrivalMs: 2_101_000,
    });
  });

  it('settles 200 concurrent senders of one number in a round or two each: no lost race gives up', async () => {
    const from = '+15005550005';
    const pacer = pacerAt(4_000_000);
    const booked = await Promise.all(
      Array.from({ length: 200 }, () => pacer.reserve({ from, segments: 1, segmentsPerSecond: 30 })),
    );
    const slots = booked.map((slot) => slot.sendAtMs).sort((a, b) => a - b);
    // 30/s: an interval of ceil(1000 / 30) = 34 ms, every slot distinct.
    expect(slots).toEqual(Array.from({ length: 200 }, (_, index) => 4_000_000 + index * 34));
  });

  it('paces numbers independently', async () => {
    const pacer = pacerAt(3_000_000);
    const [a, b] = await Promise.all([
      pacer.reserve({ from: '+15005550003', segments: 5, segmentsPerSecond: 1 }),
      pacer.reserve({ from: '+15005550004', segments: 5, segmentsPerSecond: 1 }),
    ]);
    expect(a).toMatchObject({ sendAtMs: 3_000_000 });
    expect(b).toMatchObject({ sendAtMs: 3_000_000 });
  });
});
