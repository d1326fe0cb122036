import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueId } from '../../lib/topology';
import { writeLocalEndpoints } from '../endpoints';
import { REPO_ROOT } from '../runtime/bundle';
import type { LocalStack } from '../stack';
import { queueDepth } from './quiescence';

/** The `smsctl` binary (package.json `bin`), as `npx smsctl` runs it. */
const SMSCTL = path.join(REPO_ROOT, 'cli/smsctl.mjs');

/** Messages in every DLQ of the topology, per queue. */
export async function deadLetterCounts(stack: LocalStack): Promise<Record<string, number>> {
  const entries = await Promise.all(
    Object.values(stack.queues).map(
      async (queue) => [queue.spec.id, await queueDepth(stack.clients.sqs, queue.dlqUrl)] as const,
    ),
  );
  return Object.fromEntries(entries);
}

/**
 * `smsctl --local --json dlq redrive` for every queue, as an operator runs it: the `smsctl` binary
 * in a child process, pointed at this stack by an endpoints file of its own (SMSCTL_LOCAL_ENDPOINTS,
 * what `npm start` writes for the running local stack). The soak depends on the CLI's command line
 * and JSON output only, never on its modules. Returns how many messages went back.
 */
export async function redriveAll(stack: LocalStack, max: number): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'soak-smsctl-'));
  try {
    const endpointsFile = path.join(dir, 'endpoints.json');
    await writeLocalEndpoints(stack, endpointsFile);
    const args = ['--local', '--json', 'dlq', 'redrive', '--max', String(Math.max(1, max))];
    const { stdout } = await promisify(execFile)(process.execPath, [SMSCTL, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, SMSCTL_LOCAL_ENDPOINTS: endpointsFile },
    }).catch((error: Error & { stderr?: string }) => {
      throw new Error(`smsctl ${args.join(' ')} failed: ${error.stderr?.trim() || error.message}`);
    });
    const { redriven } = JSON.parse(stdout) as { redriven: { queue: QueueId; moved: number }[] };
    return redriven.reduce((total, entry) => total + entry.moved, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
