import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { StandardRetryStrategy } from '@smithy/core/retry';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions, RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from '@smithy/types';
import { attemptTimeoutMs, callDeadlineMs, MIN_USEFUL_ATTEMPT_MS } from './invocation-deadline';
import { tracer } from './observability';

/**
 * The AWS SDK v3 clients the functions use (the DynamoDB document client: ./document-client.ts),
 * configured the way the SDK's documentation allows for Lambda, in one place:
 *
 * - region: `AWS_REGION` (Lambda always sets it; unset, the SDK resolves it as usual);
 * - credentials: the environment (`fromEnv`, the execution role's keys Lambda puts there; the local
 *   stack and the tests set them there too). The Lambda bundles replace the SDK's default chain by
 *   this same provider (lib/bundling.ts), so that its SSO, INI, process, web-identity, container
 *   and instance-metadata links (~135 KB with their nested STS/SSO clients) are not bundled;
 * - endpoints: only the SDK's standard settings (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SQS`,
 *   `AWS_ENDPOINT_URL_SECRETS_MANAGER`, as the local stack sets them; FIPS and dual-stack settings
 *   too): nothing here names an endpoint;
 * - one `NodeHttpHandler` per container for every client (one keep-alive connection pool), with
 *   the timeouts below, each attempt also capped by the invocation's deadline
 *   ({@link DeadlineHttpHandler});
 * - the SDK's standard retries, stopped when the next attempt could not be useful before the
 *   invocation's deadline ({@link DeadlineRetryStrategy});
 * - X-Ray: each client goes through Powertools Tracer's `captureAWSv3Client`, so that every call is
 *   a subsegment (a no-op when tracing is off, as in the local stack: POWERTOOLS_TRACE_ENABLED).
 *
 * The numbers:
 * - requestTimeout 3 s per attempt: in-region DynamoDB item operations and SQS sends answer in
 *   ~10 ms, Secrets Manager's GetSecretValue in ~50 ms, a 1 MB Query page or a transaction well
 *   under 1 s; an attempt still unanswered after 3 s is stalled, not slow. Within an invocation
 *   each attempt is cut to end before the deadline's safety margin (lambdas/shared/invocation-deadline.ts).
 * - connectionTimeout 1 s: a TCP + TLS handshake in-region takes tens of milliseconds; one not
 *   done in 1 s is a dead path, better retried on a new connection.
 * - throwOnRequestTimeout: the SDK's NodeHttpHandler only logs a breached requestTimeout without it.
 * - maxAttempts 3 (the SDK's standard mode): three stalled attempts and their backoff (< 0.2 s)
 *   take 9 s, which the shortest functions (10 s: ingest, conversations-api, 8.5 s before the
 *   safety margin) do not have; the deadline, not the count, ends the third there.
 *
 * Not for SQS long polling (ReceiveMessage with WaitTimeSeconds > 2 answers after up to 20 s): the
 * functions never poll (Lambda's event source mapping does), a CLI that does needs its own timeout.
 */
export const AWS_CLIENT_TIMEOUTS = {
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 3_000,
  maxAttempts: 3,
} as const;

/** What a test may change of {@link AWS_CLIENT_TIMEOUTS} (a client with its own request handler). */
export type AwsClientTimeouts = { -readonly [K in keyof typeof AWS_CLIENT_TIMEOUTS]?: number };

/**
 * An attempt cut short by its timeout: named and coded as the SDK's NodeHttpHandler names a breached
 * requestTimeout, which the SDK's standard retry strategy classifies as transient (retried).
 */
function attemptTimeoutError(timeoutMs: number, cause?: unknown): Error {
  const message =
    timeoutMs > 0
      ? `The request was abandoned after ${timeoutMs} ms (request timeout or invocation deadline)`
      : 'The request was not sent: the invocation deadline has passed';
  return Object.assign(new Error(message, { cause }), { name: 'TimeoutError', code: 'ETIMEDOUT' });
}

type HttpRequestOf<H extends { handle: (...args: never[]) => unknown }> = Parameters<H['handle']>[0];

/**
 * The SDK's NodeHttpHandler with each attempt bounded by the configured requestTimeout and by the
 * invocation's deadline, whichever comes first (lambdas/shared/invocation-deadline.ts), reading
 * the answer included: the attempt's `requestTimeout` (until the answer's headers) and an abort
 * signal (until its body is read) are both set to that time. An attempt cut short throws a
 * `TimeoutError` (code `ETIMEDOUT`), which the retry strategy retries while time remains.
 */
export class DeadlineHttpHandler extends NodeHttpHandler {
  private readonly requestTimeoutMs: number;

  constructor(options: { connectionTimeout: number; requestTimeout: number }) {
    super({ ...options, throwOnRequestTimeout: true });
    this.requestTimeoutMs = options.requestTimeout;
  }

