import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';

/**
 * One Lambda execution environment: a worker thread with its own `process.env`, its own module
 * graph (the bundle is imported once: the cold start) and one invocation at a time. Like Lambda,
 * an environment that timed out, crashed or failed its INIT is discarded, never reused.
 */
export interface LambdaError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stack?: string;
}

export interface InvokeOutcome {
  /** The handler's result after a JSON round trip, as Lambda returns it; undefined if none. */
  readonly result?: unknown;
  readonly error?: LambdaError;
  /** The handler's run time (INIT excluded, as in Lambda's REPORT line). */
  readonly durationMs: number;
  readonly coldStart: boolean;
  /** Only on a cold start: loading the bundle and running its top-level code. */
  readonly initDurationMs?: number;
  readonly requestId: string;
}

export interface EnvironmentConfig {
  readonly functionName: string;
  readonly bundlePath: string;
  readonly handlerExport: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  readonly invokedFunctionArn: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly enableSourceMaps: boolean;
  /** `requestId`: the invocation that wrote the line (an environment runs one at a time). */
  readonly onLog: (line: string, stream: 'stdout' | 'stderr', requestId: string | undefined) => void;
}

type WorkerReply =
  | { type: 'ready'; initDurationMs: number }
  | { type: 'initError'; error: LambdaError }
  | { type: 'result'; id: string; resultJson?: string; durationMs: number }
  | { type: 'error'; id: string; error: LambdaError; durationMs: number };

type InitOutcome = { ok: true; initDurationMs: number } | { ok: false; error: LambdaError };

type InvocationReply = Extract<WorkerReply, { id: string }> | { type: 'crash'; error: LambdaError };

interface PendingInvocation {
  readonly id: string;
  settle(reply: InvocationReply): void;
}

const WORKER_URL = new URL('./lambda-worker.mjs', import.meta.url);
/** How long a worker told to crash may take to flush its output before it is terminated. */
const KILL_GRACE_MS = 2_000;
/** Lambda's fixed version for unpublished code. */
export const FUNCTION_VERSION = '$LATEST';

function traceHeader(): string {
  const epochHex = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epochHex}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}

