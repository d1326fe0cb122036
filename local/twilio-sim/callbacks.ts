import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { rawDlrDoneDate } from './dates';
import { API_VERSION, type MessageStatus, type SimMessage } from './messages';
import { postTwilioWebhook } from './webhook-client';

/** One status change to report to a message's StatusCallback URL. */
export interface StatusCallbackEvent {
  messageStatus: MessageStatus;
  url: string;
  params: Record<string, string>;
  idempotencyToken: string;
}

export interface CallbackDeliverySettings {
  /** Waits before each retry of a failed POST; its length is the number of retries. */
  retryDelaysMs: readonly number[];
  timeoutMs: number;
}

/**
 * The parameters Twilio posts for a message's current status, taken from the served resource.
 * `ErrorCode` accompanies undelivered (and failed, which the simulator never reaches), `RawDlrDoneDate` (the carrier's delivery report
 * time) delivered/undelivered, `MessagingServiceSid` messages sent through a service.
 */
export function statusCallbackEvent(message: SimMessage, url: string): StatusCallbackEvent {
  const resource = message.resource;
  const params: Record<string, string> = {
    AccountSid: resource.account_sid,
    ApiVersion: API_VERSION,
    From: resource.from ?? '',
    MessageSid: resource.sid,
    MessageStatus: resource.status,
    SmsSid: resource.sid,
    SmsStatus: resource.status,
    To: resource.to,
  };
  if (resource.messaging_service_sid !== null) params.MessagingServiceSid = resource.messaging_service_sid;
  if (resource.status === 'undelivered' && resource.error_code !== null) {
    params.ErrorCode = String(resource.error_code);
  }
  if (resource.status === 'delivered' || resource.status === 'undelivered') {
    params.RawDlrDoneDate = rawDlrDoneDate(new Date(Date.parse(resource.date_updated)));
  }
  return { messageStatus: resource.status, url, params, idempotencyToken: randomUUID() };
}

/**
 * Posts a status callback, signed with the account's auth token (Twilio signs with it even for
 * messages sent with an API key), retrying non-2xx answers and connection failures with the
 * configured backoff. Every attempt is appended to `message.callbackAttempts`.
 */
export async function deliverStatusCallback(input: {
  message: SimMessage;
  event: StatusCallbackEvent;
  authToken: string;
  duplicate: boolean;
  settings: CallbackDeliverySettings;
  signal: AbortSignal;
}): Promise<void> {
  const deliveries: ('original' | 'duplicate')[] = input.duplicate ? ['original', 'duplicate'] : ['original'];
  for (const delivery of deliveries) {
    const maxAttempts = input.settings.retryDelaysMs.length + 1;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (input.signal.aborted) return;
      const at = new Date().toISOString();
      const outcome = await postTwilioWebhook({
        url: input.event.url,
        params: input.event.params,
        authToken: input.authToken,
        idempotencyToken: input.event.idempotencyToken,
        timeoutMs: input.settings.timeoutMs,
        signal: input.signal,
      });
      input.message.callbackAttempts.push({
        messageStatus: input.event.messageStatus,
        url: input.event.url,
        params: input.event.params,
        signature: outcome.signature,
        idempotencyToken: input.event.idempotencyToken,
        delivery,
        attempt,
        at,
        responseStatus: outcome.status,
        error: outcome.error,
      });
      const succeeded = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
      const retryDelay = input.settings.retryDelaysMs[attempt - 1];
      if (succeeded || retryDelay === undefined) break;
      // Never rejects: deliveries are chained, and a stop must not surface as an unhandled rejection.
      const stopped = await sleep(retryDelay, false, { signal: input.signal }).catch(() => true);
      if (stopped) return;
    }
  }
}
