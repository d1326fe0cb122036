import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalFunction, type LocalFunctionOptions } from '../../../local/runtime/local-function';
import { FixtureBundles } from './fixture-bundles';

let fixtures: FixtureBundles;
let behaviors: string;
const opened: LocalFunction[] = [];

beforeAll(async () => {
  fixtures = await FixtureBundles.create();
  behaviors = await fixtures.bundle('behaviors');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((fn) => fn.close()));
});

afterAll(async () => {
  await fixtures?.remove();
});

function localFunction(options: Partial<LocalFunctionOptions> = {}): LocalFunction {
  const fn = new LocalFunction({
    name: 'behaviors',
    bundlePath: behaviors,
    handlerExport: 'handler',
    timeoutSeconds: 5,
    memorySizeMb: 128,
    onLog: () => undefined,
    ...options,
  });
  opened.push(fn);
  return fn;
}

interface Described {
  env: Record<string, string | null>;
  invocationsInThisEnvironment: number;
  context: Record<string, unknown>;
}

async function describeEnv(fn: LocalFunction, envNames: string[]): Promise<Described> {
  const outcome = await fn.invoke({ action: 'describe', envNames });
  expect(outcome.error).toBeUndefined();
  return outcome.result as Described;
}

describe('LocalFunction', () => {
  it('gives each function its own environment and Lambda’s variables, inheriting only what it is told', async () => {
    process.env.LOCAL_FUNCTION_TEST_PARENT = 'parent-only';
    process.env.LOCAL_FUNCTION_TEST_ENDPOINT_A = 'http://127.0.0.1:1';
    try {
      const names = [
        'SHARED_NAME',
        'LOCAL_FUNCTION_TEST_PARENT',
        'LOCAL_FUNCTION_TEST_ENDPOINT_A',
        'AWS_REGION',
        'AWS_LAMBDA_FUNCTION_NAME',
        'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
        'AWS_LAMBDA_FUNCTION_VERSION',
        'AWS_LAMBDA_LOG_GROUP_NAME',
      ];
      const ingest = localFunction({
        name: 'ingest',
        memorySizeMb: 256,
        environment: { SHARED_NAME: 'ingest', AWS_REGION: 'eu-west-1' },
        inheritEnv: ['LOCAL_FUNCTION_TEST_ENDPOINT_*'],
      });
      const sender = localFunction({ name: 'sender', environment: { SHARED_NAME: 'sender' } });
      const [a, b] = await Promise.all([describeEnv(ingest, names), describeEnv(sender, names)]);
      expect(a.env).toEqual({
        SHARED_NAME: 'ingest',
        LOCAL_FUNCTION_TEST_PARENT: null,
        LOCAL_FUNCTION_TEST_ENDPOINT_A: 'http://127.0.0.1:1',
        AWS_REGION: 'eu-west-1',
        AWS_LAMBDA_FUNCTION_NAME: 'ingest',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/ingest',
      });
      expect(b.env.SHARED_NAME).toBe('sender');
      expect(b.env.LOCAL_FUNCTION_TEST_ENDPOINT_A).toBeNull();
      expect(b.env.AWS_REGION).toBe('us-east-1');
      expect(process.env.SHARED_NAME).toBeUndefined();
    } finally {
      delete process.env.LOCAL_FUNCTION_TEST_PARENT;
      delete process.env.LOCAL_FUNCTION_TEST_ENDPOINT_A;
    }
  });

  it('passes a Lambda-like context', async () => {
    const { context } = await describeEnv(localFunction({ name: 'ctx', timeoutSeconds: 3 }), []);
    expect(context).toMatchObject({
      functionName: 'ctx',
      functionVersion: '$LATEST',
      memoryLimitInMB: '128',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ctx',
      logGroupName: '/aws/lambda/ctx',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(context.awsRequestId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(context.remainingTimeInMillis).toBeGreaterThan(2_000);
    expect(context.remainingTimeInMillis).toBeLessThanOrEqual(3_000);
  });

  it('cold-starts once per environment and keeps module state between warm invocations', async () => {
    const fn = localFunction();
    const first = await fn.invoke({ action: 'describe', envNames: [] });
    const second = await fn.invoke({ action: 'describe', envNames: [] });
    expect(first.coldStart).toBe(true);
    expect(first.initDurationMs).toBeGreaterThan(0);
    expect(second.coldStart).toBe(false);
    expect(second.initDurationMs).toBeUndefined();
    expect((second.result as Described).invocationsInThisEnvironment).toBe(2);
    expect(second.requestId).not.toBe(first.requestId);
  });

  it('returns results after a JSON round trip, as Lambda does', async () => {
    const outcome = await localFunction().invoke({
      action: 'echo',
      value: { when: '2026-01-01', n: 1, nested: [true] },
    });
    expect(outcome.result).toEqual({ when: '2026-01-01', n: 1, nested: [true] });
  });

  it('reports a thrown error as errorType/errorMessage/stack and logs it like the runtime', async () => {
    const lines: string[] = [];
    const fn = localFunction({ onLog: (line) => lines.push(line) });
    const outcome = await fn.invoke({ action: 'throw', message: 'order 123456 not found' });
    expect(outcome.result).toBeUndefined();
    expect(outcome.error).toMatchObject({
      errorType: 'OrderLookupError',
      errorMessage: 'order 123456 not found',
    });
    expect(outcome.error?.stack).toContain('OrderLookupError: order 123456 not found');
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'Invoke Error', errorType: 'OrderLookupError' }),
    );
    // The environment survives a handler error.
    expect((await fn.invoke({ action: 'echo', value: 1 })).coldStart).toBe(false);
  });

  it('terminates a timed-out environment, so the next invocation cold-starts', async () => {
    const fn = localFunction({ timeoutSeconds: 1 });
    await fn.invoke({ action: 'echo', value: 'warm up' });
    const started = Date.now();
    const timedOut = await fn.invoke({ action: 'sleep', ms: 10_000 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(timedOut.error?.errorType).toBe('Sandbox.Timedout');
    expect(timedOut.error?.errorMessage).toMatch(/Task timed out after 1\.00 seconds$/);
    const next = await fn.invoke({ action: 'echo', value: 'again' });
    expect(next).toMatchObject({ result: 'again', coldStart: true });
    expect(fn.stats()).toMatchObject({ invocations: 3, coldStarts: 2, timeouts: 1, environments: 1 });
  });

  it('treats process.exit as a runtime exit and replaces the environment', async () => {
    const fn = localFunction();
    const exited = await fn.invoke({ action: 'exit', code: 3 });
    expect(exited.error).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: 'Runtime exited with error: exit status 3',
    });
    expect((await fn.invoke({ action: 'echo', value: 1 })).coldStart).toBe(true);
  });

  it('reports an uncaught exception from a callback and replaces the crashed environment', async () => {
    const fn = localFunction();
    const crashed = await fn.invoke({ action: 'crash', message: 'late failure' });
    expect(crashed.error).toMatchObject({ errorType: 'TypeError', errorMessage: 'late failure' });
    expect((await fn.invoke({ action: 'echo', value: 1 })).coldStart).toBe(true);
  });

  it('delivers every log line whole, stdout and stderr, before the invocation resolves', async () => {
    const lines: { line: string; stream: string }[] = [];
    const fn = localFunction({ onLog: (line, stream) => lines.push({ line, stream }) });
    await fn.invoke({ action: 'log', lines: 500 });
    const stdout = lines.filter((entry) => entry.stream === 'stdout').map((entry) => JSON.parse(entry.line));
    expect(stdout).toHaveLength(500);
    expect(stdout.map((record: { i: number }) => record.i)).toEqual([...Array(500).keys()]);
    expect(lines.filter((entry) => entry.stream === 'stderr').map((entry) => entry.line)).toEqual([
      'to stderr',
    ]);
  });

  it('runs up to `concurrency` environments at once and queues the rest', async () => {
    const fn = localFunction({ concurrency: 2 });
    const started = Date.now();
    const outcomes = await Promise.all([1, 2, 3].map(() => fn.invoke({ action: 'sleep', ms: 300 })));
    const elapsed = Date.now() - started;
    expect(outcomes.filter((outcome) => outcome.coldStart)).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(600);
    expect(elapsed).toBeLessThan(1_500);
    expect(fn.stats().environments).toBe(2);
  });

  it('reports a missing handler export as Runtime.HandlerNotFound', async () => {
    const outcome = await localFunction({ handlerExport: 'nope' }).invoke({});
    expect(outcome.error?.errorType).toBe('Runtime.HandlerNotFound');
  });

  it('reports a missing bundle as Runtime.ImportModuleError', async () => {
    const outcome = await localFunction({ bundlePath: `${behaviors}.missing.mjs` }).invoke({});
    expect(outcome.error?.errorType).toBe('Runtime.ImportModuleError');
  });

  it('refuses invocations after close', async () => {
    const fn = localFunction();
    await fn.invoke({ action: 'echo', value: 1 });
    await fn.close();
    await expect(fn.invoke({ action: 'echo', value: 1 })).rejects.toThrow('Function behaviors is closed');
    expect(fn.stats().environments).toBe(0);
  });
});
