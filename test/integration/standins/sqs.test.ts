import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSqs, sqsClientFor, startSqs } from '../../../local/standins/sqs';

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

async function createQueue(name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { url: QueueUrl as string, arn: Attributes?.QueueArn as string };
}

async function receive(queueUrl: string, waitSeconds = 0): Promise<Message[]> {
  const { Messages } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return Messages ?? [];
}

describe('fauxqs', () => {
  it('names queue URLs with a host that does not resolve, which sqsClientFor ignores', async () => {
    const queue = await createQueue('plain');
    expect(new URL(queue.url).hostname).toBe('sqs.us-east-1.localhost');
    await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'hello' }));
    expect((await receive(queue.url)).map((message) => message.Body)).toEqual(['hello']);
  });

  it('delivers a FIFO group in order, one group message in flight at a time', async () => {
    const queue = await createQueue('ordered.fifo', { FifoQueue: 'true' });
    for (let i = 1; i <= 4; i++) {
      for (const group of ['g1', 'g2']) {
        await client.send(
          new SendMessageCommand({
            QueueUrl: queue.url,
            MessageBody: `${group}-${i}`,
            MessageGroupId: group,
            MessageDeduplicationId: `${group}-${i}`,
          }),
        );
      }
    }
    const seen: Record<string, string[]> = { g1: [], g2: [] };
    for (let round = 0; round < 4; round++) {
      const batch = await receive(queue.url);
      // While a group has a message in flight, no later message of that group is handed out.
      expect(await receive(queue.url)).toEqual([]);
      for (const message of batch) {
        seen[message.Attributes?.MessageGroupId ?? '']?.push(message.Body ?? '');
        await client.send(
          new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
    expect(seen).toEqual({ g1: ['g1-1', 'g1-2', 'g1-3', 'g1-4'], g2: ['g2-1', 'g2-2', 'g2-3', 'g2-4'] });
  });

  it('collapses messages with the same deduplication id', async () => {
    const queue = await createQueue('dedup.fifo', { FifoQueue: 'true' });
    const send = (body: string) =>
      client.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: body,
          MessageGroupId: 'tenant#+15551230001',
          MessageDeduplicationId: 'SM0123',
        }),
      );
    await send('first delivery');
    await send('Twilio retry');
    const messages = await receive(queue.url);
    expect(messages.map((message) => message.Body)).toEqual(['first delivery']);
    await client.send(
      new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: messages[0]?.ReceiptHandle }),
    );
    expect(await receive(queue.url)).toEqual([]);
  });

  it('moves a message to the DLQ after maxReceiveCount receives', async () => {
    const dlq = await createQueue('redrive-dlq.fifo', { FifoQueue: 'true' });
    const queue = await createQueue('redrive.fifo', {
      FifoQueue: 'true',
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    await client.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: 'poison',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'poison',
      }),
    );
    const first = await receive(queue.url);
    expect(first[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    const second = await receive(queue.url, 2);
    expect(second[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    // The third receive finds the receive count exceeded and redrives instead of delivering.
    expect(await receive(queue.url, 2)).toEqual([]);
    expect((await receive(dlq.url)).map((message) => message.Body)).toEqual(['poison']);
  });
});
