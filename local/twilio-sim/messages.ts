import { countSegments } from '../../lambdas/domain/segments';
import type { AuthPrincipal } from './auth';
import { rfc2822 } from './dates';
import { UNDELIVERED_ERRORS } from './errors';
import type { FormParams } from './form';
import type { CreateMessageRequest } from './message-request';
import { newSid } from './sids';

export const API_VERSION = '2010-04-01';

/** The statuses an outbound API message passes through in the simulator. */
export type MessageStatus = 'accepted' | 'queued' | 'sent' | 'delivered' | 'undelivered';

/** Twilio's Message resource (schema `api.v2010.account.message`), every field always present. */
export interface MessageResource {
  account_sid: string;
  api_version: string;
  body: string;
  date_created: string;
  date_sent: string | null;
  date_updated: string;
  direction: 'outbound-api';
  error_code: number | null;
  error_message: string | null;
  from: string | null;
  messaging_service_sid: string | null;
  num_media: string;
  num_segments: string;
  price: string | null;
  price_unit: string;
  sid: string;
  status: MessageStatus;
  subresource_uris: { media: string; feedback: string };
  to: string;
  uri: string;
}

export interface StatusChange {
  status: MessageStatus;
  at: string;
  errorCode: number | null;
}

/** One POST of a status callback (each retry and each duplicate is its own attempt). */
export interface CallbackAttempt {
  messageStatus: MessageStatus;
  url: string;
  params: Record<string, string>;
  signature: string;
  /** `I-Twilio-Idempotency-Token`: one per callback event, repeated on its retries and duplicates. */
  idempotencyToken: string;
  delivery: 'original' | 'duplicate';
  /** 1 for the first try of a delivery, 2+ for its retries. */
  attempt: number;
  at: string;
  /** The receiver's HTTP status, or null when no response arrived (connection error, timeout). */
  responseStatus: number | null;
  error: string | null;
}

/** A message created through the API, with everything the simulator did with it. */
export interface SimMessage {
  sid: string;
  accountSid: string;
  /** The resource as the API serves it now. */
  resource: MessageResource;
  statusHistory: StatusChange[];
  statusCallback: string | null;
  callbackAttempts: CallbackAttempt[];
  request: { params: FormParams; principal: AuthPrincipal };
}

/** US list prices, so `price` looks like Twilio's (negative: money charged). */
const PRICE_PER_SEGMENT_USD = { sms: 0.0079, mms: 0.02 };

export function messageUri(accountSid: string, sid: string): string {
  return `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}.json`;
}

function segmentsOf(body: string, mediaCount: number): number {
  // An MMS is billed and reported as a single segment whatever its text length.
  return mediaCount > 0 ? 1 : countSegments(body).segments;
}

function newResource(accountSid: string, request: CreateMessageRequest, now: Date): MessageResource {
  const sid = newSid('SM');
  const viaService = request.messagingServiceSid !== undefined;
  const base = `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}`;
  return {
    account_sid: accountSid,
    api_version: API_VERSION,
    body: request.body,
    date_created: rfc2822(now),
    date_sent: null,
    date_updated: rfc2822(now),
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: request.from ?? null,
    messaging_service_sid: request.messagingServiceSid ?? null,
    num_media: String(request.mediaUrls.length),
    // Twilio reports 0 segments while a Messaging Service has not picked a sender yet.
    num_segments: viaService ? '0' : String(segmentsOf(request.body, request.mediaUrls.length)),
    price: null,
    price_unit: 'USD',
    sid,
    status: viaService ? 'accepted' : 'queued',
    subresource_uris: { media: `${base}/Media.json`, feedback: `${base}/Feedback.json` },
    to: request.to,
    uri: `${base}.json`,
  };
}

export interface TransitionDetails {
  /** Sender a Messaging Service assigned when the message left the queue. */
  from?: string;
  errorCode?: number;
}

/** In-memory store of API-created messages, in creation order. */
export class MessageStore {
  private readonly messages: SimMessage[] = [];
  private readonly bySid = new Map<string, SimMessage>();
  private readonly createdListeners = new Set<(message: SimMessage) => void>();

  /** Calls `listener` with every message created from now on; returns the unsubscribe. */
  onCreated(listener: (message: SimMessage) => void): () => void {
    this.createdListeners.add(listener);
    return () => this.createdListeners.delete(listener);
  }

  create(
    accountSid: string,
    request: CreateMessageRequest,
    form: FormParams,
    principal: AuthPrincipal,
  ): SimMessage {
    const now = new Date();
    const resource = newResource(accountSid, request, now);
    const message: SimMessage = {
      sid: resource.sid,
      accountSid,
      resource,
      statusHistory: [{ status: resource.status, at: now.toISOString(), errorCode: null }],
      statusCallback: request.statusCallback ?? null,
      callbackAttempts: [],
      request: { params: structuredClone(form), principal },
    };
    this.messages.push(message);
    this.bySid.set(message.sid, message);
    for (const listener of this.createdListeners) listener(message);
    return message;
  }

  get(sid: string): SimMessage | undefined {
    return this.bySid.get(sid);
  }

  /** An account's messages, newest first (as Twilio lists them). */
  forAccount(accountSid: string): SimMessage[] {
    return this.messages.filter((message) => message.accountSid === accountSid).reverse();
  }

  all(): SimMessage[] {
    return [...this.messages];
  }

  clear(): void {
    this.messages.length = 0;
    this.bySid.clear();
  }

  /** Moves a message to `status` and updates the served resource accordingly. */
  transition(sid: string, status: MessageStatus, details: TransitionDetails = {}): SimMessage | undefined {
    const message = this.bySid.get(sid);
    if (!message) return undefined; // state cleared meanwhile
    const now = new Date();
    const resource = message.resource;
    resource.status = status;
    resource.date_updated = rfc2822(now);
    if (status === 'sent') {
      resource.date_sent = rfc2822(now);
      if (resource.from === null && details.from !== undefined) resource.from = details.from;
      const mediaCount = Number(resource.num_media);
      const segments = segmentsOf(resource.body, mediaCount);
      resource.num_segments = String(segments);
      const unitPrice = mediaCount > 0 ? PRICE_PER_SEGMENT_USD.mms : PRICE_PER_SEGMENT_USD.sms;
      resource.price = (-unitPrice * segments).toFixed(5);
    }
    if (details.errorCode !== undefined) {
      resource.error_code = details.errorCode;
      resource.error_message = UNDELIVERED_ERRORS[details.errorCode] ?? null;
    }
    message.statusHistory.push({ status, at: now.toISOString(), errorCode: details.errorCode ?? null });
    return message;
  }
}
