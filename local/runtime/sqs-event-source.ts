import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { LocalFunction } from './local-function';
import { batchVerdict, lambdaSqsEvent, regionOfArn } from './sqs-event';

/**
 * Lambda's SQS event source mapping, locally: pollers receive batches, invoke the function, and
 * delete what it processed. Nothing else is retried or moved here: failed messages reappear after
 * the visibility timeout and the queue's own redrive policy sends them to its DLQ, exactly as
 * in AWS. For FIFO queues several pollers are safe because SQS locks a group while a message of
 * it is in flight.
 */
export interface SqsEventSourceOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  /** Records per invocation; one ReceiveMessage returns at most 10, so larger sizes act as 10. */
  readonly batchSize: number;
  /** Concurrent pollers (Lambda's MaximumConcurrency); default the function's concurrency. */
  readonly maxConcurrency?: number;
  readonly fn: LocalFunction;
  /** Default: the region in queueArn. */
  readonly region?: string;
  /** Long-poll wait; short so stop() is prompt. Default 1 s. */
  readonly pollWaitSeconds?: number;
  /** Read `batchItemFailures` from the result (ReportBatchItemFailures); default true. */
  readonly reportBatchItemFailures?: boolean;
  /** SQS API failures and invalid batch responses; default: printed to stderr. Handler errors are in the function's log. */
  readonly onError?: (message: string, error?: unknown) => void;
}

export interface SqsEventSourceStats {
  /** Invocations made. */
  readonly batches: number;
  readonly records: number;
  readonly deleted: number;
  /** Records left on the queue because the invocation or their item failed. */
  readonly failedRecords: number;
  /** Failed invocations, unreadable batch responses and SQS API failures. */
  readonly errors: number;
}

export interface SqsEventSource {
  /** Lets every poller finish its current batch, then resolves. */
  stop(): Promise<void>;
  stats(): SqsEventSourceStats;
}

const MAX_RECEIVE = 10;
const MAX_BACKOFF_MS = 2_000;
const FIRST_BACKOFF_MS = 100;
/** An empty receive that came back sooner than this is followed by a pause, so no poller spins. */
const MIN_EMPTY_POLL_MS = 100;

function backoffMs(consecutiveFailures: number): number {
  return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, consecutiveFailures - 1));
}

function defaultOnError(message: string, error?: unknown): void {
  console.error(`[sqs-event-source] ${message}${error === undefined ? '' : `: ${String(error)}`}`);
}

export function startSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  const region = options.region ?? regionOfArn(options.queueArn) ?? 'us-east-1';
  const pollers = Math.max(1, Math.floor(options.maxConcurrency ?? options.fn.concurrency));
  const waitSeconds = options.pollWaitSeconds ?? 1;
  const reportFailures = options.reportBatchItemFailures ?? true;
  const onError = options.onError ?? defaultOnError;
  const counters = { batches: 0, records: 0, deleted: 0, failedRecords: 0, errors: 0 };

  let stopping = false;
  let wakeSleepers: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    wakeSleepers = resolve;
  });
  const pause = (ms: number) =>
    Promise.race([new Promise<void>((resolve) => setTimeout(resolve, ms).unref()), stopped]);

  async function receive(): Promise<Message[]> {
    const received = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(MAX_RECEIVE, Math.max(1, options.batchSize)),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return received.Messages ?? [];
  }

  async function deleteMessages(messages: readonly Message[]): Promise<void> {
    for (let start = 0; start < messages.length; start += MAX_RECEIVE) {
      const chunk = messages.slice(start, start + MAX_RECEIVE);
      const result = await options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      counters.deleted += result.Successful?.length ?? 0;
      if (result.Failed?.length) {
        counters.errors++;
        onError(`DeleteMessageBatch failed for ${result.Failed.length} message(s) of ${options.queueUrl}`);
      }
    }
  }

  /** Invokes the function with one batch; returns false if the invocation failed. */
  async function handleBatch(messages: Message[]): Promise<boolean> {
    counters.batches++;
    counters.records += messages.length;
    const outcome = await options.fn.invoke(lambdaSqsEvent(messages, options.queueArn, region));
    if (outcome.error) {
      counters.errors++;
      counters.failedRecords += messages.length;
      return false;
    }
    const ids = new Set(messages.map((message) => message.MessageId ?? ''));
    const verdict = reportFailures ? batchVerdict(outcome.result, ids) : { kind: 'allSucceeded' as const };
    if (verdict.kind === 'allFailed') {
      counters.errors++;
      counters.failedRecords += messages.length;
      onError(`${options.fn.name} returned an invalid batch response; the whole batch stays on the queue`);
      return true;
    }
    const succeeded =
      verdict.kind === 'someFailed'
        ? messages.filter((message) => !verdict.failed.has(message.MessageId ?? ''))
        : messages;
    counters.failedRecords += messages.length - succeeded.length;
    await deleteMessages(succeeded);
    return true;
  }

  async function poll(): Promise<void> {
    let consecutiveFailures = 0;
    while (!stopping) {
      const started = Date.now();
      try {
        const messages = await receive();
        if (messages.length === 0) {
          const elapsed = Date.now() - started;
          if (elapsed < MIN_EMPTY_POLL_MS) await pause(MIN_EMPTY_POLL_MS - elapsed);
          continue;
        }
        const invoked = await handleBatch(messages);
        consecutiveFailures = invoked ? 0 : consecutiveFailures + 1;
      } catch (error) {
        consecutiveFailures++;
        counters.errors++;
        if (!stopping) onError(`polling ${options.queueUrl} failed`, error);
      }
      if (consecutiveFailures > 0) await pause(backoffMs(consecutiveFailures));
    }
  }

  const loops = Array.from({ length: pollers }, () => poll());
  return {
    stop: async () => {
      stopping = true;
      wakeSleepers();
      await Promise.all(loops);
    },
    stats: () => ({ ...counters }),
  };
}
