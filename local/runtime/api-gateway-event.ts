import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * API Gateway REST (v1) Lambda proxy integration, as data: matching resource templates, the
 * event a request becomes, and how the function's result becomes the HTTP response.
 */

export interface RouteTemplate<Target> {
  readonly method: string;
  /** e.g. `/webhooks/twilio/{tenantId}/inbound`; `{name+}` is greedy. */
  readonly path: string;
  readonly target: Target;
}

interface CompiledRoute<Target> extends RouteTemplate<Target> {
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
  /** API Gateway prefers literal segments over `{param}` over `{param+}`, left to right. */
  readonly rank: readonly number[];
}

export type RouteMatch<Target> =
  | {
      readonly kind: 'matched';
      readonly route: RouteTemplate<Target>;
      readonly pathParameters: Record<string, string>;
    }
  | { readonly kind: 'noRoute' };

const LITERAL = 0;
const PARAMETER = 1;
const GREEDY = 2;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compile<Target>(route: RouteTemplate<Target>): CompiledRoute<Target> {
  const parameterNames: string[] = [];
  const rank: number[] = [];
  const source = route.path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      const parameter = /^\{([A-Za-z0-9_.-]+)(\+?)\}$/.exec(segment);
      if (!parameter) {
        rank.push(LITERAL);
        return `/${escapeRegExp(segment)}`;
      }
      parameterNames.push(parameter[1] ?? '');
      const greedy = parameter[2] === '+';
      rank.push(greedy ? GREEDY : PARAMETER);
      return greedy ? '/(.+)' : '/([^/]+)';
    })
    .join('');
  return { ...route, pattern: new RegExp(`^${source || '/'}$`), parameterNames, rank };
}

function compareRank(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? -1) - (b[i] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export class RouteTable<Target> {
  private readonly routes: readonly CompiledRoute<Target>[];

  constructor(routes: readonly RouteTemplate<Target>[]) {
    this.routes = routes.map(compile).sort((a, b) => compareRank(a.rank, b.rank));
  }

  /** `path` as received (percent-encoded); API Gateway decodes path parameter values. */
  match(method: string, path: string): RouteMatch<Target> {
    for (const route of this.routes) {
      if (route.method !== 'ANY' && route.method !== method) continue;
      const match = route.pattern.exec(path);
      if (!match) continue;
      const pathParameters: Record<string, string> = {};
      route.parameterNames.forEach((name, index) => {
        pathParameters[name] = decodeSafely(match[index + 1] ?? '');
      });
      const { method: routeMethod, path: template, target } = route;
      return { kind: 'matched', route: { method: routeMethod, path: template, target }, pathParameters };
    }
    return { kind: 'noRoute' };
  }
}

export interface ProxyRequest {
  readonly method: string;
  /** Request target as received: path and raw query. */
  readonly url: string;
  /** Node's rawHeaders: names as the client spelled them, alternating with values. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
}

export interface ProxyEventContext {
  readonly stage: string;
  readonly resource: string;
  readonly pathParameters: Record<string, string>;
  readonly requestId: string;
  readonly now: Date;
  /** The caller an IAM-authorized method authenticated (API Gateway fills these in for AWS_IAM). */
  readonly identity?: { readonly accessKey: string; readonly userArn: string };
}

type MultiValue = Record<string, string[]>;

function findName(headers: MultiValue, name: string): string | undefined {
  return Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
}

/** Headers as API Gateway forwards them: names keep the client's case; it adds the X-Forwarded-* set. */
function forwardedHeaders(request: ProxyRequest): MultiValue {
  const headers: MultiValue = {};
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] ?? '';
    headers[name] = [...(headers[name] ?? []), request.rawHeaders[i + 1] ?? ''];
  }
  const forwardedFor = findName(headers, 'X-Forwarded-For');
  if (forwardedFor) {
    headers[forwardedFor] = [`${(headers[forwardedFor] ?? []).join(', ')}, ${request.sourceIp}`];
  } else {
    headers['X-Forwarded-For'] = [request.sourceIp];
  }
  if (!findName(headers, 'X-Forwarded-Proto')) headers['X-Forwarded-Proto'] = ['http'];
  if (!findName(headers, 'X-Amzn-Trace-Id')) {
    const epochHex = Math.floor(Date.now() / 1000).toString(16);
    headers['X-Amzn-Trace-Id'] = [`Root=1-${epochHex}-${randomBytes(12).toString('hex')}`];
  }
  return headers;
}

function lastValues(multi: MultiValue): Record<string, string> {
  return Object.fromEntries(Object.entries(multi).map(([name, values]) => [name, values.at(-1) ?? '']));
}