  override async handle(
    request: HttpRequestOf<NodeHttpHandler>,
    options: HttpHandlerOptions = {},
  ): ReturnType<NodeHttpHandler['handle']> {
    const timeoutMs = attemptTimeoutMs(this.requestTimeoutMs);
    if (!Number.isFinite(timeoutMs)) return super.handle(request, options);
    if (timeoutMs <= 0) throw attemptTimeoutError(0);
    const timer = AbortSignal.timeout(timeoutMs);
    const caller = options.abortSignal as AbortSignal | undefined;
    try {
      return await super.handle(request, {
        ...options,
        abortSignal: caller ? AbortSignal.any([caller, timer]) : timer,
        requestTimeout: timeoutMs,
      });
    } catch (error) {
      if (timer.aborted && !caller?.aborted) throw attemptTimeoutError(timeoutMs, error);
      throw error;
    }
  }
}

/**
 * The SDK's standard retry strategy (which errors, how many attempts, backoff, retry quota), and
 * one more rule: no attempt starts unless it can have {@link MIN_USEFUL_ATTEMPT_MS} before the
 * call's deadline, fixed when the call starts (`callDeadlineMs`). Refused, the SDK throws the last
 * attempt's error (its `$metadata.attempts` says how many were made) while the handler still has its
 * safety margin to report the record. A backoff that would end too late is abandoned, not waited
 * out (the standard strategy sleeps inside `refreshRetryTokenForRetry`).
 */
export class DeadlineRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'standard';
  private readonly endBy = new WeakMap<StandardRetryToken, number>();
  private readonly standard: StandardRetryStrategy;

  constructor(maxAttempts: number) {
    this.standard = new StandardRetryStrategy({ maxAttempts });
  }

  async acquireInitialRetryToken(scope: string): Promise<StandardRetryToken> {
    const token = await this.standard.acquireInitialRetryToken(scope);
    this.endBy.set(token, callDeadlineMs());
    return token;
  }

  async refreshRetryTokenForRetry(
    token: StandardRetryToken,
    errorInfo: RetryErrorInfo,
  ): Promise<StandardRetryToken> {
    const endBy = this.endBy.get(token) ?? Infinity;
    // The latest moment the next attempt may start.
    const startBy = endBy - MIN_USEFUL_ATTEMPT_MS;
    if (Date.now() > startBy) throw new Error('No time left before the invocation deadline for a retry');
    const next = await beforeTime(this.standard.refreshRetryTokenForRetry(token, errorInfo), startBy);
    this.endBy.set(next, endBy);
    return next;
  }

  recordSuccess(token: StandardRetryToken): void {
    this.standard.recordSuccess(token);
  }
}

/** `promise`, or a rejection if it has not settled by `epochMs` (`Infinity`: no limit). */
function beforeTime<T>(promise: Promise<T>, epochMs: number): Promise<T> {
  if (!Number.isFinite(epochMs)) return promise;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error('The retry backoff would end too late before the invocation deadline')),
      Math.max(0, epochMs - Date.now()),
    );
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

let sharedHandler: DeadlineHttpHandler | undefined;

/** The container's request handler (its keep-alive pool), or a handler of a test's own timeouts. */
function requestHandler(timeouts: AwsClientTimeouts | undefined): DeadlineHttpHandler {
  const connectionTimeout = timeouts?.connectionTimeoutMs ?? AWS_CLIENT_TIMEOUTS.connectionTimeoutMs;
  const requestTimeout = timeouts?.requestTimeoutMs ?? AWS_CLIENT_TIMEOUTS.requestTimeoutMs;
  if (timeouts?.connectionTimeoutMs !== undefined || timeouts?.requestTimeoutMs !== undefined) {
    return new DeadlineHttpHandler({ connectionTimeout, requestTimeout });
  }
  sharedHandler ??= new DeadlineHttpHandler({ connectionTimeout, requestTimeout });
  return sharedHandler;
}

/**
 * Configuration every client gets. Clients are never destroyed in the functions: destroying one
 * would close the pool the others share.
 */
export function awsClientConfig(timeouts?: AwsClientTimeouts) {
  const maxAttempts = timeouts?.maxAttempts ?? AWS_CLIENT_TIMEOUTS.maxAttempts;
  return {
    region: process.env.AWS_REGION,
    credentials: fromEnv(),
    requestHandler: requestHandler(timeouts),
    maxAttempts,
    retryMode: 'standard',
    retryStrategy: new DeadlineRetryStrategy(maxAttempts),
  };
}

/**
 * Sends to the endpoint the SDK resolves (AWS_ENDPOINT_URL_SQS when set) rather than to the
 * queue URL's host: identical in AWS, and required for emulators whose queue URLs name hosts
 * that do not resolve.
 */
export function sqsClient(timeouts?: AwsClientTimeouts): SQSClient {
  return tracer.captureAWSv3Client(
    new SQSClient({ ...awsClientConfig(timeouts), useQueueUrlAsEndpoint: false }),
  );
}

/** Bundled only by the functions that call it (the SDK's packages are free of side effects). */
export function secretsManagerClient(timeouts?: AwsClientTimeouts): SecretsManagerClient {
  return tracer.captureAWSv3Client(new SecretsManagerClient(awsClientConfig(timeouts)));
}
