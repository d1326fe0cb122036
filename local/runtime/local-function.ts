import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import type { CrashPolicy } from './crash-policy';
import {
  type EnvironmentConfig,
  ExecutionEnvironment,
  FUNCTION_VERSION,
  type InvokeOutcome,
  type LambdaError,
} from './execution-environment';

export type { InvokeOutcome, LambdaError } from './execution-environment';

/**
 * A Lambda function on this machine: up to `concurrency` execution environments (worker
 * threads), each cold-started on first use, reused while healthy, discarded after a timeout or
 * crash. Where Lambda would throttle beyond its concurrency, invocations wait for a free
 * environment instead.
 */
export interface LocalFunctionOptions {
  readonly name: string;
  /** An ESM bundle (`.mjs`) from bundle.ts. */
  readonly bundlePath: string;
  /** Default `handler`. */
  readonly handlerExport?: string;
  /** The function's configured environment; it wins over everything below. */
  readonly environment?: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  /** Concurrent execution environments, default 1. */
  readonly concurrency?: number;
  /**
   * Variables copied from this process's environment when set there, e.g. `AWS_ACCESS_KEY_ID`;
   * a trailing `*` matches a prefix (`AWS_ENDPOINT_URL_*`). Nothing is inherited implicitly.
   */
  readonly inheritEnv?: readonly string[];
  /** Default: `AWS_REGION` of `environment`, else us-east-1. */
  readonly region?: string;
  /**
   * Every whole line the function writes to stdout/stderr, with the invocation that wrote it;
   * default: echoed to this process's streams.
   */
  readonly onLog?: (line: string, stream: 'stdout' | 'stderr', requestId: string | undefined) => void;
  /**
   * An invocation killed part-way (crashed or timed out): what it wrote stays written, and its
   * records come back, so a metric it printed before its closing write may be printed again.
   */
  readonly onKilled?: (requestId: string) => void;
  /** Crash injection (chaos testing): which invocations are killed part-way, and when. Default none. */
  readonly crashes?: CrashPolicy;
}

export interface LocalFunctionStats {
  readonly invocations: number;
  readonly coldStarts: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Invocations killed by crash injection before they finished. */
  readonly injectedCrashes: number;
  /** Sum of the handlers' run times, each rounded up to 1 ms as Lambda bills them (INIT excluded). */
  readonly billedMs: number;
  /** Environments alive now. */
  readonly environments: number;
}

/** What a local stack usually hands its functions from its own environment (for `inheritEnv`). */
export const LOCAL_AWS_CLIENT_ENV: readonly string[] = [
  'AWS_ENDPOINT_URL_*',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'NODE_OPTIONS',
];

const LOCAL_ACCOUNT_ID = '000000000000';
const DEFAULT_REGION = 'us-east-1';
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
/** Errors of an environment that died mid-run (crash injection, a timeout), not of the handler. */
const KILLED: ReadonlySet<string> = new Set(['Runtime.ExitError', 'Sandbox.Timedout']);

/** The variables Lambda's inheritance patterns pick from `source`. */
export function inheritedEnvironment(
  patterns: readonly string[],
  source: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const wanted = patterns.some((pattern) =>
      pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern,
    );
    if (wanted) picked[name] = value;
  }
  return picked;
}