function queryParameters(rawQuery: string): MultiValue | null {
  if (rawQuery === '') return null;
  const query: MultiValue = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) query[name] = [...(query[name] ?? []), value];
  return Object.keys(query).length > 0 ? query : null;
}

/** API Gateway's `requestTime`: `09/Apr/2015:12:34:56 +0000`. */
function requestTime(date: Date): string {
  const [, day, month, year, time] = /^\w+, (\d+) (\w+) (\d+) ([\d:]+)/.exec(date.toUTCString()) ?? [];
  return `${day}/${month}/${year}:${time} +0000`;
}

export function splitUrl(url: string): { path: string; rawQuery: string } {
  const queryStart = url.indexOf('?');
  return queryStart === -1
    ? { path: url, rawQuery: '' }
    : { path: url.slice(0, queryStart), rawQuery: url.slice(queryStart + 1) };
}

export function proxyEvent(request: ProxyRequest, context: ProxyEventContext): APIGatewayProxyEvent {
  const { path, rawQuery } = splitUrl(request.url);
  const multiValueHeaders = forwardedHeaders(request);
  const multiValueQuery = queryParameters(rawQuery);
  const hostName = findName(multiValueHeaders, 'Host');
  const domainName = (hostName && multiValueHeaders[hostName]?.[0]) || 'localhost';
  const userAgentName = findName(multiValueHeaders, 'User-Agent');
  return {
    resource: context.resource,
    path,
    httpMethod: request.method,
    headers: lastValues(multiValueHeaders),
    multiValueHeaders,
    queryStringParameters: multiValueQuery ? lastValues(multiValueQuery) : null,
    multiValueQueryStringParameters: multiValueQuery,
    pathParameters: Object.keys(context.pathParameters).length > 0 ? context.pathParameters : null,
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: undefined,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      extendedRequestId: randomUUID(),
      httpMethod: request.method,
      identity: {
        accessKey: context.identity?.accessKey ?? null,
        accountId: context.identity ? '000000000000' : null,
        apiKey: null,
        apiKeyId: null,
        caller: context.identity?.accessKey ?? null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: context.identity?.accessKey ?? null,
        userAgent: (userAgentName && multiValueHeaders[userAgentName]?.[0]) || null,
        userArn: context.identity?.userArn ?? null,
      },
      path: `/${context.stage}${path}`,
      protocol: 'HTTP/1.1',
      requestId: context.requestId,
      requestTime: requestTime(context.now),
      requestTimeEpoch: context.now.getTime(),
      resourceId: 'local',
      resourcePath: context.resource,
      stage: context.stage,
    },
    // With no binary media types configured, API Gateway passes every body as text.
    body: request.body.length > 0 ? request.body.toString('utf8') : null,
    isBase64Encoded: false,
  };
}

export interface HttpReply {
  readonly statusCode: number;
  /** Name and values; one entry per distinct name (case-insensitively). */
  readonly headers: readonly [string, string[]][];
  readonly body: Buffer;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function headerValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * The proxy result as API Gateway returns it, or undefined when API Gateway would call it
 * malformed (and answer 502). `multiValueHeaders` and `headers` merge; a name/value pair in
 * both appears once.
 */
export function httpReplyFromProxyResult(result: unknown): HttpReply | undefined {
  if (!isRecord(result)) return undefined;
  const statusCode = typeof result.statusCode === 'string' ? Number(result.statusCode) : result.statusCode;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return undefined;
  }
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string') return undefined;
  const merged = new Map<string, [string, string[]]>();
  const add = (name: string, value: string, unlessPresent: boolean) => {
    const key = name.toLowerCase();
    const entry = merged.get(key) ?? [name, []];
    if (!unlessPresent || !entry[1].includes(value)) entry[1].push(value);
    merged.set(key, entry);
  };
  if (result.multiValueHeaders !== undefined && result.multiValueHeaders !== null) {
    if (!isRecord(result.multiValueHeaders)) return undefined;
    for (const [name, values] of Object.entries(result.multiValueHeaders)) {
      if (!Array.isArray(values)) return undefined;
      for (const value of values) {
        const text = headerValue(value);
        if (text === undefined) return undefined;
        add(name, text, false);
      }
    }
  }
  if (result.headers !== undefined && result.headers !== null) {
    if (!isRecord(result.headers)) return undefined;
    for (const [name, value] of Object.entries(result.headers)) {
      const text = headerValue(value);
      if (text === undefined) return undefined;
      add(name, text, true);
    }
  }
  // API Gateway computes the length itself.
  merged.delete('content-length');
  if (!merged.has('content-type')) merged.set('content-type', ['Content-Type', ['application/json']]);
  const text = typeof result.body === 'string' ? result.body : '';
  const body = result.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { statusCode, headers: [...merged.values()], body };
}
