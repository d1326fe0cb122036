import {
  attemptSignal,
  attemptTimeoutMs,
  callDeadlineMs,
  MIN_USEFUL_ATTEMPT_MS,
} from '../../shared/invocation-deadline';
import { type AwsCredentials, signRequest } from './signature-v4';
import {
  type ResponseMetadata,
  type ServiceException,
  type ServiceExceptionClass,
} from './service-exception';

/** One AWS service spoken over the JSON protocol (`X-Amz-Target`, `application/x-amz-json-1.x`). */
export interface JsonService {
  /** SigV4 signing name and endpoint prefix, e.g. `dynamodb`. */
  readonly signingName: string;
  /** `AWS_ENDPOINT_URL_<suffix>` overrides the endpoint, as in the SDK, e.g. `SECRETS_MANAGER`. */
  readonly endpointEnvSuffix: string;
  /** `X-Amz-Target` prefix, e.g. `DynamoDB_20120810`. */
  readonly targetPrefix: string;
  readonly jsonVersion: '1.0' | '1.1';
  /** Error codes the service models, by name; others become `baseException` with the code as name. */
  readonly exceptions: Readonly<Record<string, ServiceExceptionClass>>;
  readonly baseException: ServiceExceptionClass;
  /** Turns wire values back into what the SDK returns (e.g. base64 blobs into bytes). */
  readonly reviver?: (key: string, value: unknown) => unknown;
  /** Fills what the SDK fills for the caller (e.g. idempotency tokens). */
  readonly prepareInput?: (operation: string, input: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * The SDK's `requestHandler` given as NodeHttpHandler options (the plain-object form SDK v3
 * accepts), the members this client honors. Times in milliseconds; `0` or absent: no timeout.
 */
export interface RequestHandlerOptions {
  /**
   * The SDK bounds the connection phase alone with it. `fetch` exposes no connection phase, so here
   * it bounds nothing by itself: `requestTimeout`, which in the SDK too runs from the start of the
   * attempt, bounds a connection that never establishes.
   */
  readonly connectionTimeout?: number;
  /** Per attempt, from its start until the whole answer is read; capped by the invocation deadline. */
  readonly requestTimeout?: number;
  /**
   * The SDK only logs a breached `requestTimeout` unless this is true; this client always enforces
   * it (the configuration in lambdas/shared/clients.ts sets it, so both behave alike).
   */
  readonly throwOnRequestTimeout?: boolean;
}

/** The subset of the SDK's client configuration the handlers use. */
export interface ClientConfig {
  readonly region?: string;
  readonly endpoint?: string;
  readonly credentials?: AwsCredentials;
  readonly maxAttempts?: number;
  readonly requestHandler?: RequestHandlerOptions;
}

export type Output = Record<string, unknown> & { $metadata: ResponseMetadata };

// The SDK's standard retry mode: 3 attempts, full-jitter exponential backoff capped at 20 s.
const DEFAULT_MAX_ATTEMPTS = 3;
const RETRY_BASE_MS = 100;
const THROTTLING_RETRY_BASE_MS = 500;
const MAX_RETRY_DELAY_MS = 20_000;
const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);
const TRANSIENT_CODES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function credentialsFromEnvironment(): AwsCredentials {
  // Lambda puts the execution role's credentials here; read per call in case the runtime rotates them.
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('No AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
  }
  const sessionToken = process.env.AWS_SESSION_TOKEN;
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/**
 * Over `fetch`: Node's undici keeps connections alive across invocations of a warm container, and
 * it is the same HTTP stack the Twilio gateway uses, loaded once, on the first request (node:https
 * would load TLS and streams at import). `timeoutMs` bounds the whole attempt, reading the answer
 * included (`Infinity`: unbounded).
 */
async function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<RawResponse> {
  // fetch sends `host` itself, with the value that was signed (url.host).
  const { host: _signedHost, ...sent } = headers;
  const signal = attemptSignal(timeoutMs);
  try {
    const response = await fetch(url, { method: 'POST', headers: sent, body, ...(signal ? { signal } : {}) });
    return { status: response.status, headers: response.headers, body: await response.text() };
  } catch (error) {
    // AbortSignal.timeout rejects with a DOMException named TimeoutError; raise it as the SDK's
    // NodeHttpHandler does (name TimeoutError, code ETIMEDOUT), which its retry strategy retries.
    if (signal?.aborted) {
      throw Object.assign(
        new Error(`Request to ${url.host} timed out after ${timeoutMs} ms`, { cause: error }),
        {
          name: 'TimeoutError',
          code: 'ETIMEDOUT',
        },
      );
    }
    throw error;
  }
}

/** fetch reports a dropped connection as `TypeError: fetch failed` with the socket error as cause. */
function networkErrorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as NodeJS.ErrnoException).code ?? '';
}

