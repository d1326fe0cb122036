import { createHash } from 'node:crypto';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { QueueId } from '../../lib/topology';
import { CliError } from '../cli-error';
import { parseCommand } from '../flags';
import type { CommandResult } from '../output';
import { type PlatformTarget, QUEUE_IDS } from '../target';

const REDRIVE_USAGE = `dlq redrive [--queue ${QUEUE_IDS.join('|')}] [--max N]`;

async function counts(platform: PlatformTarget, id: QueueId) {
  const result = await platform.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: platform.queues[id].dlqUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    queue: id,
    visible: Number(result.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(result.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/**
 * Moves messages from one DLQ back to its source queue. Each is deleted from the DLQ only after
 * the send succeeded, so a crash leaves a copy rather than losing one; the dedup id is derived
 * from the DLQ message id so a redrive retried within five minutes is dropped by FIFO dedup.
 */
async function redrive(platform: PlatformTarget, id: QueueId, max: number) {
  const { url, dlqUrl } = platform.queues[id];
  let moved = 0;
  while (moved < max) {
    const received = await platform.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: Math.min(10, max - moved),
        MessageSystemAttributeNames: ['MessageGroupId'],
        WaitTimeSeconds: 0,
        VisibilityTimeout: 30,
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) break;
    for (const message of messages) {
      const groupId = message.Attributes?.MessageGroupId;
      const fifo = url.endsWith('.fifo');
      // Without its group the message would lose its place in the conversation's order: leave it.
      if (fifo && !groupId) throw new CliError(`DLQ message ${message.MessageId} has no MessageGroupId`);
      await platform.sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: message.Body ?? '',
          ...(fifo
            ? {
                MessageGroupId: groupId,
                MessageDeduplicationId: `redrive-${createHash('sha256')
                  .update(message.MessageId ?? '')
                  .digest('hex')
                  .slice(0, 64)}`,
              }
            : {}),
        }),
      );
      await platform.sqs.send(
        new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      moved++;
    }
  }
  return { queue: id, moved };
}

export async function dlqCommand(
  action: string | undefined,
  args: string[],
  target: () => Promise<PlatformTarget>,
): Promise<CommandResult> {
  switch (action) {
    case 'list': {
      parseCommand('dlq list', args, {});
      const platform = await target();
      const dlqs = await Promise.all(QUEUE_IDS.map((id) => counts(platform, id)));
      return {
        json: { dlqs },
        lines: dlqs.map((dlq) => `${dlq.queue.padEnd(10)} ${dlq.visible} waiting, ${dlq.inFlight} in flight`),
      };
    }
    case 'redrive': {
      const { values } = parseCommand(REDRIVE_USAGE, args, {
        queue: { type: 'string' },
        max: { type: 'string' },
      });
      const queues = values.queue === undefined ? QUEUE_IDS : [values.queue as QueueId];
      for (const queue of queues)
        if (!QUEUE_IDS.includes(queue))
          throw new CliError(`--queue must be one of ${QUEUE_IDS.join(', ')}`, 2);
      const max = values.max === undefined ? 100 : Number(values.max);
      if (!Number.isInteger(max) || max < 1) throw new CliError('--max must be a positive whole number', 2);
      const platform = await target();
      const results = [];
      for (const queue of queues) results.push(await redrive(platform, queue, max));
      return {
        json: { redriven: results },
        lines: results.map((result) => `${result.queue.padEnd(10)} ${result.moved} message(s) moved back`),
      };
    }
    default:
      throw new CliError(`unknown dlq action "${action ?? ''}" (list, redrive)`, 2);
  }
}
