import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpReplyFromProxyResult, proxyEvent, RouteTable, splitUrl } from './api-gateway-event';
import { BodyTooLargeError, readBody } from './http-body';
import type { LocalFunction } from './local-function';
import { closeServer, httpOrigin } from './net';
import { allowsTenant, type LocalPrincipal, verifySigV4 } from './sigv4-verifier';

/**
 * A local API Gateway REST API with Lambda proxy integrations. It serves routes without the
 * stage prefix (`http://127.0.0.1:3000/webhooks/...`) while events carry the stage in
 * `requestContext.path`, as a custom domain mapping would. Which public URL signatures are
 * checked against is configured separately (PUBLIC_BASE_URL).
 */
export interface LocalApiRoute {
  /** An HTTP method, or ANY. */
  readonly method: string;
  /** Resource template, e.g. `/webhooks/twilio/{tenantId}/inbound`. */
  readonly path: string;
  readonly fn: LocalFunction;
  /**
   * `iam`: only requests SigV4-signed with the credentials of one of `iamPrincipals` reach the
   * function, and only if the principal's `tenants` include the path's `{tenantId}` (if it has one).
   */
  readonly authorization?: 'iam';
}

export interface LocalApiOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  readonly stage: string;
  readonly routes: readonly LocalApiRoute[];
  /** A principal IAM-authorized routes accept (the local stack's static credentials): the operator. */
  readonly iamPrincipal?: LocalPrincipal;
  /** More principals IAM-authorized routes accept, e.g. ones bound to one tenant (local/endpoints.ts). */
  readonly iamPrincipals?: readonly LocalPrincipal[];
  /** Tried before answering 403 for a request no route matches; returns true if it answered. */
  readonly fallback?: (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>;
  /** API Gateway's payload limit, default 10 MB. */
  readonly maxBodyBytes?: number;
  /** API Gateway's integration timeout, default 29 s. */
  readonly integrationTimeoutMs?: number;
}

export interface LocalApi {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const TEN_MEGABYTES = 10 * 1024 * 1024;
const INTEGRATION_TIMEOUT_MS = 29_000;

function gatewayError(
  response: ServerResponse,
  statusCode: number,
  errorType: string,
  message: string,
  requestId: string,
): void {
  gatewayReply(response, statusCode, errorType, JSON.stringify({ message }), requestId);
}

function gatewayReply(
  response: ServerResponse,
  statusCode: number,
  errorType: string,
  body: string,
  requestId: string,
): void {
  response.writeHead(statusCode, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
    'x-amzn-ErrorType': errorType,
  });
  response.end(body);
}

/** The account and API id the local proxy events carry (local/runtime/api-gateway-event.ts). */
const LOCAL_ACCOUNT_ID = '000000000000';
const LOCAL_API_ID = 'local';

/**
 * API Gateway's answer when an IAM-authorized caller is refused by the resource policy's explicit
 * Deny (lib/webhook-api.ts `OwnTenantOnly`): 403, `AccessDeniedException`, and a body whose key is
 * `Message` (capital M, unlike the `message` of its other errors). Wording as AWS documents it in
 * https://repost.aws/knowledge-center/api-gateway-403-error-lambda-authorizer ("User: anonymous is
 * not authorized to perform: execute-api:Invoke on resource: <api-resource-arn> with an explicit
 * deny"), with the caller's ARN where a signed request has one.
 */
export function invokeDeniedBody(userArn: string, resourceArn: string): string {
  return JSON.stringify({
    Message: `User: ${userArn} is not authorized to perform: execute-api:Invoke on resource: ${resourceArn} with an explicit deny`,
  });
}

/** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}{path}`, the resource IAM evaluates. */
export function executeApiArn(region: string, stage: string, method: string, path: string): string {
  return `arn:aws:execute-api:${region}:${LOCAL_ACCOUNT_ID}:${LOCAL_API_ID}/${stage}/${method}${path}`;
}

async function invokeWithin(fn: LocalFunction, event: unknown, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    return await Promise.race([fn.invoke(event), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? TEN_MEGABYTES;
  const integrationTimeoutMs = options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
  const table = new RouteTable(
    options.routes.map((route) => ({
      method: route.method.toUpperCase(),
      path: route.path,
      target: route,
    })),
  );

  const iamPrincipals = [
    ...(options.iamPrincipal ? [options.iamPrincipal] : []),
    ...(options.iamPrincipals ?? []),
  ];

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const match = table.match(method, splitUrl(url).path);
    if (match.kind === 'noRoute') {
      if (options.fallback && (await options.fallback(request, response))) return;
      request.resume();
      gatewayError(
        response,
        403,
        'MissingAuthenticationTokenException',
        'Missing Authentication Token',
        requestId,
      );
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(request, maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      gatewayError(response, 413, 'RequestTooLargeException', 'Request Too Long', requestId);
      return;
    }
    let identity: { accessKey: string; userArn: string } | undefined;
    if (match.route.target.authorization === 'iam') {
      const { path, rawQuery } = splitUrl(url);
      const verified =
        iamPrincipals.length > 0
          ? await verifySigV4({ method, path, rawQuery, rawHeaders: request.rawHeaders, body }, iamPrincipals)
          : ({
              ok: false,
              errorType: 'AccessDeniedException',
              message: 'No IAM principal configured',
            } as const);
      if (!verified.ok) {
        gatewayError(response, 403, verified.errorType, verified.message, requestId);
        return;
      }
      // Authorization after authentication, as in AWS: the resource policy binds `{tenantId}` to the
      // caller's tenant. Checked on the decoded value, the tenant the function would act for.
      const tenantId = match.pathParameters.tenantId;
      if (tenantId !== undefined && !allowsTenant(verified.tenants, tenantId)) {
        const resource = executeApiArn(verified.region, options.stage, method, path);
        gatewayReply(
          response,
          403,
          'AccessDeniedException',
          invokeDeniedBody(verified.userArn, resource),
          requestId,
        );
        return;
      }
      identity = { accessKey: verified.accessKey, userArn: verified.userArn };
    }
    const event = proxyEvent(
      {
        method,
        url,
        rawHeaders: request.rawHeaders,
        body,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      },
      {
        stage: options.stage,
        resource: match.route.path,
        pathParameters: match.pathParameters,
        requestId,
        now: new Date(),
        ...(identity ? { identity } : {}),
      },
    );
    const outcome = await invokeWithin(match.route.target.fn, event, integrationTimeoutMs);
    if (outcome === 'timeout') {
      gatewayError(response, 504, 'IntegrationTimeoutException', 'Endpoint request timed out', requestId);
      return;
    }
    const reply = outcome.error ? undefined : httpReplyFromProxyResult(outcome.result);
    if (!reply) {
      gatewayError(response, 502, 'InternalServerErrorException', 'Internal server error', requestId);
      return;
    }
    for (const [name, values] of reply.headers)
      response.setHeader(name, values.length === 1 ? (values[0] ?? '') : values);
    response.setHeader('Content-Length', reply.body.length);
    response.setHeader('x-amzn-RequestId', requestId);
    response.writeHead(reply.statusCode);
    response.end(reply.body);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) response.destroy();
      else
        gatewayError(
          response,
          500,
          'InternalServerErrorException',
          `Local API failure: ${String(error)}`,
          '',
        );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { url: httpOrigin(host, port), port, close: () => closeServer(server) };
}
