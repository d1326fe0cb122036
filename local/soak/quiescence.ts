import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProvisionedQueue } from '../provision';
import type { TwilioSimulator } from '../twilio-sim';

const DEPTH_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
] as const;

/** Messages waiting, in flight (being processed or waiting out a retry delay) and delayed. */
export async function queueDepth(sqs: SQSClient, url: string): Promise<number> {
  const result = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...DEPTH_ATTRIBUTES] }),
  );
  return DEPTH_ATTRIBUTES.reduce((total, name) => total + Number(result.Attributes?.[name] ?? 0), 0);
}

/** Consecutive quiet checks that make a quiet pipeline: a message can be between two hops for a moment. */
const QUIET_CHECKS = 3;
const CHECK_INTERVAL_MS = 500;

/**
 * Waits until the pipeline has nothing left to do: every queue of the topology (not the DLQs)
 * empty including in flight, and the simulator's status callbacks all posted, several checks in
 * a row. Returns false if that does not happen before `deadline` (epoch ms).
 */
export async function waitForQuiescence(input: {
  sqs: SQSClient;
  queues: readonly ProvisionedQueue[];
  simulator: TwilioSimulator;
  deadline: number;
}): Promise<boolean> {
  let quietChecks = 0;
  while (Date.now() < input.deadline) {
    const settled = await Promise.race([
      input.simulator.settled().then(() => true),
      sleep(Math.max(0, input.deadline - Date.now())).then(() => false),
    ]);
    if (!settled) return false;
    const depths = await Promise.all(input.queues.map((queue) => queueDepth(input.sqs, queue.url)));
    const busy = depths.some((depth) => depth > 0);
    quietChecks = busy ? 0 : quietChecks + 1;
    if (quietChecks >= QUIET_CHECKS) return true;
    await sleep(CHECK_INTERVAL_MS);
  }
  return false;
}
