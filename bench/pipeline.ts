import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { type FunctionId, functions } from '../lib/topology';
import { DEMO_TENANT, seedDemoTenant } from '../local/seed';
import { type LocalStack, startLocalStack } from '../local/stack';
import { AwsRequestCounter, type AwsRequestCounts } from './aws-requests';

/**
 * Drives order-status conversations through the local stack the way customers would (each
 * message after the reply to the previous one) and counts what they cost: invocations, the
 * functions' AWS requests (bench/aws-requests.ts), the event source mappings' SQS receives and
 * deletes, log bytes, Secrets Manager calls per execution environment.
 */
const CONVERSATION = ['Where is my package?', '123456', 'December 10th'];
const SETTLE_TIMEOUT_MS = 60_000;

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

export interface PipelineFigures {
  readonly turns: number;
  readonly customers: number;
  readonly seconds: number;
  readonly turnsPerSecond: number;
  /** Replies that reached `delivered` in the simulator. */
  readonly delivered: number;
  readonly functions: Record<string, FunctionFigures>;
  readonly aws: AwsRequestCounts;
  /** What Lambda's SQS pollers did for these turns (not our code, but billed as SQS requests). */
  readonly eventSourceSqs: {
    readonly receives: number;
    readonly emptyReceives: number;
    readonly deletes: number;
    /** Receives and deletes on FIFO queues. */
    readonly fifo: number;
  };
  /** GetSecretValue calls over the whole run (warm-up included) per execution environment that reads secrets. */
  readonly secretsCallsPerEnvironment: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(25);
  }
}

async function text(stack: LocalStack, from: string, body: string): Promise<void> {
  const response = await fetch(`${stack.twilioSimUrl}/_sim/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenantId: DEMO_TENANT.tenantId, from, to: DEMO_TENANT.number, body }),
  });
  if (!response.ok) throw new Error(`bench: inbound answered ${response.status}`);
}

const repliesTo = (stack: LocalStack, customer: string) =>
  stack.simulator.messages().filter((message) => message.resource.to === customer);

async function converse(stack: LocalStack, customer: string): Promise<void> {
  for (const [index, body] of CONVERSATION.entries()) {
    await text(stack, customer, body);
    await waitUntil(`reply ${index + 1} to a customer`, () => repliesTo(stack, customer).length > index);
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

/** Everything the turns set off has finished: replies delivered, callbacks applied, queues empty, no invocation running. */
async function settle(stack: LocalStack, customers: readonly string[]): Promise<void> {
  const replies = () => customers.flatMap((customer) => repliesTo(stack, customer));
  await waitUntil('every reply delivered', () =>
    replies().every((reply) => reply.resource.status === 'delivered'),
  );
  let last = '';
  await waitUntil('the pipeline to go quiet', async () => {
    if (!(await queuesEmpty(stack))) return false;
    const now = JSON.stringify(Object.values(stack.functions).map((fn) => fn.stats().invocations));
    const quiet = now === last;
    last = now;
    if (!quiet) await sleep(300);
    return quiet;
  });
}

const secretCalls = (counts: AwsRequestCounts) => counts.requests['secretsManager.GetSecretValue'] ?? 0;

export async function measurePipeline(options: { customers: number }): Promise<PipelineFigures> {
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
  try {
    await seedDemoTenant(stack);
    // Warm-up: one conversation brings up an environment of each function on the path.
    const warmUp = ['+15550100000'];
    await converse(stack, warmUp[0] as string);
    await settle(stack, warmUp);

    const before = Object.fromEntries(Object.values(stack.functions).map((fn) => [fn.name, fn.stats()]));
    const logsBefore = new Map([...logs].map(([name, entry]) => [name, { ...entry }]));
    const warmUpSecretCalls = secretCalls(counter.snapshot());
    counter.reset();
    Object.assign(eventSource, { receives: 0, emptyReceives: 0, deletes: 0, fifo: 0 });

    const customers = Array.from(
      { length: options.customers },
      (_, index) => `+1555011${String(index).padStart(4, '0')}`,
    );
    const started = performance.now();
    await Promise.all(customers.map((customer) => converse(stack, customer)));
    await waitUntil('every reply delivered', () =>
      customers.every((customer) =>
        repliesTo(stack, customer).every((reply) => reply.resource.status === 'delivered'),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    await settle(stack, customers);

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
    const secretsCalls = warmUpSecretCalls + secretCalls(aws);
    const turns = customers.length * CONVERSATION.length;
    return {
      turns,
      customers: customers.length,
      seconds,
      turnsPerSecond: turns / seconds,
      delivered: customers.flatMap((customer) => repliesTo(stack, customer)).length,
      functions: figures,
      aws,
      eventSourceSqs: { ...eventSource },
      secretsCallsPerEnvironment: environments === 0 ? 0 : secretsCalls / environments,
    };
  } finally {
    await stack.stop();
    await counter.close();
  }
}
