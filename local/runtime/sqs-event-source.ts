import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { LocalFunction } from './local-function';
import { batchVerdict, lambdaSqsEvent, regionOfArn } from './sqs-event';

/**
 * Lambda's SQS event source mapping, locally: pollers receive batches (gathered over a batching
 * window if one is set), invoke the function, and delete what it processed. Nothing else is
 * retried or moved here: failed messages reappear after the visibility timeout and the queue's
 * own redrive policy sends them to its DLQ, exactly as in AWS. For FIFO queues several pollers are
 * safe because SQS locks a group while a message of it is in flight.
 */
export interface SqsEventSourceOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  /**
   * Records per invocation. Without a batching window it acts as at most 10 (one ReceiveMessage's
   * worth; Lambda refuses more); with one, a batch gathers up to batchSize over several receives.
   */
  readonly batchSize: number;
  /**
   * Lambda's MaximumBatchingWindowInSeconds (0..300; not for FIFO queues); default 0: invoke with
   * whatever the first non-empty receive returned. With a window, a poller that holds fewer than
   * batchSize records keeps receiving (long polls bounded by what is left of the window) and
   * invokes once, when the batch is full or the window is over. As Lambda documents for SQS, the
   * window begins as soon as the previous invocation completes (or the poller starts); a window
   * that passes without a record invokes nothing, and the next begins with the first record.
   */
  readonly maxBatchingWindowSeconds?: number;
  /** Concurrent pollers (Lambda's MaximumConcurrency); default the function's concurrency. */
  readonly maxConcurrency?: number;
  readonly fn: LocalFunction;
  /** Default: the region in queueArn. */
  readonly region?: string;
  /** Longest long-poll wait; short so stop() is prompt. Default 1 s. */
  readonly pollWaitSeconds?: number;
  /**
   * The queue's visibility timeout. An invocation is cut short when its first record's visibility
   * ends (waiting for an environment and INIT included), so no record is ever handled while SQS
   * may already have handed it to another poller: what AWS's rule of a visibility timeout of six
   * times the function's timeout guarantees, kept here also when a soak shortens the visibility.
   */
  readonly visibilityTimeoutSeconds?: number;
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
  /**
   * Lets every poller finish its current batch (one still gathering is invoked with what it holds),
   * then resolves.
   */
  stop(): Promise<void>;
  stats(): SqsEventSourceStats;
}

const MAX_RECEIVE = 10;
/** Cut an invocation this long before its records' visibility ends (the delete takes a moment). */
const VISIBILITY_MARGIN_MS = 500;

/** Records received for one invocation, and when the first of them was received. */
interface Batch {
  readonly messages: Message[];
  readonly receivedAtMs: number;
}
/** Lambda's bound on MaximumBatchingWindowInSeconds. */
const MAX_BATCHING_WINDOW_SECONDS = 300;
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
  const windowSeconds = options.maxBatchingWindowSeconds ?? 0;
  if (!(windowSeconds >= 0 && windowSeconds <= MAX_BATCHING_WINDOW_SECONDS)) {
    throw new Error(
      `maxBatchingWindowSeconds must be 0..${MAX_BATCHING_WINDOW_SECONDS}, not ${windowSeconds}`,
    );
  }
  if (windowSeconds > 0 && options.queueArn.endsWith('.fifo')) {
    // Lambda (and CDK's SqsEventSource) refuse a batching window on a FIFO queue.
    throw new Error(`a batching window is not supported for FIFO queues (${options.queueArn})`);
  }
  const windowMs = windowSeconds * 1000;
  const batchTarget = Math.max(
    1,
    windowMs > 0 ? Math.floor(options.batchSize) : Math.min(MAX_RECEIVE, Math.floor(options.batchSize)),
  );
  const counters = { batches: 0, records: 0, deleted: 0, failedRecords: 0, errors: 0 };

  let stopping = false;
  let wakeSleepers: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    wakeSleepers = resolve;
  });
  const pause = (ms: number) =>
    Promise.race([new Promise<void>((resolve) => setTimeout(resolve, ms).unref()), stopped]);

  async function receive(maxMessages: number, waitTimeSeconds: number): Promise<Message[]> {
    const received = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(MAX_RECEIVE, maxMessages),
        WaitTimeSeconds: waitTimeSeconds,
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
  async function handleBatch({ messages, receivedAtMs }: Batch): Promise<boolean> {
    counters.batches++;
    counters.records += messages.length;
    const outcome = await options.fn.invoke(
      lambdaSqsEvent(messages, options.queueArn, region),
      options.visibilityTimeoutSeconds === undefined
        ? {}
        : { deadlineMs: receivedAtMs + options.visibilityTimeoutSeconds * 1000 - VISIBILITY_MARGIN_MS },
    );
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

  /**
   * Receives one batch: the first non-empty receive without a window; with one, records until the
   * batch is full or the window is over (see maxBatchingWindowSeconds). Returns early, with what it
   * holds, on stop() or when a receive fails after records were gathered; empty only then.
   */
  async function gather(): Promise<Batch> {
    const batch: Message[] = [];
    let receivedAtMs = Number.POSITIVE_INFINITY;
    let windowEnds = Date.now() + windowMs;
    while (!stopping && batch.length < batchTarget) {
      let wait = waitSeconds;
      let last = false;
      if (batch.length > 0) {
        const remainingMs = windowEnds - Date.now();
        if (remainingMs <= 0) break;
        wait = Math.min(waitSeconds, Math.floor(remainingMs / 1000));
        if (wait === 0) {
          // Under a second left, and long polls wait whole seconds: sit it out, then poll once more.
          await pause(remainingMs);
          if (stopping) break;
          last = true;
        }
      }
      const started = Date.now();
      let messages: Message[];
      try {
        messages = await receive(batchTarget - batch.length, wait);
      } catch (error) {
        if (batch.length === 0) throw error;
        counters.errors++;
        if (!stopping) {
          onError(
            `polling ${options.queueUrl} failed; invoking the ${batch.length} record(s) gathered`,
            error,
          );
        }
        break;
      }
      if (messages.length > 0) {
        // The first record after a window that passed empty begins the next window.
        if (batch.length === 0 && Date.now() >= windowEnds) windowEnds = Date.now() + windowMs;
        // Their visibility began during this receive: from its start, to be safe.
        receivedAtMs = Math.min(receivedAtMs, started);
        batch.push(...messages);
      } else if (!last) {
        const elapsed = Date.now() - started;
        if (elapsed < MIN_EMPTY_POLL_MS) await pause(MIN_EMPTY_POLL_MS - elapsed);
      }
      if (last) break;
    }
    return { messages: batch, receivedAtMs };
  }

  async function poll(): Promise<void> {
    let consecutiveFailures = 0;
    while (!stopping) {
      try {
        const batch = await gather();
        if (batch.messages.length === 0) continue;
        const invoked = await handleBatch(batch);
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
