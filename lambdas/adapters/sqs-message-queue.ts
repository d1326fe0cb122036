import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MessageQueue, QueuedMessage } from '../ports/message-queue';

const SQS_BATCH_LIMIT = 10;

/**
 * JSON with every non-ASCII character escaped (`\uXXXX`, surrogate pairs as two escapes). SQS
 * restricts message characters and emulators restrict them further (fauxqs refuses emoji); an
 * ASCII body is valid everywhere and JSON.parse gives back the exact text a customer sent.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export class SqsMessageQueue<T> implements MessageQueue<T> {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(messages: readonly QueuedMessage<T>[]): Promise<void> {
    for (let start = 0; start < messages.length; start += SQS_BATCH_LIMIT) {
      const chunk = messages.slice(start, start + SQS_BATCH_LIMIT);
      const result = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            MessageBody: asciiJson(message.body),
            MessageGroupId: message.groupId,
            MessageDeduplicationId: message.deduplicationId,
            ...(message.delaySeconds !== undefined ? { DelaySeconds: message.delaySeconds } : {}),
          })),
        }),
      );
      const failed = result.Failed ?? [];
      if (failed.length > 0) {
        // Failing the whole call lets the caller's retry resend; FIFO dedup ids keep that safe.
        const first = failed[0];
        throw new Error(
          `SQS rejected ${failed.length} message(s): ${first?.Code} ${first?.Message ?? ''}`.trim(),
        );
      }
    }
  }
}
