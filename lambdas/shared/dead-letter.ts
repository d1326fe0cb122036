import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

/** The attribute of a dead-lettered message that says why (shown by an SQS console or ReceiveMessage). */
export const DEAD_LETTER_REASON_ATTRIBUTE = 'DeadLetterReason';

/**
 * A record that can never succeed (the receiver answered 400, no signing key): retrying would
 * get the same answer, so it goes to the DLQ now, with the reason, for a redrive after the fix.
 */
export class DeadLetterError extends Error {
  override readonly name = 'DeadLetterError';
}

/**
 * Moves a record whose handler threw DeadLetterError to `dlqUrl` and then lets it count as
 * processed, so the event source deletes it from the source queue. A crash in between leaves it in
 * the source queue too: at worst it is handled once more, never lost. A FIFO queue's record keeps
 * its group and deduplication id in the (FIFO) DLQ, so a redrive keeps its order and a second move
 * within five minutes is dropped. `onDeadLetter` runs first (e.g. telling the customer).
 */
export function withDeadLetter(
  sqs: SQSClient,
  dlqUrl: string,
  handle: (record: SQSRecord) => Promise<void>,
  onDeadLetter?: (record: SQSRecord, error: DeadLetterError) => Promise<void>,
): (record: SQSRecord) => Promise<void> {
  return async (record) => {
    try {
      await handle(record);
    } catch (error) {
      if (!(error instanceof DeadLetterError)) throw error;
      await onDeadLetter?.(record, error);
      const groupId = record.attributes.MessageGroupId;
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: dlqUrl,
          MessageBody: record.body,
          ...(groupId
            ? {
                MessageGroupId: groupId,
                MessageDeduplicationId: record.attributes.MessageDeduplicationId ?? record.messageId,
              }
            : {}),
          MessageAttributes: {
            [DEAD_LETTER_REASON_ATTRIBUTE]: { DataType: 'String', StringValue: error.message.slice(0, 1000) },
          },
        }),
      );
    }
  };
}
