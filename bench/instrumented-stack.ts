import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { type FunctionId, functions } from '../lib/topology';
import { type LocalStack, startLocalStack } from '../local/stack';
import { AwsRequestCounter, type AwsRequestCounts } from './aws-requests';

/**
 * A local stack whose functions' AWS requests (bench/aws-requests.ts), log bytes and the event
 * source mappings' SQS receives and deletes are counted, with measurement windows: what a piece of
 * work (turns of conversations, a campaign) asked of AWS, warm-up excluded.
 */
export interface FunctionFigures {
  readonly invocations: number;
  readonly coldStarts: number;
  readonly errors: number;
  readonly billedMs: number;
  /** Everything printed (application lines and EMF records): CloudWatch Logs ingests and bills both. */
  readonly logBytes: number;
  readonly logLines: number;
  /** Of those, the EMF records (metrics written as log lines). */
  readonly emfBytes: number;
  readonly emfRecords: number;
}

interface LogTally {
  bytes: number;
  lines: number;
  emfBytes: number;
  emfRecords: number;
}

const NO_LOGS: LogTally = { bytes: 0, lines: 0, emfBytes: 0, emfRecords: 0 };

export interface EventSourceSqs {
  readonly receives: number;
  readonly emptyReceives: number;
  readonly deletes: number;
  /** Receives and deletes on FIFO queues. */
  readonly fifo: number;
}

export interface WindowFigures {
  readonly functions: Record<string, FunctionFigures>;
  readonly aws: AwsRequestCounts;
  /** What Lambda's SQS pollers did in the window (not our code, but billed as SQS requests). */
  readonly eventSourceSqs: EventSourceSqs;
  /** GetSecretValue calls over the whole run (warm-up included) per execution environment that reads secrets. */
  readonly secretsCallsPerEnvironment: number;
}

export interface InstrumentedStack {
  readonly stack: LocalStack;
  /** Starts counting from now (what ran before, e.g. a warm-up, is left out). */
  startWindow(): void;
  /** What ran since `startWindow`. */
  windowFigures(): WindowFigures;
  stop(): Promise<void>;
}

const secretCalls = (counts: AwsRequestCounts) => counts.requests['secretsManager.GetSecretValue'] ?? 0;

export async function startInstrumentedStack(): Promise<InstrumentedStack> {
  const counter = new AwsRequestCounter();
  const logs = new Map<string, LogTally>();
  const stack = await startLocalStack({
    port: 0,
    twilioSimPort: 0,
    callbackDelayMs: 20,
    functionAwsEndpoints: (standIns) => counter.proxyAll(standIns),
    onLog: (functionName, line) => {
      const entry = logs.get(functionName) ?? { ...NO_LOGS };
      // What CloudWatch Logs ingests: the line and its newline.
      const bytes = Buffer.byteLength(line) + 1;
      entry.bytes += bytes;
      entry.lines++;
      // An EMF record is a JSON line with the `_aws` metadata CloudWatch extracts metrics from.
      if (line.includes('"_aws":{')) {
        entry.emfBytes += bytes;
        entry.emfRecords++;
      }
      logs.set(functionName, entry);
    },
  });
  const eventSource = { receives: 0, emptyReceives: 0, deletes: 0, fifo: 0 };
  // The stack's own SQS client is the one its event source mappings poll with.
  stack.clients.sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const fifo = String((args.input as { QueueUrl?: unknown }).QueueUrl ?? '').endsWith('.fifo');
      if (context.commandName === 'ReceiveMessageCommand') {
        const messages = (result.output as { Messages?: unknown[] }).Messages ?? [];
        if (messages.length > 0) {
          eventSource.receives++;
          if (fifo) eventSource.fifo++;
        } else eventSource.emptyReceives++;
      } else if (context.commandName === 'DeleteMessageBatchCommand') {
        eventSource.deletes++;
        if (fifo) eventSource.fifo++;
      }
      return result;
    },
    { step: 'initialize', name: 'benchEventSourceCounter' },
  );

  let before: Record<string, ReturnType<LocalStack['functions'][FunctionId]['stats']>> = {};
  let logsBefore = new Map<string, LogTally>();
  let secretCallsBefore = 0;
  return {
    stack,
    startWindow() {
      before = Object.fromEntries(Object.values(stack.functions).map((fn) => [fn.name, fn.stats()]));
      logsBefore = new Map([...logs].map(([name, entry]) => [name, { ...entry }]));
      secretCallsBefore += secretCalls(counter.snapshot());
      counter.reset();
      Object.assign(eventSource, { receives: 0, emptyReceives: 0, deletes: 0, fifo: 0 });
    },
    windowFigures() {
      const figures: Record<string, FunctionFigures> = {};
      for (const fn of Object.values(stack.functions)) {
        const now = fn.stats();
        const was = before[fn.name];
        const logNow = logs.get(fn.name) ?? NO_LOGS;
        const logWas = logsBefore.get(fn.name) ?? NO_LOGS;
        figures[fn.name] = {
          invocations: now.invocations - (was?.invocations ?? 0),
          coldStarts: now.coldStarts - (was?.coldStarts ?? 0),
          errors: now.errors - (was?.errors ?? 0),
          billedMs: now.billedMs - (was?.billedMs ?? 0),
          logBytes: logNow.bytes - logWas.bytes,
          logLines: logNow.lines - logWas.lines,
          emfBytes: logNow.emfBytes - logWas.emfBytes,
          emfRecords: logNow.emfRecords - logWas.emfRecords,
        };
      }
      const aws = counter.snapshot();
      // Secrets per environment: every GetSecretValue of the run over the environments that may call it.
      const readers = Object.values(functions).filter((spec) => spec.bindings.tenantSecrets !== 'none');
      const environments = readers.reduce(
        (sum, spec) => sum + (stack.functions[spec.id as FunctionId]?.stats().coldStarts ?? 0),
        0,
      );
      const secrets = secretCallsBefore + secretCalls(aws);
      return {
        functions: figures,
        aws,
        eventSourceSqs: { ...eventSource },
        secretsCallsPerEnvironment: environments === 0 ? 0 : secrets / environments,
      };
    },
    async stop() {
      await stack.stop();
      await counter.close();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(25);
  }
}

async function queuesEmpty(stack: LocalStack): Promise<boolean> {
  for (const queue of Object.values(stack.queues)) {
    const { Attributes } = await stack.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    if (
      Number(Attributes?.ApproximateNumberOfMessages) +
        Number(Attributes?.ApproximateNumberOfMessagesNotVisible) >
      0
    )
      return false;
  }
  return true;
}

/** Every queue empty and no invocation started since the last look: what the work set off has finished. */
export async function waitForQuiet(stack: LocalStack, timeoutMs = 60_000): Promise<void> {
  let last = '';
  await waitUntil(
    'the pipeline to go quiet',
    async () => {
      if (!(await queuesEmpty(stack))) return false;
      const now = JSON.stringify(Object.values(stack.functions).map((fn) => fn.stats().invocations));
      const quiet = now === last;
      last = now;
      if (!quiet) await sleep(300);
      return quiet;
    },
    timeoutMs,
  );
}
