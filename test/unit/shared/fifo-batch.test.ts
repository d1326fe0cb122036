import type { SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { processFifoGroupsConcurrently } from '../../../lambdas/shared/fifo-batch';

function record(messageId: string, group: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: '{}',
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: '0',
      MessageGroupId: group,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:outbound.fifo',
    awsRegion: 'us-east-1',
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('processFifoGroupsConcurrently', () => {
  it('runs groups side by side: a slow record does not hold up another group', async () => {
    const order: string[] = [];
    let releaseSlow!: () => void;
    const slow = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    const done = processFifoGroupsConcurrently(
      [record('a1', 'a'), record('b1', 'b'), record('a2', 'a')],
      async (r) => {
        if (r.messageId === 'a1') await slow;
        order.push(r.messageId);
      },
      () => {},
    );
    await tick();
    expect(order).toEqual(['b1']);
    releaseSlow();
    expect(await done).toEqual({ batchItemFailures: [] });
    expect(order).toEqual(['b1', 'a1', 'a2']);
  });

  it('fails a record and the rest of its group, in the batch order, and lets other groups go on', async () => {
    const handled: string[] = [];
    const failures: string[] = [];
    const answer = await processFifoGroupsConcurrently(
      [record('a1', 'a'), record('b1', 'b'), record('a2', 'a'), record('b2', 'b'), record('a3', 'a')],
      async (r) => {
        if (r.messageId === 'a2') throw new Error('no');
        handled.push(r.messageId);
      },
      (r) => failures.push(r.messageId),
    );
    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'a2' }, { itemIdentifier: 'a3' }]);
    expect(handled.sort()).toEqual(['a1', 'b1', 'b2']);
    expect(failures).toEqual(['a2']);
  });

  it('answers a batch whose every record failed with every record, without throwing', async () => {
    const answer = await processFifoGroupsConcurrently(
      [record('a1', 'a'), record('b1', 'b')],
      async () => {
        throw new Error('parked');
      },
      () => {},
    );
    expect(answer.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(['a1', 'b1']);
  });

  it('keeps each group in order and never handles a record after its group failed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ group: fc.constantFrom('a', 'b', 'c'), fails: fc.boolean() }), {
          maxLength: 10,
        }),
        async (spec) => {
          const records = spec.map((item, index) => record(`m${index}`, item.group));
          const handled: string[] = [];
          const answer = await processFifoGroupsConcurrently(
            records,
            async (r) => {
              handled.push(r.messageId);
              await tick();
              if (spec[Number(r.messageId.slice(1))]!.fails) throw new Error('fail');
            },
            () => {},
          );
          const failed = new Set(answer.batchItemFailures.map((failure) => failure.itemIdentifier));
          for (const group of ['a', 'b', 'c']) {
            const ids = records.filter((r) => r.attributes.MessageGroupId === group).map((r) => r.messageId);
            const seen = handled.filter((id) => ids.includes(id));
            // Handled in order, up to and including the first failure; everything from it is failed.
            expect(seen).toEqual(ids.slice(0, seen.length));
            const firstFailure = ids.findIndex((id) => spec[Number(id.slice(1))]!.fails);
            const expectedFailed = firstFailure === -1 ? [] : ids.slice(firstFailure);
            expect(ids.filter((id) => failed.has(id))).toEqual(expectedFailed);
            expect(seen).toHaveLength(firstFailure === -1 ? ids.length : firstFailure + 1);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});
