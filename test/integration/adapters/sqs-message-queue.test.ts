import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsMessageQueue } from '../../../lambdas/adapters/sqs-message-queue';
import { type LocalSqs, sqsClientFor, startSqs } from '../../../local/standins/sqs';
import { sleep } from '../../support/wait';

let sqs: LocalSqs;
let client: SQSClient;

beforeAll(async () => {
  sqs = await startSqs({ port: 0 });
  client = sqsClientFor(sqs.endpoint);
});

afterAll(async () => {
  client?.destroy();
  await sqs?.close();
});

async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return QueueUrl as string;
}

async function bodies(queueUrl: string): Promise<unknown[]> {
  const { Messages = [] } = await client.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  return Messages.map((message) => JSON.parse(message.Body ?? 'null'));
}

describe('SqsMessageQueue on the SQS emulator', () => {
  it('holds a message of a standard queue back for its delay, each message its own', async () => {
    const url = await createQueue('delayed-ticks');
    const queue = new SqsMessageQueue<{ tick: number }>(client, url);
    await queue.send([{ body: { tick: 1 }, delaySeconds: 2 }, { body: { tick: 2 } }]);
    expect(await bodies(url)).toEqual([{ tick: 2 }]);
    await sleep(2_500);
    expect(await bodies(url)).toEqual([{ tick: 1 }]);
  });

  it('sends to a FIFO queue without a delay, as before', async () => {
    const url = await createQueue('plain.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'false' });
    const queue = new SqsMessageQueue<{ n: number }>(client, url);
    await queue.send([{ body: { n: 1 }, groupId: 'g', deduplicationId: 'd-1' }]);
    expect(await bodies(url)).toEqual([{ n: 1 }]);
  });
});
