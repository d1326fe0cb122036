import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalFunction } from '../../../local/runtime/local-function';
import { type SqsEventSource, startSqsEventSource } from '../../../local/runtime/sqs-event-source';
import { type LocalSqs, sqsClientFor, startSqs } from '../../../local/standins/sqs';
import type { BatchTestMessage } from '../../fixtures/lambdas/sqs-batch';
import { sleep, waitFor } from '../../support/wait';
import { FixtureBundles } from './fixture-bundles';

interface SeenLine {
  seen: string;
  group: string | null;
  receiveCount: number;
  batchSize: number;
}

let sqs: LocalSqs;
let client: SQSClient;
let fixtures: FixtureBundles;
let bundlePath: string;
const running: { source: SqsEventSource; fn: LocalFunction }[] = [];
let queueCounter = 0;

beforeAll(async () => {
  sqs = await startSqs({ port: 0 });
  client = sqsClientFor(sqs.endpoint);
  fixtures = await FixtureBundles.create();
  bundlePath = await fixtures.bundle('sqs-batch');
});

afterEach(async () => {
  for (const { source, fn } of running.splice(0)) {
    await source.stop();
    await fn.close();
  }
});

afterAll(async () => {
  client?.destroy();
  await sqs?.close();
  await fixtures?.remove();
});

async function queueWithDlq(options: { fifo: boolean; visibilityTimeout: number; maxReceiveCount: number }) {
  const suffix = options.fifo ? '.fifo' : '';
  const base = `q${++queueCounter}`;
  const fifoAttributes: Record<string, string> = options.fifo ? { FifoQueue: 'true' } : {};
  const arnOf = async (url: string) =>
    (await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn as string;
  const dlq = await client.send(
    new CreateQueueCommand({ QueueName: `${base}-dlq${suffix}`, Attributes: fifoAttributes }),
  );
  const dlqUrl = dlq.QueueUrl as string;
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: `${base}${suffix}`,
      Attributes: {
        ...fifoAttributes,
        VisibilityTimeout: String(options.visibilityTimeout),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: await arnOf(dlqUrl),
          maxReceiveCount: options.maxReceiveCount,
        }),
      },
    }),
  );
  const url = queue.QueueUrl as string;
  return { url, arn: await arnOf(url), dlqUrl };
}

async function send(queueUrl: string, messages: (BatchTestMessage & { group?: string })[]): Promise<void> {
  for (let start = 0; start < messages.length; start += 10) {
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.slice(start, start + 10).map((message, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify({ id: message.id, outcome: message.outcome, delayMs: message.delayMs }),
          ...(message.group ? { MessageGroupId: message.group, MessageDeduplicationId: message.id } : {}),
        })),
      }),
    );
  }
}

function start(
  queue: { url: string; arn: string },
  options: {
    concurrency?: number;
    batchSize?: number;
    maxBatchingWindowSeconds?: number;
    visibilityTimeoutSeconds?: number;
  } = {},
) {
  const seen: SeenLine[] = [];
  const done: string[] = [];
  const fn = new LocalFunction({
    name: 'consumer',
    bundlePath,
    timeoutSeconds: 5,
    memorySizeMb: 128,
    concurrency: options.concurrency ?? 1,
    onLog: (line) => {
      if (line.startsWith('{"seen"')) seen.push(JSON.parse(line) as SeenLine);
      if (line.startsWith('{"done"')) done.push((JSON.parse(line) as { done: string }).done);
    },
  });
  const errors: string[] = [];
  const source = startSqsEventSource({
    sqs: client,
    queueUrl: queue.url,
    queueArn: queue.arn,
    batchSize: options.batchSize ?? 10,
    maxBatchingWindowSeconds: options.maxBatchingWindowSeconds,
    ...(options.visibilityTimeoutSeconds === undefined
      ? {}
      : { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }),
    fn,
    onError: (message) => errors.push(message),
  });
  running.push({ source, fn });
  return { source, fn, seen, done, errors };
}

const ok = (id: string): BatchTestMessage => ({ id, outcome: 'ok' });

async function inFlight(queueUrl: string): Promise<number> {
  const attributes = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

async function bodiesIn(queueUrl: string, waitSeconds: number): Promise<string[]> {
  const { Messages } = await client.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds }),
  );
  return (Messages ?? []).map((message) => (JSON.parse(message.Body ?? '{}') as BatchTestMessage).id).sort();
}

