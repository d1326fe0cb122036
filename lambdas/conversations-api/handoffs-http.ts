import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { isValidIdempotencyKey } from '../domain/outbound-request';
import { isValidTenantId } from '../domain/tenant';
import {
  type HandoffDeps,
  type HandoffResult,
  listHandoffs,
  releaseFromHandoff,
  replyToHandoff,
} from './handoffs';
import { header, IDEMPOTENCY_KEY_HEADER, invalid, json, jsonBody, REPLAYED_HEADER } from './http';

/**
 * The hand-off routes as API Gateway proxies them (IAM-authenticated, lib/topology.ts routes):
 * - `GET  /v1/tenants/{tenantId}/conversations/handoffs`: the handed-off conversations;
 * - `POST /v1/tenants/{tenantId}/conversations/handoffs/{customer}/messages` `{"body","to"?}`
 *   (optional `Idempotency-Key`): a person's reply;
 * - `POST /v1/tenants/{tenantId}/conversations/handoffs/{customer}/release` `{"mode":"restart"|"resume","to"?}`.
 * `{customer}` is E.164, its `+` as is or as `%2B`.
 */
export const HANDOFFS_RESOURCE = '/v1/tenants/{tenantId}/conversations/handoffs';
export const HANDOFF_MESSAGES_RESOURCE = `${HANDOFFS_RESOURCE}/{customer}/messages`;
export const HANDOFF_RELEASE_RESOURCE = `${HANDOFFS_RESOURCE}/{customer}/release`;

export function isHandoffRoute(event: APIGatewayProxyEvent): boolean {
  return [HANDOFFS_RESOURCE, HANDOFF_MESSAGES_RESOURCE, HANDOFF_RELEASE_RESOURCE].includes(event.resource);
}

function responseOf<T>(result: HandoffResult<T>): APIGatewayProxyResult {
  if (!result.ok)
    return json(result.refusal.status, { error: result.refusal.error, message: result.refusal.message });
  return json(result.status, result.value, result.replayed ? { [REPLAYED_HEADER]: 'true' } : {});
}

function customerOf(event: APIGatewayProxyEvent): string {
  const raw = event.pathParameters?.customer ?? '';
  try {
    return raw.includes('%') ? decodeURIComponent(raw) : raw;
  } catch {
    return raw;
  }
}

const MESSAGE_FIELDS = new Set(['body', 'to']);
const RELEASE_FIELDS = new Set(['mode', 'to']);

function unknownField(value: Record<string, unknown>, known: ReadonlySet<string>): string | undefined {
  return Object.keys(value).find((key) => !known.has(key));
}

export async function handleHandoffRequest(
  event: APIGatewayProxyEvent,
  deps: HandoffDeps,
): Promise<{ response: APIGatewayProxyResult; tenantId?: string; outcome: string }> {
  const tenantId = event.pathParameters?.tenantId ?? '';
  if (!isValidTenantId(tenantId))
    return { response: invalid('tenantId must match [a-z0-9-]{2,40}'), outcome: 'invalid-request' };
  const done = <T>(result: HandoffResult<T>) => ({
    response: responseOf(result),
    tenantId,
    outcome: result.ok ? (result.replayed ? 'replayed' : 'ok') : result.refusal.error,
  });
  if (event.resource === HANDOFFS_RESOURCE) return done(await listHandoffs(tenantId, deps));

  const body = jsonBody(event);
  if (!body.ok || typeof body.value !== 'object' || body.value === null || Array.isArray(body.value))
    return { response: invalid('the body must be a JSON object'), tenantId, outcome: 'invalid-request' };
  const fields = body.value as Record<string, unknown>;
  const to = fields.to;
  if (to !== undefined && typeof to !== 'string')
    return { response: invalid('to must be an E.164 string'), tenantId, outcome: 'invalid-request' };
  const target = { tenantId, customer: customerOf(event), ...(to !== undefined ? { to } : {}) };

  if (event.resource === HANDOFF_MESSAGES_RESOURCE) {
    const extra = unknownField(fields, MESSAGE_FIELDS);
    if (extra)
      return { response: invalid(`unknown field ${extra} (body, to)`), tenantId, outcome: 'invalid-request' };
    const idempotencyKey = header(event, IDEMPOTENCY_KEY_HEADER);
    if (idempotencyKey !== undefined && !isValidIdempotencyKey(idempotencyKey))
      return {
        response: invalid(`${IDEMPOTENCY_KEY_HEADER} must be 1 to 255 printable ASCII characters`),
        tenantId,
        outcome: 'invalid-request',
      };
    return done(
      await replyToHandoff(
        {
          ...target,
          body: fields.body as string,
          ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
        },
        deps,
      ),
    );
  }
  const extra = unknownField(fields, RELEASE_FIELDS);
  if (extra)
    return { response: invalid(`unknown field ${extra} (mode, to)`), tenantId, outcome: 'invalid-request' };
  if (fields.mode !== 'restart' && fields.mode !== 'resume')
    return { response: invalid('mode must be "restart" or "resume"'), tenantId, outcome: 'invalid-request' };
  return done(await releaseFromHandoff({ ...target, mode: fields.mode }, deps));
}