function timeoutMessage(timeoutSeconds: number): string {
  return `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

function crashError(error: Error & { code?: string }): LambdaError {
  if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return { errorType: 'Runtime.OutOfMemory', errorMessage: 'Runtime exited with error: out of memory' };
  }
  return {
    errorType: error.name || 'Error',
    errorMessage: error.message,
    ...(error.stack ? { stack: error.stack } : {}),
  };
}

export class ExecutionEnvironment {
  private readonly worker: Worker;
  private readonly init: Promise<InitOutcome>;
  private pending: PendingInvocation | undefined;
  /** The invocation whose lines the worker is writing (set when its run starts). */
  private runningRequestId: string | undefined;
  private invocations = 0;
  private exited = false;
  /** Set when crash injection killed the worker, so its exit reads like Lambda's for a killed runtime. */
  private killed = false;

  constructor(private readonly config: EnvironmentConfig) {
    this.worker = new Worker(WORKER_URL, {
      workerData: {
        bundlePath: config.bundlePath,
        handlerExport: config.handlerExport,
        enableSourceMaps: config.enableSourceMaps,
      },
      env: { ...config.env },
      // The parent's loaders (tsx, vitest) and flags are not part of a Lambda environment.
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: config.memorySizeMb },
    });
    this.captureLines(this.worker.stdout, 'stdout');
    this.captureLines(this.worker.stderr, 'stderr');
    // An idle environment must not keep the process alive; invoke() refs it while it works.
    this.worker.unref();

    this.init = new Promise<InitOutcome>((resolve) => {
      let initialized = false;
      const finishInit = (outcome: InitOutcome) => {
        if (initialized) return;
        initialized = true;
        resolve(outcome);
      };
      this.worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') finishInit({ ok: true, initDurationMs: reply.initDurationMs });
        else if (reply.type === 'initError') finishInit({ ok: false, error: reply.error });
        else if (this.pending?.id === reply.id) this.pending.settle(reply);
      });
      this.worker.on('error', (error) => {
        const lambdaError = crashError(error);
        finishInit({ ok: false, error: lambdaError });
        this.pending?.settle({ type: 'crash', error: lambdaError });
      });
      this.worker.on('exit', (code) => {
        this.exited = true;
        const error = {
          errorType: 'Runtime.ExitError',
          errorMessage: this.killed
            ? 'Runtime exited with error: signal: killed'
            : `Runtime exited with error: exit status ${code}`,
        };
        finishInit({ ok: false, error });
        this.pending?.settle({ type: 'crash', error });
      });
    });
  }

  /** False once the environment timed out, crashed or was closed: it must not be used again. */
  get usable(): boolean {
    return !this.exited;
  }

  /**
   * `crashAfterMs`: kill the environment that long into the handler's run (crash injection).
   * `deadlineMs`: time out by then at the latest, INIT included (the function's timeout otherwise).
   */
  async invoke(
    eventJson: string,
    requestId: string,
    crashAfterMs?: number,
    deadlineMs?: number,
  ): Promise<InvokeOutcome> {
    const coldStart = this.invocations === 0;
    this.invocations++;
    this.worker.ref();
    const timeoutMs = () =>
      Math.max(
        0,
        Math.min(this.config.timeoutSeconds * 1000, (deadlineMs ?? Number.POSITIVE_INFINITY) - Date.now()),
      );
    try {
      const init = await this.awaitInit(requestId, timeoutMs());
      if (!init.ok) {
        await this.terminate();
        return { error: init.error, durationMs: 0, coldStart, requestId };
      }
      const outcome = await this.run(eventJson, requestId, crashAfterMs, timeoutMs());
      return {
        ...outcome,
        coldStart,
        requestId,
        ...(coldStart ? { initDurationMs: init.initDurationMs } : {}),
      };
    } finally {
      if (this.usable) this.worker.unref();
    }
  }

  /**
   * Crash injection: the worker exits as soon as its log lines are flushed (a killed Lambda
   * runtime keeps what it wrote) and is never reused. A worker too busy to hear it is terminated.
   */
  private kill(): void {
    this.killed = true;
    this.exited = true;
    this.worker.postMessage({ type: 'crash' });
    setTimeout(() => void this.worker.terminate(), KILL_GRACE_MS).unref();
  }

  async terminate(): Promise<void> {
    this.exited = true;
    await this.worker.terminate();
  }

  /** Lambda gives INIT its own budget; here it is the function's timeout (or what the deadline leaves). */
  private async awaitInit(requestId: string, timeoutMs: number): Promise<InitOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<InitOutcome>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            ok: false,
            error: {
              errorType: 'Sandbox.Timedout',
              errorMessage: `${requestId} INIT ${timeoutMessage(timeoutMs / 1000)}`,
            },
          }),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.init, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private run(
    eventJson: string,
    requestId: string,
    crashAfterMs: number | undefined,
    timeoutMs: number,
  ): Promise<Pick<InvokeOutcome, 'result' | 'error' | 'durationMs'>> {
    const started = performance.now();
    // The worker flushes its output before it answers, and a killed environment is never reused,
    // so every line until the next run is this invocation's.
    this.runningRequestId = requestId;
    return new Promise((resolve) => {
      // Killed at an arbitrary point of the handler's run: the exit handler settles the invocation
      // with Runtime.ExitError, whatever the handler had or had not done by then.
      const crashTimer = crashAfterMs === undefined ? undefined : setTimeout(() => this.kill(), crashAfterMs);
      const timer = setTimeout(() => {
        this.pending = undefined;
        // Like Lambda, a timed-out environment is thrown away with whatever it was doing; the
        // lines it wrote are kept.
        this.kill();
        resolve({
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `${requestId} ${timeoutMessage(timeoutMs / 1000)}`,
          },
          durationMs: performance.now() - started,
        });
      }, timeoutMs);
      this.pending = {
        id: requestId,
        settle: (reply) => {
          clearTimeout(timer);
          clearTimeout(crashTimer);
          this.pending = undefined;
          if (reply.type === 'result') {
            resolve({
              ...(reply.resultJson !== undefined ? { result: JSON.parse(reply.resultJson) } : {}),
              durationMs: reply.durationMs,
            });
          } else if (reply.type === 'error') {
            resolve({ error: reply.error, durationMs: reply.durationMs });
          } else {
            void this.terminate();
            resolve({ error: reply.error, durationMs: performance.now() - started });
          }
        },
      };
      this.worker.postMessage({
        type: 'invoke',
        id: requestId,
        eventJson,
        context: {
          functionName: this.config.functionName,
          functionVersion: FUNCTION_VERSION,
          invokedFunctionArn: this.config.invokedFunctionArn,
          memoryLimitInMB: this.config.memorySizeMb,
          awsRequestId: requestId,
          logGroupName: this.config.logGroupName,
          logStreamName: this.config.logStreamName,
          deadlineMs: Date.now() + timeoutMs,
          traceId: traceHeader(),
        },
      });
    });
  }

  /** Whole lines only: EMF records and Powertools' JSON logs are parsed downstream. */
  private captureLines(stream: Readable, name: 'stdout' | 'stderr'): void {
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
      this.config.onLog(line, name, this.runningRequestId),
    );
  }
}
