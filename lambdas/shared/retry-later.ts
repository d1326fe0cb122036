import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

/**
 * A failure worth retrying after `delaySeconds` rather than after the queue's whole visibility
 * timeout: the record's visibility is shortened before the batch reports it failed.
 */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly delaySeconds: number,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

export function withRetryDelay(
  sqs: SQSClient,
  queueUrl: string,
  handle: (record: SQSRecord) => Promise<void>,
): (record: SQSRecord) => Promise<void> {
  return async (record) => {
    try {
      await handle(record);
    } catch (error) {
      if (error instanceof RetryLaterError) {
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: record.receiptHandle,
            VisibilityTimeout: error.delaySeconds,
          }),
        );
      }
      throw error;
    }
  };
}