/** Uint8Array members (DynamoDB `B`, SQS `BinaryValue`) travel as base64, as the SDK sends them. */
function jsonReplacer(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A minimal AWS JSON-protocol client: SigV4 with the function's credentials, the SDK's endpoint
 * settings (`endpoint`, `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, else the regional
 * endpoint), keep-alive, the SDK's standard retries, and errors shaped like the SDK's. It exists
 * because loading the SDK's clients costs a cold start 100-200 ms (bench/README "Performance").
 */
export class JsonProtocolClient {
  private readonly region: string;
  private readonly endpoint: URL;
  private readonly maxAttempts: number;
  private readonly requestTimeoutMs: number;

  constructor(
    private readonly service: JsonService,
    private readonly config: ClientConfig = {},
  ) {
    const region = config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) throw new Error(`No region for ${service.signingName}: set AWS_REGION`);
    this.region = region;
    this.endpoint = new URL(
      config.endpoint ??
        process.env[`AWS_ENDPOINT_URL_${service.endpointEnvSuffix}`] ??
        process.env.AWS_ENDPOINT_URL ??
        `https://${service.signingName}.${region}.amazonaws.com`,
    );
    this.maxAttempts = config.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    // The SDK's default: no timeout (attemptTimeoutMs reads 0 as none).
    this.requestTimeoutMs = config.requestHandler?.requestTimeout ?? 0;
  }

  async call(operation: string, input: Record<string, unknown>): Promise<Output> {
    const prepared = this.service.prepareInput?.(operation, input) ?? input;
    const body = JSON.stringify(prepared, jsonReplacer);
    // Every attempt, and the waits between them, must end by then (Infinity outside an invocation).
    const endBy = callDeadlineMs();
    let totalRetryDelay = 0;
    for (let attempt = 1; ; attempt++) {
      let response: RawResponse;
      try {
        response = await post(
          this.endpoint,
          this.sign(operation, body),
          body,
          attemptTimeoutMs(this.requestTimeoutMs, endBy),
        );
      } catch (error) {
        const timedOut = error instanceof Error && error.name === 'TimeoutError';
        if (attempt < this.maxAttempts && (timedOut || NETWORK_ERROR_CODES.has(networkErrorCode(error)))) {
          const delay = this.retryDelay(attempt, RETRY_BASE_MS, endBy);
          if (delay !== undefined) {
            totalRetryDelay += await this.wait(delay);
            continue;
          }
        }
        if (timedOut) {
          // Shaped like a service error's `$metadata`: logs show how many attempts the call made.
          Object.assign(error, { $metadata: { attempts: attempt, totalRetryDelay } });
        }
        throw error;
      }
      const metadata: ResponseMetadata = {
        httpStatusCode: response.status,
        requestId: response.headers.get('x-amzn-requestid') ?? response.headers.get('x-amz-request-id') ?? '',
        attempts: attempt,
        totalRetryDelay,
      };
      if (response.status >= 200 && response.status < 300) {
        const parsed = (response.body ? JSON.parse(response.body, this.service.reviver) : {}) as Record<
          string,
          unknown
        >;
        return { ...parsed, $metadata: metadata };
      }
      const error = this.toException(response, metadata);
      const throttled = response.status === 429 || THROTTLING_CODES.has(error.name);
      const transient = TRANSIENT_STATUS.has(response.status) || TRANSIENT_CODES.has(error.name);
      if (attempt < this.maxAttempts && (throttled || transient)) {
        const delay = this.retryDelay(attempt, throttled ? THROTTLING_RETRY_BASE_MS : RETRY_BASE_MS, endBy);
        if (delay !== undefined) {
          totalRetryDelay += await this.wait(delay);
          continue;
        }
      }
      throw error;
    }
  }

  /** Nothing to release: connections belong to fetch's shared pool. Present for SDK parity. */
  destroy(): void {}

  private sign(operation: string, body: string): Record<string, string> {
    return signRequest({
      method: 'POST',
      url: this.endpoint,
      headers: {
        'content-type': `application/x-amz-json-${this.service.jsonVersion}`,
        'x-amz-target': `${this.service.targetPrefix}.${operation}`,
      },
      body,
      service: this.service.signingName,
      region: this.region,
      credentials: this.config.credentials ?? credentialsFromEnvironment(),
      now: new Date(),
    });
  }

  /**
   * The backoff before the next attempt, or `undefined` when that attempt could not get
   * {@link MIN_USEFUL_ATTEMPT_MS} before the call's deadline: the caller then throws the last error
   * while the handler still has time to report it.
   */
  private retryDelay(attempt: number, baseMs: number, endBy: number): number | undefined {
    const delay = Math.floor(Math.random() * Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** (attempt - 1)));
    return Date.now() + delay + MIN_USEFUL_ATTEMPT_MS <= endBy ? delay : undefined;
  }

  private async wait(delay: number): Promise<number> {
    await sleep(delay);
    return delay;
  }

  private toException(response: RawResponse, metadata: ResponseMetadata): ServiceException {
    let members: Record<string, unknown> = {};
    try {
      members = response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {};
    } catch {
      // A proxy's HTML error page: the status code is all there is.
    }
    const { __type: type, message, Message, ...rest } = members;
    // `com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException`, or the x-amzn-errortype header.
    const rawCode = String(type ?? response.headers.get('x-amzn-errortype') ?? `Http${response.status}`);
    const code = rawCode.split('#').pop()?.split(':')[0] ?? rawCode;
    const Exception = this.service.exceptions[code] ?? this.service.baseException;
    return new Exception({
      name: code,
      message: String(message ?? Message ?? code),
      $fault: response.status >= 500 ? 'server' : 'client',
      $metadata: metadata,
      members: rest,
    });
  }
}

/** Base of the SDK-shaped command objects: the operation's name and its input. */
export interface JsonCommand {
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

/** A class per operation (`new GetItemCommand(input)`), as the SDK's modular commands are used. */
export function commandClass(operation: string) {
  return class {
    readonly operation = operation;
    constructor(readonly input: Record<string, unknown>) {}
  };
}
