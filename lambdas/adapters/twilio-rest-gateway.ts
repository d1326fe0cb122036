import { HttpRequest } from '@smithy/core/protocols';
import { streamCollector } from '@smithy/core/serde';
import type { TenantTwilioCredentials } from '../domain/tenant';
import { TwilioApiError } from '../domain/twilio-errors';
import type { SendSmsRequest, SentSms, SmsGateway } from '../ports/sms-gateway';
import { DeadlineHttpHandler } from '../shared/clients';
import { traceRemoteCall } from '../shared/observability';

const API_VERSION = '2010-04-01';

/**
 * A TCP + TLS handshake with Twilio's API from an AWS region takes 100-300 ms; one not done in 3 s
 * is a dead path, better failed (the record is retried through the queue).
 */
const CONNECTION_TIMEOUT_MS = 3_000;

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
 * A lean client for Twilio's Messages API over the HTTP handler the AWS SDK clients use
 * (lambdas/shared/clients.ts: node:https with a keep-alive pool; `fetch` would load undici on the
 * first call, +20-30 ms of a cold start's CPU). The base URL is configuration:
 * `https://api.twilio.com` in AWS, the simulator locally. Each call is one attempt (retries go
 * through the queue), bounded by `timeoutMs` and by the invocation's deadline, reading the answer
 * included, so that a stalled call leaves the handler time to put the record back. Each call is an
 * X-Ray subsegment named after the API's host, with method, status and the URL without its query
 * (which may name a phone number).
 */
export class TwilioRestSmsGateway implements SmsGateway {
  private readonly http: DeadlineHttpHandler;

  constructor(
    private readonly baseUrl: string,
    timeoutMs = 10_000,
  ) {
    this.http = new DeadlineHttpHandler({
      connectionTimeout: Math.min(CONNECTION_TIMEOUT_MS, timeoutMs),
      requestTimeout: timeoutMs,
    });
  }

  async send(request: SendSmsRequest): Promise<SentSms> {
    const form = new URLSearchParams();
    form.set('To', request.to);
    // Both when both are given: Twilio sends from `From` with the service's features.
    if (request.messagingServiceSid) form.set('MessagingServiceSid', request.messagingServiceSid);
    if (request.from) form.set('From', request.from);
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
  }): Promise<readonly SentSms[]> {
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
    // date_created has whole seconds: a second's tolerance, so an earlier send can match too.
    return page.messages
      .filter(
        (message) =>
          message.body === query.body &&
          (message.date_created
            ? new Date(message.date_created).getTime() >= query.since.getTime() - 1000
            : true),
      )
      .reverse()
      .map(toSentSms);
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
    const traced = new URL(url);
    return traceRemoteCall(
      { name: traced.host, method, url: `${traced.origin}${traced.pathname}` },
      (status) => this.attempt<T>(url, credentials, method, status, form),
    );
  }

  private async attempt<T>(
    url: string,
    credentials: TenantTwilioCredentials,
    method: 'GET' | 'POST',
    reportStatus: (httpStatus: number) => void,
    form?: URLSearchParams,
  ): Promise<T> {
    const user =
      credentials.apiKeySid && credentials.apiKeySecret ? credentials.apiKeySid : credentials.accountSid;
    const password =
      credentials.apiKeySid && credentials.apiKeySecret ? credentials.apiKeySecret : credentials.authToken;
    const target = new URL(url);
    const body = form?.toString();
    const request = new HttpRequest({
      protocol: target.protocol,
      hostname: target.hostname,
      ...(target.port ? { port: Number(target.port) } : {}),
      method,
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers: {
        authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
        accept: 'application/json',
        ...(body === undefined
          ? {}
          : {
              'content-type': 'application/x-www-form-urlencoded',
              'content-length': String(Buffer.byteLength(body)),
            }),
      },
      ...(body === undefined ? {} : { body }),
    });
    let status: number;
    let text: string;
    try {
      const { response } = await this.http.handle(request);
      status = response.statusCode;
      reportStatus(status);
      // Inside the try: the timeout also aborts an answer that stalls after its headers.
      text = Buffer.from(await streamCollector(response.body)).toString('utf8');
    } catch (error) {
      // Timeouts and connection failures: the request may or may not have reached Twilio.
      throw new TwilioApiError(undefined, undefined, `Twilio request failed: ${(error as Error).message}`);
    }
    if (status < 200 || status > 299) {
      const parsed = safeJson<TwilioErrorJson>(text);
      throw new TwilioApiError(
        status,
        parsed?.code,
        `Twilio ${status}${parsed?.code ? ` (${parsed.code})` : ''}: ${parsed?.message ?? 'no message'}`,
      );
    }
    const parsed = safeJson<T>(text);
    if (parsed === undefined)
      throw new TwilioApiError(status, undefined, 'Twilio answered with invalid JSON');
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
