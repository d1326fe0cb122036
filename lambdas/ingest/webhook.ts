import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type FormParams, parseFormBody } from '../domain/form-body';
import type { InboundQueueMessage, StatusQueueMessage } from '../domain/queue-messages';
import { conversationGroupId } from '../domain/queue-messages';
import { isValidTenantId, type TenantTwilioCredentials } from '../domain/tenant';
import { type AcceptedToken, acceptedToken } from '../domain/tenant-credentials-rotation';
import { parseInboundMessage, parseStatusCallback } from '../domain/twilio-webhooks';
import { isValidTwilioSignature, isWellFormedTwilioSignature } from '../domain/webhook-signature';
import type { MessageQueue } from '../ports/message-queue';
import type { TenantCredentialsSource } from '../ports/tenant-credentials';
import { CredentialRefreshGate } from './credential-refresh-gate';
import { acceptedResponse, rejection, twimlResponse } from './responses';

export type WebhookKind = 'inbound' | 'status';

/**
 * Why a signature was refused. `missing` and `malformed` are decided before any lookup, so the
 * tenant id is only what the caller claimed; `mismatch` is for a tenant whose credentials exist.
 */
export type SignatureRejection = 'missing' | 'malformed' | 'mismatch';

export interface WebhookDeps {
  readonly publicBaseUrl: string;
  readonly credentials: TenantCredentialsSource;
  readonly inboundQueue: MessageQueue<InboundQueueMessage>;
  readonly statusQueue: MessageQueue<StatusQueueMessage>;
  readonly now: () => Date;
  readonly onSignatureRejected: (tenantId: string, reason: SignatureRejection) => void;
  readonly onAccepted: (tenantId: string, kind: WebhookKind, messageSid: string) => void;
  /** A signature verified with the tenant's previous token, within its grace (a rotation in progress). */
  readonly onSignatureAcceptedWithPreviousToken?: (tenantId: string) => void;
  /** Credentials re-read after a mismatch; `accepted`: the fresh ones verified the signature. */
  readonly onCredentialsRefreshed?: (tenantId: string, accepted: boolean) => void;
}

/** Twilio posts at most a few KB; anything far larger is not Twilio. */
export const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

function webhookKind(event: APIGatewayProxyEvent): WebhookKind | undefined {
  const resource = event.resource ?? event.path;
  if (resource.endsWith('/inbound')) return 'inbound';
  if (resource.endsWith('/status')) return 'status';
  return undefined;
}

/**
 * The URL Twilio signed: the configured public base URL plus the route, never rebuilt from Host
 * headers. REST API proxy events carry no raw query string, so webhook URLs carry no query; a
 * query that arrives anyway is appended in the order API Gateway lists it.
 */
