import type { TenantTwilioCredentials } from '../domain/tenant';
import { TwilioApiError } from '../domain/twilio-errors';
import type { SendSmsRequest, SentSms, SmsGateway } from '../ports/sms-gateway';
import { attemptSignal, attemptTimeoutMs } from '../shared/invocation-deadline';

const API_VERSION = '2010-04-01';

interface TwilioMessageJson {
  sid: string;
  status: string;
  num_segments?: string | null;
  error_code?: number | null;
  body?: string | null;
  date_created?: string | null;
}

interface TwilioErrorJson {
  code?: number;
  message?: string;
}

/**
 * A lean client for Twilio's Messages API over `fetch` (keep-alive by default in Node's undici).
 * The base URL is configuration: `https://api.twilio.com` in AWS, the simulator locally. Each call
 * is one attempt (retries go through the queue), bounded by `timeoutMs` and by the invocation's
 * deadline, so that a stalled call leaves the handler time to put the record back.
 */
export class TwilioRestSmsGateway implements SmsGateway {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async send(request: SendSmsRequest): Promise<SentSms> {
    const form = new URLSearchParams();
    form.set('To', request.to);
    if (request.messagingServiceSid) form.set('MessagingServiceSid', request.messagingServiceSid);
    else if (request.from) form.set('From', request.from);
    if (request.body.length > 0) form.set('Body', request.body);
    for (const url of request.mediaUrls) form.append('MediaUrl', url);
    form.set('StatusCallback', request.statusCallback);
    const message = await this.call<TwilioMessageJson>(request.credentials, 'POST', 'Messages.json', form);
    return toSentSms(message);
  }

  async findRecent(query: {
    credentials: TenantTwilioCredentials;
    to: string;
    from?: string;
    body: string;
    since: Date;
  }): Promise<SentSms | undefined> {
    // No DateSent filter: a message still queued has no date_sent yet. Newest first, so the page
    // holds anything created since the claim unless this recipient got 50 more messages since.
    const params = new URLSearchParams({ To: query.to });
    if (query.from) params.set('From', query.from);
    params.set('PageSize', '50');
    const page = await this.call<{ messages: TwilioMessageJson[] }>(
      query.credentials,
      'GET',
      `Messages.json?${params.toString()}`,
    );
    const match = page.messages.find(
      (message) =>
        message.body === query.body &&
        (message.date_created
          ? new Date(message.date_created).getTime() >= query.since.getTime() - 1000
          : true),
    );
    return match ? toSentSms(match) : undefined;
  }

  async fetch(credentials: TenantTwilioCredentials, sid: string): Promise<SentSms | undefined> {
    try {
      return toSentSms(
        await this.call<TwilioMessageJson>(credentials, 'GET', `Messages/${encodeURIComponent(sid)}.json`),
      );
    } catch (error) {
      if (error instanceof TwilioApiError && error.httpStatus === 404) return undefined;
      throw error;
    }
  }

  private async call<T>(
    credentials: TenantTwilioCredentials,
    method: 'GET' | 'POST',
    path: string,
    form?: URLSearchParams,
  ): Promise<T> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}/${API_VERSION}/Accounts/${credentials.accountSid}/${path}`;
    const user =
      credentials.apiKeySid && credentials.apiKeySecret ? credentials.apiKeySid : credentials.accountSid;
    const password =
      credentials.apiKeySid && credentials.apiKeySecret ? credentials.apiKeySecret : credentials.authToken;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: {
          Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
          Accept: 'application/json',
          ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(form ? { body: form.toString() } : {}),
        signal: attemptSignal(attemptTimeoutMs(this.timeoutMs)) ?? null,
      });
      // Inside the try: the timeout also aborts an answer that stalls after its headers.
      text = await response.text();
    } catch (error) {
      // Timeouts and connection failures: the request may or may not have reached Twilio.
      throw new TwilioApiError(undefined, undefined, `Twilio request failed: ${(error as Error).message}`);
    }
    if (!response.ok) {
      const parsed = safeJson<TwilioErrorJson>(text);
      throw new TwilioApiError(
        response.status,
        parsed?.code,
        `Twilio ${response.status}${parsed?.code ? ` (${parsed.code})` : ''}: ${parsed?.message ?? 'no message'}`,
      );
    }
    const parsed = safeJson<T>(text);
    if (parsed === undefined)
      throw new TwilioApiError(response.status, undefined, 'Twilio answered with invalid JSON');
    return parsed;
  }
}

function safeJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

function toSentSms(message: TwilioMessageJson): SentSms {
  const segments = message.num_segments ? Number(message.num_segments) : undefined;
  return {
    sid: message.sid,
    status: message.status,
    ...(segments !== undefined && Number.isFinite(segments) ? { numSegments: segments } : {}),
    ...(message.error_code ? { errorCode: message.error_code } : {}),
  };
}