/** Lambda's log stream naming: `YYYY/MM/DD/[$LATEST]<32 hex>`, one per environment. */
function logStreamName(): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[${FUNCTION_VERSION}]${randomBytes(16).toString('hex')}`;
}

function echoLog(line: string, stream: 'stdout' | 'stderr'): void {
  (stream === 'stdout' ? process.stdout : process.stderr).write(`${line}\n`);
}

export class LocalFunction {
  readonly name: string;
  /** Execution environments that may run at once. */
  readonly concurrency: number;
  private readonly region: string;
  private readonly baseEnv: Record<string, string>;
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly all = new Set<ExecutionEnvironment>();
  /** Callers waiting for an environment, first come first served. */
  private readonly waiting: ((environment: ExecutionEnvironment | Error) => void)[] = [];
  private closed = false;
  private readonly counters = {
    invocations: 0,
    coldStarts: 0,
    errors: 0,
    timeouts: 0,
    injectedCrashes: 0,
    billedMs: 0,
  };

  constructor(private readonly options: LocalFunctionOptions) {
    if (options.timeoutSeconds <= 0) throw new Error(`${options.name}: timeoutSeconds must be positive`);
    this.name = options.name;
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    this.region = options.region ?? options.environment?.AWS_REGION ?? DEFAULT_REGION;
    const handlerModule = path.basename(options.bundlePath).replace(/\.[cm]?js$/, '');
    this.baseEnv = {
      ...inheritedEnvironment(options.inheritEnv ?? []),
      AWS_REGION: this.region,
      AWS_DEFAULT_REGION: this.region,
      AWS_LAMBDA_FUNCTION_NAME: options.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memorySizeMb),
      AWS_LAMBDA_FUNCTION_VERSION: FUNCTION_VERSION,
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${options.name}`,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: path.dirname(options.bundlePath),
      _HANDLER: `${handlerModule}.${options.handlerExport ?? 'handler'}`,
      // Lambda runs Node 22; on an older local Node the SDK's upgrade notice is noise in every log.
      ...(NODE_MAJOR < 22 ? { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } : {}),
      ...options.environment,
    };
  }

  /**
   * `deadlineMs`: the invocation (INIT included) ends by then at the latest, timed out, however
   * long its timeout (an SQS event source's records' visibility: sqs-event-source.ts).
   */
  async invoke(event: unknown, options: { deadlineMs?: number } = {}): Promise<InvokeOutcome> {
    const environment = await this.acquire();
    const requestId = randomUUID();
    const crashAfterMs = this.options.crashes?.crashDelayMs();
    try {
      const outcome = await environment.invoke(
        JSON.stringify(event) ?? 'null',
        requestId,
        crashAfterMs,
        options.deadlineMs,
      );
      this.count(outcome);
      // Planned crashes of invocations that finished first did not happen.
      if (crashAfterMs !== undefined && outcome.error?.errorType === 'Runtime.ExitError') {
        this.counters.injectedCrashes++;
      }
      if (outcome.error && KILLED.has(outcome.error.errorType)) this.options.onKilled?.(requestId);
      if (outcome.error) this.logInvokeError(requestId, outcome.error);
      return outcome;
    } finally {
      this.release(environment);
    }
  }

  stats(): LocalFunctionStats {
    return { ...this.counters, environments: this.all.size };
  }

  /** Terminates every environment; invocations in flight end with an error, waiting ones are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter(new Error(`Function ${this.name} is closed`));
    const environments = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(environments.map((environment) => environment.terminate()));
  }

  /** Lambda's runtime logs a failed invocation in the function's log; so does this one. */
  private logInvokeError(requestId: string, error: LambdaError): void {
    const line = JSON.stringify({
      timestamp: new Date().toISOString(),
      level: 'ERROR',
      requestId,
      message: 'Invoke Error',
      errorType: error.errorType,
      errorMessage: error.errorMessage,
      stackTrace: error.stack?.split('\n') ?? [],
    });
    (this.options.onLog ?? echoLog)(line, 'stderr', requestId);
  }

  private count(outcome: InvokeOutcome): void {
    this.counters.invocations++;
    this.counters.billedMs += Math.ceil(outcome.durationMs);
    if (outcome.coldStart) this.counters.coldStarts++;
    if (outcome.error) this.counters.errors++;
    if (outcome.error?.errorType === 'Sandbox.Timedout') this.counters.timeouts++;
  }

  private async acquire(): Promise<ExecutionEnvironment> {
    if (this.closed) throw new Error(`Function ${this.name} is closed`);
    const warm = this.idle.pop();
    if (warm) return warm;
    if (this.all.size < this.concurrency) return this.createEnvironment();
    const handedOver = await new Promise<ExecutionEnvironment | Error>((resolve) =>
      this.waiting.push(resolve),
    );
    if (handedOver instanceof Error) throw handedOver;
    return handedOver;
  }

  /** Hands a healthy environment to the next waiter; replaces a discarded one for it. */
  private release(environment: ExecutionEnvironment): void {
    if (this.closed) return;
    if (!environment.usable) this.all.delete(environment);
    const next = this.waiting.shift();
    if (environment.usable) {
      if (next) next(environment);
      else this.idle.push(environment);
    } else if (next) {
      next(this.createEnvironment());
    }
  }

  private createEnvironment(): ExecutionEnvironment {
    const { options } = this;
    const stream = logStreamName();
    const config: EnvironmentConfig = {
      functionName: options.name,
      bundlePath: options.bundlePath,
      handlerExport: options.handlerExport ?? 'handler',
      env: { ...this.baseEnv, AWS_LAMBDA_LOG_STREAM_NAME: stream },
      timeoutSeconds: options.timeoutSeconds,
      memorySizeMb: options.memorySizeMb,
      invokedFunctionArn: `arn:aws:lambda:${this.region}:${LOCAL_ACCOUNT_ID}:function:${options.name}`,
      logGroupName: `/aws/lambda/${options.name}`,
      logStreamName: stream,
      // Workers ignore NODE_OPTIONS; this is the one flag of it that matters for stack traces.
      enableSourceMaps: /--enable-source-maps\b/.test(this.baseEnv.NODE_OPTIONS ?? ''),
      onLog: options.onLog ?? echoLog,
    };
    const environment = new ExecutionEnvironment(config);
    this.all.add(environment);
    return environment;
  }
}
