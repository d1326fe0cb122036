import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { parseFormBody } from '../domain/form-body';
import type { InboundQueueMessage, StatusQueueMessage } from '../domain/queue-messages';
import { conversationGroupId } from '../domain/queue-messages';
import { isValidTenantId } from '../domain/tenant';
import { parseInboundMessage, parseStatusCallback } from '../domain/twilio-webhooks';
import { isValidTwilioSignature } from '../domain/webhook-signature';
import type { MessageQueue } from '../ports/message-queue';
import type { TenantCredentialsSource } from '../ports/tenant-credentials';
import { acceptedResponse, rejection, twimlResponse } from './responses';

export type WebhookKind = 'inbound' | 'status';

export interface WebhookDeps {
  readonly publicBaseUrl: string;
  readonly credentials: TenantCredentialsSource;
  readonly inboundQueue: MessageQueue<InboundQueueMessage>;
  readonly statusQueue: MessageQueue<StatusQueueMessage>;
  readonly now: () => Date;
  readonly onSignatureRejected: (tenantId: string) => void;
  readonly onAccepted: (tenantId: string, kind: WebhookKind, messageSid: string) => void;
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
  const kind = webhookKind(event);
  const tenantId = event.pathParameters?.tenantId ?? '';
  if (!kind || event.httpMethod !== 'POST')
    return rejection(400, 'only POST to /inbound or /status is accepted');
  if (!isValidTenantId(tenantId)) return rejection(404, 'unknown tenant');

  const credentials = await deps.credentials.get(tenantId);
  if (!credentials) return rejection(404, 'unknown tenant');

  const signature = header(event, 'X-Twilio-Signature');
  if (!signature) {
    deps.onSignatureRejected(tenantId);
    return rejection(403, 'missing X-Twilio-Signature');
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

  const url = signedUrl(deps.publicBaseUrl, tenantId, kind, event);
  if (
    !isValidTwilioSignature({
      authToken: credentials.authToken,
      signature,
      url,
      params: form.params,
    })
  ) {
    deps.onSignatureRejected(tenantId);
    return rejection(403, 'invalid X-Twilio-Signature');
  }

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
