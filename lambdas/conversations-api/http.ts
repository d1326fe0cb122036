import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { isValidIdempotencyKey, parseOutboundStart } from '../domain/outbound-request';
import { isValidTenantId } from '../domain/tenant';
import { type StartOutboundDeps, type StartOutboundResult, startOutbound } from './start-outbound';

/**
 * `POST /v1/tenants/{tenantId}/conversations` as API Gateway proxies it. API Gateway has checked
 * the caller's SigV4 signature and IAM permission before this runs (AuthorizationType IAM).
 * The function serves the campaign routes too (campaigns/http.ts); `isStartRoute` tells them apart.
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
export const START_RESOURCE = '/v1/tenants/{tenantId}/conversations';

/** The start route, by the resource template API Gateway matched (lib/topology.ts routes). */
export function isStartRoute(event: APIGatewayProxyEvent): boolean {
  return event.resource === START_RESOURCE;
}

export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function invalid(message: string): APIGatewayProxyResult {
  return json(400, { error: 'invalid-request', message });
}

export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const found = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === wanted);
  return found?.[1] ?? undefined;
}

/** The body read as JSON (decoded first when API Gateway base64-encoded it), or undefined if it is not JSON. */
export function jsonBody(event: APIGatewayProxyEvent): { ok: true; value: unknown } | { ok: false } {
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body;
  try {
    return { ok: true, value: JSON.parse(raw ?? '') as unknown };
  } catch {
    return { ok: false };
  }
}

export function responseFor(result: StartOutboundResult): APIGatewayProxyResult {
  if (!result.ok)
    return json(result.refusal.status, { error: result.refusal.error, message: result.refusal.message });
  return json(result.status, result.started, result.replayed ? { [REPLAYED_HEADER]: 'true' } : {});
}

export async function handleStartRequest(
  event: APIGatewayProxyEvent,
  deps: StartOutboundDeps,
): Promise<{ response: APIGatewayProxyResult; result?: StartOutboundResult; tenantId?: string }> {
  const tenantId = event.pathParameters?.tenantId ?? '';
  if (!isValidTenantId(tenantId)) return { response: invalid('tenantId must match [a-z0-9-]{2,40}') };
  const idempotencyKey = header(event, IDEMPOTENCY_KEY_HEADER);
  if (idempotencyKey !== undefined && !isValidIdempotencyKey(idempotencyKey))
    return { response: invalid(`${IDEMPOTENCY_KEY_HEADER} must be 1 to 255 printable ASCII characters`) };
  const body = jsonBody(event);
  if (!body.ok) return { response: invalid('the body must be JSON') };
  const parsed = parseOutboundStart(body.value);
  if (!parsed.ok) return { response: invalid(parsed.reason) };
  const result = await startOutbound(
    { tenantId, start: parsed.start, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) },
    deps,
  );
  return { response: responseFor(result), result, tenantId };
}
