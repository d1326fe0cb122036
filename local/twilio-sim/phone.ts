import { randomUUID } from 'node:crypto';
import { countSegments } from '../../lambdas/domain/segments';
import { MESSAGE_SID_PATTERN, MESSAGING_SERVICE_SID_PATTERN, newSid } from './sids';
import { postTwilioWebhook } from './webhook-client';

/** `POST /_sim/inbound`: a customer's phone texting a tenant's number. */
export interface InboundSms {
  tenantId: string;
  from: string;
  to: string;
  body: string;
  mediaUrls: string[];
  /** Reuse a MessageSid to replay a webhook, as Twilio does when it retries. */
  messageSid?: string;
  /** Set when the tenant's number belongs to a Messaging Service. */
  messagingServiceSid?: string;
}

/** What the phone sent and what the platform answered. */
export interface InboundWebhookRecord {
  at: string;
  tenantId: string;
  messageSid: string;
  url: string;
  params: Record<string, string>;
  signature: string;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  /** `duplicate`: the same webhook posted again (fault `duplicateInbound`, like a Twilio retry). */
  delivery: 'original' | 'duplicate';
}

export type InboundParseResult = { ok: true; value: InboundSms } | { ok: false; reason: string };

const MAX_MEDIA = 10;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(input: Record<string, unknown>, key: string): string | undefined | null {
  const value = input[key];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : null;
}

export function parseInboundSms(input: unknown): InboundParseResult {
  if (!isRecord(input)) return { ok: false, reason: 'body must be a JSON object' };
  const fields: Record<string, string> = {};
  for (const key of ['tenantId', 'from', 'to', 'body']) {
    const value = input[key];
    if (typeof value !== 'string') return { ok: false, reason: `${key} must be a string` };
    fields[key] = value;
  }
  const { tenantId = '', from = '', to = '', body = '' } = fields;
  if (tenantId === '' || from === '' || to === '') {
    return { ok: false, reason: 'tenantId, from and to must not be empty' };
  }
  const mediaUrls = input.mediaUrls ?? [];
  if (!Array.isArray(mediaUrls) || !mediaUrls.every((url): url is string => typeof url === 'string')) {
    return { ok: false, reason: 'mediaUrls must be an array of strings' };
  }
  if (mediaUrls.length > MAX_MEDIA) return { ok: false, reason: `at most ${MAX_MEDIA} mediaUrls` };
  const messageSid = optionalString(input, 'messageSid');
  if (messageSid === null || (messageSid !== undefined && !MESSAGE_SID_PATTERN.test(messageSid))) {
    return { ok: false, reason: 'messageSid must be SM or MM followed by 32 hex digits' };
  }
  const messagingServiceSid = optionalString(input, 'messagingServiceSid');
  if (
    messagingServiceSid === null ||
    (messagingServiceSid !== undefined && !MESSAGING_SERVICE_SID_PATTERN.test(messagingServiceSid))
  ) {
    return { ok: false, reason: 'messagingServiceSid must be MG followed by 32 hex digits' };
  }
  const unknown = Object.keys(input).filter(
    (key) =>
      !['tenantId', 'from', 'to', 'body', 'mediaUrls', 'messageSid', 'messagingServiceSid'].includes(key),
  );
  if (unknown.length > 0) return { ok: false, reason: `unknown fields: ${unknown.join(', ')}` };
  return {
    ok: true,
    value: {
      tenantId,
      from,
      to,
      body,
      mediaUrls,
      ...(messageSid === undefined ? {} : { messageSid }),
      ...(messagingServiceSid === undefined ? {} : { messagingServiceSid }),
    },
  };
}

/** Country (ISO 3166) of a number, as Twilio's geo fields report it; a small table suffices here. */
function countryOf(number: string): string {
  const prefixes: [string, string][] = [
    ['+1', 'US'],
    ['+44', 'GB'],
    ['+49', 'DE'],
    ['+33', 'FR'],
    ['+61', 'AU'],
  ];
  return prefixes.find(([prefix]) => number.startsWith(prefix))?.[1] ?? '';
}

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  mp4: 'video/mp4',
  pdf: 'application/pdf',
  vcf: 'text/vcard',
};

function contentTypeOf(url: string): string {
  const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase() ?? '';
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}

/**
 * Twilio's incoming-message webhook form, parameters in the order Twilio sends them. Geo fields
 * Twilio cannot resolve are sent empty, as Twilio does.
 */
export function inboundWebhookParams(
  accountSid: string,
  sms: InboundSms,
  messageSid: string,
): Record<string, string> {
  const params: Record<string, string> = { ToCountry: countryOf(sms.to) };
  sms.mediaUrls.forEach((url, index) => {
    params[`MediaContentType${index}`] = contentTypeOf(url);
  });
  Object.assign(params, {
    ToState: '',
    SmsMessageSid: messageSid,
    NumMedia: String(sms.mediaUrls.length),
    ToCity: '',
    FromZip: '',
    SmsSid: messageSid,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: sms.body,
    FromCountry: countryOf(sms.from),
    To: sms.to,
  });
  if (sms.messagingServiceSid !== undefined) params.MessagingServiceSid = sms.messagingServiceSid;
  Object.assign(params, {
    ToZip: '',
    NumSegments: String(countSegments(sms.body).segments),
    MessageSid: messageSid,
    AccountSid: accountSid,
    From: sms.from,
  });
  sms.mediaUrls.forEach((url, index) => {
    params[`MediaUrl${index}`] = url;
  });
  params.ApiVersion = '2010-04-01';
  return params;
}

export function inboundWebhookUrl(platformBaseUrl: string, tenantId: string): string {
  return `${platformBaseUrl.replace(/\/+$/, '')}/webhooks/twilio/${encodeURIComponent(tenantId)}/inbound`;
}

/** The SID of an incoming message: the one given (a replay), else a new one. */
export function inboundMessageSid(sms: InboundSms): string {
  // Twilio gives incoming MMS an MM… SID and incoming SMS an SM… SID.
  return sms.messageSid ?? newSid(sms.mediaUrls.length > 0 ? 'MM' : 'SM');
}

/** Posts the signed webhook to the platform once; retries and duplicates are the caller's choice. */
export async function deliverInboundSms(input: {
  sms: InboundSms;
  accountSid: string;
  authToken: string;
  platformBaseUrl: string;
  timeoutMs: number;
  signal: AbortSignal;
  delivery?: 'original' | 'duplicate';
}): Promise<InboundWebhookRecord> {
  const { sms } = input;
  const messageSid = inboundMessageSid(sms);
  const url = inboundWebhookUrl(input.platformBaseUrl, sms.tenantId);
  const params = inboundWebhookParams(input.accountSid, sms, messageSid);
  const at = new Date().toISOString();
  const outcome = await postTwilioWebhook({
    url,
    params,
    authToken: input.authToken,
    idempotencyToken: randomUUID(),
    timeoutMs: input.timeoutMs,
    signal: input.signal,
  });
  return {
    at,
    tenantId: sms.tenantId,
    messageSid,
    url,
    params,
    signature: outcome.signature,
    responseStatus: outcome.status,
    responseBody: outcome.body,
    error: outcome.error,
    delivery: input.delivery ?? 'original',
  };
}