describe('SQS event source', () => {
  it('deletes the successes of a partially failed batch and leaves the failures to reappear', async () => {
    const queue = await queueWithDlq({ fifo: false, visibilityTimeout: 2, maxReceiveCount: 10 });
    await send(queue.url, [
      { id: 'ok-1', outcome: 'ok' },
      { id: 'fail-1', outcome: 'fail' },
      { id: 'ok-2', outcome: 'ok' },
      { id: 'fail-2', outcome: 'fail' },
    ]);
    const { source, seen } = start(queue);
    await waitFor('first batch handled', () => (source.stats().deleted >= 2 ? true : undefined));
    await source.stop();

    expect(seen.map((line) => line.batchSize)).toEqual([4, 4, 4, 4]);
    expect(source.stats()).toEqual({ batches: 1, records: 4, deleted: 2, failedRecords: 2, errors: 0 });
    expect(await bodiesIn(queue.url, 3)).toEqual(['fail-1', 'fail-2']);
  });

  it('deletes nothing when the function throws, and the queue redrives to the DLQ after maxReceiveCount', async () => {
    const queue = await queueWithDlq({ fifo: false, visibilityTimeout: 1, maxReceiveCount: 2 });
    await send(queue.url, [
      { id: 'poison', outcome: 'throw' },
      { id: 'innocent', outcome: 'ok' },
    ]);
    const { source, seen } = start(queue);
    const redriven = await waitFor('both messages in the DLQ', async () => {
      const attributes = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queue.dlqUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      return attributes.Attributes?.ApproximateNumberOfMessages === '2' ? true : undefined;
    });
    expect(redriven).toBe(true);
    await source.stop();
    expect(source.stats()).toMatchObject({ batches: 2, records: 4, deleted: 0, failedRecords: 4, errors: 2 });
    expect(seen.filter((line) => line.seen === 'poison').map((line) => line.receiveCount)).toEqual([1, 2]);
    expect(await bodiesIn(queue.dlqUrl, 0)).toEqual(['innocent', 'poison']);
  });

  it('fails the whole batch when the response names an unknown record', async () => {
    const queue = await queueWithDlq({ fifo: false, visibilityTimeout: 2, maxReceiveCount: 10 });
    await send(queue.url, [
      { id: 'fine', outcome: 'ok' },
      { id: 'confused', outcome: 'unknownIdentifier' },
    ]);
    const { source, errors } = start(queue);
    await waitFor('batch handled', () => (source.stats().batches >= 1 ? true : undefined));
    await source.stop();
    expect(source.stats()).toMatchObject({ deleted: 0, failedRecords: 2, errors: 1 });
    expect(errors[0]).toMatch(/invalid batch response/);
  });

  it('keeps each FIFO message group in order across concurrent pollers', async () => {
    const queue = await queueWithDlq({ fifo: true, visibilityTimeout: 10, maxReceiveCount: 5 });
    const groups = ['tenant#+15550000001', 'tenant#+15550000002', 'tenant#+15550000003'];
    const messages = [];
    for (let i = 1; i <= 5; i++) {
      for (const group of groups)
        messages.push({ id: `${group}/${i}`, outcome: 'ok' as const, delayMs: 20, group });
    }
    await send(queue.url, messages);
    // One record per batch, so the three pollers really do work on different groups at once.
    const { source, seen } = start(queue, { concurrency: 3, batchSize: 1 });
    await waitFor('all deleted', () => (source.stats().deleted === 15 ? true : undefined));
    await source.stop();

    for (const group of groups) {
      expect(seen.filter((line) => line.group === group).map((line) => line.seen)).toEqual(
        [1, 2, 3, 4, 5].map((i) => `${group}/${i}`),
      );
    }
    expect(source.stats()).toMatchObject({
      batches: 15,
      records: 15,
      deleted: 15,
      failedRecords: 0,
      errors: 0,
    });
  });

  it("cuts an invocation short when its records' visibility ends: never handled by two at once", async () => {
    // A 5 s function on a 2 s visibility (a soak's shortened one): without the cut, the first
    // invocation would still run when the record reappears to the second poller.
    const queue = await queueWithDlq({ fifo: false, visibilityTimeout: 2, maxReceiveCount: 3 });
    const { fn, seen, done } = start(queue, { concurrency: 2, visibilityTimeoutSeconds: 2 });
    await send(queue.url, [{ id: 'slow', outcome: 'ok', delayMs: 3_000 }]);
    await waitFor('the record seen twice', () => (seen.length >= 2 ? true : undefined), {
      timeoutMs: 15_000,
    });
    await sleep(3_500);
    // Each attempt timed out before its record could reappear, and wrote nothing after its cut.
    expect(done).toEqual([]);
    expect(fn.stats().timeouts).toBeGreaterThanOrEqual(2);
    expect(seen.map((line) => line.receiveCount).slice(0, 2)).toEqual([1, 2]);
  });

  it('stops promptly while idle', async () => {
    const queue = await queueWithDlq({ fifo: false, visibilityTimeout: 2, maxReceiveCount: 10 });
    const { source } = start(queue, { concurrency: 2 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopping = Date.now();
    await source.stop();
    expect(Date.now() - stopping).toBeLessThan(1_500);
    expect(source.stats().batches).toBe(0);
  });

  describe('batching window (MaximumBatchingWindowInSeconds)', () => {
    // Windows are generous next to the few hundred ms the sends take: only counts are asserted.
    it('gathers records sent a few hundred ms apart into one invocation (the window opens with the poller)', async () => {
      const queue = await queueWithDlq({ fifo: false, visibilityTimeout: 30, maxReceiveCount: 10 });
      const { source, seen } = start(queue, { maxBatchingWindowSeconds: 5 });
      for (const id of ['a', 'b', 'c']) {
        await send(queue.url, [ok(id)]);
        await sleep(300);
      }
      await waitFor('the window to close', () => (source.stats().deleted === 3 ? true : undefined));
      await source.stop();

      expect(seen.map((line) => [line.seen, line.batchSize])).toEqual([
        ['a', 3],
        ['b', 3],
        ['c', 3],
      ]);
      expect(source.stats()).toEqual({ batches: 1, records: 3, deleted: 3, failedRecords: 0, errors: 0 });
    });

    it('after a window passed empty, opens the next with the first record', async () => {
      const queue = await queueWithDlq({ fifo: false, visibilityTimeout: 30, maxReceiveCount: 10 });
      const { source, seen } = start(queue, { maxBatchingWindowSeconds: 3 });
      await sleep(3_500); // the window that opened with the poller passes without a record
      for (const id of ['a', 'b', 'c']) {
        await send(queue.url, [ok(id)]);
        await sleep(300);
      }
      await waitFor('the window to close', () => (source.stats().deleted === 3 ? true : undefined));
      await source.stop();

      expect(seen.map((line) => line.batchSize)).toEqual([3, 3, 3]);
      expect(source.stats()).toMatchObject({ batches: 1, records: 3, deleted: 3, errors: 0 });
    });

    it('without a window, invokes each record as it comes', async () => {
      const queue = await queueWithDlq({ fifo: false, visibilityTimeout: 30, maxReceiveCount: 10 });
      const { source, seen } = start(queue);
      for (const [index, id] of ['a', 'b', 'c'].entries()) {
        await send(queue.url, [ok(id)]);
        await waitFor(`record ${id} handled`, () =>
          source.stats().deleted === index + 1 ? true : undefined,
        );
      }
      await source.stop();

      expect(seen.map((line) => line.batchSize)).toEqual([1, 1, 1]);
      expect(source.stats()).toMatchObject({ batches: 3, records: 3, deleted: 3, errors: 0 });
    });

    it('invokes a full batch at once instead of waiting for the window', async () => {
      const queue = await queueWithDlq({ fifo: false, visibilityTimeout: 300, maxReceiveCount: 10 });
      const { source, seen } = start(queue, { maxBatchingWindowSeconds: 120 });
      await send(
        queue.url,
        Array.from({ length: 10 }, (_, i) => ok(`full-${i}`)),
      );
      // waitFor gives up after 20 s, long before the 120 s window would end.
      await waitFor('the full batch handled', () => (source.stats().deleted === 10 ? true : undefined));
      await source.stop();

      expect(new Set(seen.map((line) => line.batchSize))).toEqual(new Set([10]));
      expect(source.stats()).toMatchObject({ batches: 1, records: 10, deleted: 10, errors: 0 });
    });

    it('gathers a batch larger than one receive (batchSize above 10) over several receives', async () => {
      const queue = await queueWithDlq({ fifo: false, visibilityTimeout: 300, maxReceiveCount: 10 });
      const { source, seen } = start(queue, { batchSize: 15, maxBatchingWindowSeconds: 120 });
      await send(
        queue.url,
        Array.from({ length: 15 }, (_, i) => ok(`big-${i}`)),
      );
      await waitFor('the batch of 15 handled', () => (source.stats().deleted === 15 ? true : undefined));
      await source.stop();

      expect(new Set(seen.map((line) => line.batchSize))).toEqual(new Set([15]));
      expect(source.stats()).toMatchObject({ batches: 1, records: 15, deleted: 15, errors: 0 });
    });

    it('on stop(), cuts the window short and invokes what it gathered', async () => {
      const queue = await queueWithDlq({ fifo: false, visibilityTimeout: 300, maxReceiveCount: 10 });
      const { source, seen } = start(queue, { maxBatchingWindowSeconds: 120 });
      await send(queue.url, [ok('lonely')]);
      await waitFor('the record received', async () =>
        (await inFlight(queue.url)) === 1 ? true : undefined,
      );
      expect(source.stats().batches).toBe(0);
      // Within the test's 60 s timeout, so well before the 120 s window would end.
      await source.stop();

      expect(seen.map((line) => line.seen)).toEqual(['lonely']);
      expect(source.stats()).toMatchObject({ batches: 1, records: 1, deleted: 1, errors: 0 });
    });

    it('refuses a window on a FIFO queue, as Lambda does', () => {
      const fn = { name: 'unused', concurrency: 1 } as unknown as LocalFunction;
      expect(() =>
        startSqsEventSource({
          sqs: client,
          queueUrl: 'http://127.0.0.1/000000000000/q.fifo',
          queueArn: 'arn:aws:sqs:us-east-1:000000000000:q.fifo',
          batchSize: 10,
          maxBatchingWindowSeconds: 2,
          fn,
        }),
      ).toThrow(/not supported for FIFO/);
    });
  });
});
