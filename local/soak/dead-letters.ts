import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { dlqCommand } from '../../cli/commands/dlq';
import type { PlatformTarget } from '../../cli/target';
import type { QueueId } from '../../lib/topology';
import type { LocalStack } from '../stack';
import { queueDepth } from './quiescence';

/** What the operator's CLI sees of the local stack: the soak redrives with the real `smsctl` command. */
function platformTarget(stack: LocalStack): PlatformTarget {
  return {
    description: 'chaos soak local stack',
    dynamo: stack.clients.dynamo,
    sqs: stack.clients.sqs,
    secrets: stack.clients.secrets,
    tableName: stack.tableName,
    tenantSecretPrefix: stack.tenantSecretPrefix,
    queues: stack.queues,
  };
}

/** Messages in every DLQ of the topology, per queue. */
export async function deadLetterCounts(stack: LocalStack): Promise<Record<string, number>> {
  const entries = await Promise.all(
    Object.values(stack.queues).map(
      async (queue) => [queue.spec.id, await queueDepth(stack.clients.sqs, queue.dlqUrl)] as const,
    ),
  );
  return Object.fromEntries(entries);
}

/** `smsctl dlq redrive` for every queue; returns how many messages went back. */
export async function redriveAll(stack: LocalStack, max: number): Promise<number> {
  const result = await dlqCommand('redrive', ['--max', String(Math.max(1, max))], async () =>
    platformTarget(stack),
  );
  const { redriven } = result.json as { redriven: { queue: QueueId; moved: number }[] };
  return redriven.reduce((total, entry) => total + entry.moved, 0);
}

/**
 * Takes every message left in a DLQ and returns their bodies (parsed JSON). Destructive on
 * purpose: a FIFO queue shows the next message of a group only once the one before is deleted,
 * and the audit runs once the soak is over, just before the stack stops.
 */
export async function drainDeadLetters(sqs: SQSClient, dlqUrl: string): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (;;) {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return bodies;
    for (const message of messages) {
      try {
        bodies.push(JSON.parse(message.Body ?? ''));
      } catch {
        bodies.push(message.Body);
      }
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: dlqUrl,
        Entries: messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
    );
  }
}