export function signedUrl(
  publicBaseUrl: string,
  tenantId: string,
  kind: WebhookKind,
  event: APIGatewayProxyEvent,
) {
  const base = `${publicBaseUrl.replace(/\/+$/, '')}/webhooks/twilio/${tenantId}/${kind}`;
  const query = Object.entries(event.multiValueQueryStringParameters ?? {}).flatMap(([key, values]) =>
    (values ?? []).map((value) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`),
  );
  return query.length > 0 ? `${base}?${query.join('&')}` : base;
}

export async function handleWebhook(
  event: APIGatewayProxyEvent,
  deps: WebhookDeps,
): Promise<APIGatewayProxyResult> {
  // Cheap checks first: everything decidable from the request alone, before any secret is read,
  // so junk (unsigned floods, random tenant ids, oversized bodies) costs no Secrets Manager call.
  const kind = webhookKind(event);
  const tenantId = event.pathParameters?.tenantId ?? '';
  if (!kind || event.httpMethod !== 'POST')
    return rejection(400, 'only POST to /inbound or /status is accepted');
  if (!isValidTenantId(tenantId)) return rejection(404, 'unknown tenant');

  const signature = header(event, 'X-Twilio-Signature');
  if (!signature) {
    deps.onSignatureRejected(tenantId, 'missing');
    return rejection(403, 'missing X-Twilio-Signature');
  }
  // Same answer as a mismatch: a caller learns nothing about which check refused it.
  if (!isWellFormedTwilioSignature(signature)) {
    deps.onSignatureRejected(tenantId, 'malformed');
    return rejection(403, 'invalid X-Twilio-Signature');
  }
  const contentType = header(event, 'Content-Type') ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
    return rejection(400, 'Content-Type must be application/x-www-form-urlencoded');
  }
  const rawBody = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  if (Buffer.byteLength(rawBody) > MAX_WEBHOOK_BODY_BYTES) return rejection(413, 'body too large');
  const form = parseFormBody(rawBody);
  if (!form.ok) return rejection(400, form.reason);

  const verified = await verifySignature(
    deps,
    tenantId,
    signature,
    signedUrl(deps.publicBaseUrl, tenantId, kind, event),
    form.params,
  );
  if (verified === 'unknown-tenant') return rejection(404, 'unknown tenant');
  if (verified === 'rejected') {
    deps.onSignatureRejected(tenantId, 'mismatch');
    return rejection(403, 'invalid X-Twilio-Signature');
  }
  const { credentials } = verified;
  if (verified.token === 'previous') deps.onSignatureAcceptedWithPreviousToken?.(tenantId);

  const receivedAt = deps.now().toISOString();
  if (kind === 'inbound') {
    const inbound = parseInboundMessage(form.params);
    if (!inbound.ok) return rejection(400, inbound.reason);
    if (inbound.value.accountSid !== credentials.accountSid)
      return rejection(403, 'AccountSid does not match tenant');
    await deps.inboundQueue.send([
      {
        body: { v: 1, tenantId, receivedAt, message: inbound.value },
        groupId: conversationGroupId(tenantId, inbound.value.to, inbound.value.from),
        deduplicationId: inbound.value.messageSid,
      },
    ]);
    deps.onAccepted(tenantId, kind, inbound.value.messageSid);
    return twimlResponse();
  }

  const callback = parseStatusCallback(form.params);
  if (!callback.ok) return rejection(400, callback.reason);
  if (callback.value.accountSid !== credentials.accountSid)
    return rejection(403, 'AccountSid does not match tenant');
  await deps.statusQueue.send([{ body: { v: 1, tenantId, receivedAt, callback: callback.value } }]);
  deps.onAccepted(tenantId, kind, callback.value.messageSid);
  return acceptedResponse();
}

/**
 * One refresh gate per credentials source: it protects that source's cache, so it lives as long
 * as the source does (one per container in Lambda; one per test's fake in tests).
 */
const refreshGates = new WeakMap<TenantCredentialsSource, CredentialRefreshGate>();

function refreshGateOf(source: TenantCredentialsSource): CredentialRefreshGate {
  let gate = refreshGates.get(source);
  if (!gate) {
    gate = new CredentialRefreshGate();
    refreshGates.set(source, gate);
  }
  return gate;
}

type Verification =
  | { readonly credentials: TenantTwilioCredentials; readonly token: AcceptedToken }
  | 'unknown-tenant'
  | 'rejected';

/**
 * Checks the signature against the cached credentials (current token, then a previous one within
 * its grace). On a mismatch the credentials may be stale (a rotation since they were cached):
 * they are re-read once, at most once per tenant per CREDENTIAL_REFRESH_INTERVAL_MS, and checked
 * again. Only a tenant whose credentials exist gets a refresh, so unknown ids cannot spend any.
 */
async function verifySignature(
  deps: WebhookDeps,
  tenantId: string,
  signature: string,
  url: string,
  params: FormParams,
): Promise<Verification> {
  const cached = await deps.credentials.get(tenantId);
  if (!cached) return 'unknown-tenant';
  const verify = (authToken: string) => isValidTwilioSignature({ authToken, signature, url, params });
  const token = acceptedToken(cached, deps.now(), verify);
  if (token) return { credentials: cached, token };

  if (!refreshGateOf(deps.credentials).tryAcquire(tenantId, deps.now().getTime())) return 'rejected';
  const fresh = await deps.credentials.get(tenantId, { refresh: true });
  if (!fresh) return 'unknown-tenant';
  const freshToken = acceptedToken(fresh, deps.now(), verify);
  deps.onCredentialsRefreshed?.(tenantId, freshToken !== undefined);
  return freshToken ? { credentials: fresh, token: freshToken } : 'rejected';
}
