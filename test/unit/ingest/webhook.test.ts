import type { APIGatewayProxyEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import type { InboundQueueMessage, StatusQueueMessage } from '../../../lambdas/domain/queue-messages';
import type { TenantTwilioCredentials } from '../../../lambdas/domain/tenant';
import { CREDENTIAL_REFRESH_INTERVAL_MS } from '../../../lambdas/ingest/credential-refresh-gate';
import { handleWebhook, type SignatureRejection, type WebhookDeps } from '../../../lambdas/ingest/webhook';
import type { TenantCredentialsSource } from '../../../lambdas/ports/tenant-credentials';
import { RecordingQueue } from '../../support/fakes';
import { formBody, twilioSignature } from '../../support/twilio-signing';

const BASE = 'https://hooks.example.com';
const DEMO = { accountSid: `AC${'d'.repeat(32)}`, authToken: '0123456789abcdef0123456789abcdef' };
const OTHER = { accountSid: `AC${'e'.repeat(32)}`, authToken: 'fedcba9876543210fedcba9876543210' };
const SID = `SM${'a'.repeat(32)}`;
const NEW_TOKEN = '11112222333344445555666677778888';
const NOW = new Date('2026-11-22T12:00:00.000Z');

const UNKNOWN_TENANT = { status: 404, body: { message: 'unknown tenant' } };
const MISSING_SIGNATURE = { status: 403, body: { message: 'missing X-Twilio-Signature' } };
const BAD_SIGNATURE = { status: 403, body: { message: 'invalid X-Twilio-Signature' } };
const NOT_POST = { status: 400, body: { message: 'only POST to /inbound or /status is accepted' } };
const NOT_FORM = { status: 400, body: { message: 'Content-Type must be application/x-www-form-urlencoded' } };
const TOO_LARGE = { status: 413, body: { message: 'body too large' } };
const BAD_ENCODING = {
  status: 400,
  body: { message: 'form body has an invalid percent-encoding or invalid UTF-8' },
};

/**
 * The tenant secrets as Secrets Manager holds them (`secrets`, changed by a test to rotate) behind
 * a per-container cache, as the real adapter: a plain get answers from the cache, a refresh
 * re-reads the secret. Every call is recorded, so a test can prove no secret was looked up.
 */
class RecordingCredentials implements TenantCredentialsSource {
  readonly calls: { tenantId: string; refresh: boolean }[] = [];
  private readonly cache = new Map<string, TenantTwilioCredentials | undefined>();
  constructor(readonly secrets: Map<string, TenantTwilioCredentials>) {}

  async get(tenantId: string, options?: { refresh?: boolean }): Promise<TenantTwilioCredentials | undefined> {
    this.calls.push({ tenantId, refresh: options?.refresh === true });
    if (!options?.refresh && this.cache.has(tenantId)) return this.cache.get(tenantId);
    const value = this.secrets.get(tenantId);
    this.cache.set(tenantId, value);
    return value;
  }

  refreshes(tenantId?: string): number {
    return this.calls.filter((call) => call.refresh && (tenantId === undefined || call.tenantId === tenantId))
      .length;
  }
}

function expectAnswer(
  response: { statusCode: number; body: string; headers?: Record<string, unknown> },
  expected: { status: number; body: { message: string } },
) {
  expect(response.statusCode).toBe(expected.status);
  expect(response.headers?.['Content-Type']).toBe('application/json');
  expect(JSON.parse(response.body)).toEqual(expected.body);
}

function inboundParams(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    MessageSid: SID,
    SmsSid: SID,
    AccountSid: DEMO.accountSid,
    From: '+15551234567',
    To: '+15005550006',
    Body: 'Where is my package?',
    NumMedia: '0',
    ...overrides,
  };
}

function event(options: {
  tenantId?: string;
  kind?: 'inbound' | 'status';
  params?: Record<string, string>;
  token?: string;
  signature?: string | null;
  body?: string;
  contentType?: string | null;
  base64?: boolean;
  method?: string;
  /** The route's last segment when it is not a webhook kind. */
  routeTail?: string;
}): APIGatewayProxyEvent {
  const tenantId = options.tenantId ?? 'demo';
  const kind = options.kind ?? 'inbound';
  const tail = options.routeTail ?? kind;
  const params = options.params ?? inboundParams();
  const url = `${BASE}/webhooks/twilio/${tenantId}/${kind}`;
  const body = options.body ?? formBody(params);
  const signature =
    options.signature === undefined
      ? twilioSignature(options.token ?? DEMO.authToken, url, params)
      : options.signature;
  const headers: Record<string, string> = {};
  if (options.contentType !== null)
    headers['Content-Type'] = options.contentType ?? 'application/x-www-form-urlencoded';
  if (signature !== null) headers['X-Twilio-Signature'] = signature;
  return {
    resource: `/webhooks/twilio/{tenantId}/${tail}`,
    path: `/webhooks/twilio/${tenantId}/${tail}`,
    httpMethod: options.method ?? 'POST',
    headers,
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { tenantId },
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    body: options.base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
  };
}

describe('ingest webhook', () => {
  let inbound: RecordingQueue<InboundQueueMessage>;
  let status: RecordingQueue<StatusQueueMessage>;
  let rejected: string[];
  let rejections: [string, SignatureRejection][];
  let acceptedWithPrevious: string[];
  let refreshed: [string, boolean][];
  let credentials: RecordingCredentials;
  let clock: number;
  let deps: WebhookDeps;

  beforeEach(() => {
    inbound = new RecordingQueue();
    status = new RecordingQueue();
    rejected = [];
    rejections = [];
    acceptedWithPrevious = [];
    refreshed = [];
    clock = NOW.getTime();
    credentials = new RecordingCredentials(
      new Map([
        ['demo', DEMO],
        ['other', OTHER],
      ]),
    );
    deps = {
      publicBaseUrl: `${BASE}/`,
      credentials,
      inboundQueue: inbound,
      statusQueue: status,
      now: () => new Date(clock),
      onSignatureRejected: (tenantId, reason) => {
        rejected.push(tenantId);
        rejections.push([tenantId, reason]);
      },
      onAccepted: () => {},
      onSignatureAcceptedWithPreviousToken: (tenantId) => acceptedWithPrevious.push(tenantId),
      onCredentialsRefreshed: (tenantId, accepted) => refreshed.push([tenantId, accepted]),
    };
  });

  /** Rotates a tenant's secret the way `smsctl tenant put` does; the cache keeps the old one. */
  function rotate(tenantId: string, next: TenantTwilioCredentials) {
    credentials.secrets.set(tenantId, next);
  }

  it('queues a signed inbound SMS per conversation group and dedups on MessageSid', async () => {
    const response = await handleWebhook(event({}), deps);
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['Content-Type']).toMatch(/^text\/xml/);
    expect(response.body).toContain('<Response/>');
    expect(inbound.sent).toEqual([
      {
        body: {
          v: 1,
          tenantId: 'demo',
          receivedAt: '2026-11-22T12:00:00.000Z',
          message: {
            messageSid: SID,
            accountSid: DEMO.accountSid,
            from: '+15551234567',
            to: '+15005550006',
            body: 'Where is my package?',
            mediaUrls: [],
          },
        },
        groupId: 'demo#+15005550006#+15551234567',
        deduplicationId: SID,
      },
    ]);
  });

  it('accepts base64-encoded bodies', async () => {
    expect((await handleWebhook(event({ base64: true }), deps)).statusCode).toBe(200);
  });

  it('queues a signed status callback and answers 204', async () => {
    const params = {
      MessageSid: SID,
      AccountSid: DEMO.accountSid,
      MessageStatus: 'delivered',
      ErrorCode: '',
    };
    const response = await handleWebhook(event({ kind: 'status', params }), deps);
    expect(response.statusCode).toBe(204);
    expect(status.sent[0]?.body.callback).toEqual({
      messageSid: SID,
      accountSid: DEMO.accountSid,
      status: 'delivered',
    });
  });

  it.each([
    ['forged signature', { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }, BAD_SIGNATURE],
    ['missing signature', { signature: null }, MISSING_SIGNATURE],
    ["another tenant's token", { token: OTHER.authToken }, BAD_SIGNATURE],
    ['a tampered body', { body: formBody(inboundParams({ Body: 'Where is my package? ' })) }, BAD_SIGNATURE],
    ['unknown tenant', { tenantId: 'nobody' }, UNKNOWN_TENANT],
    ['invalid tenant id', { tenantId: 'UPPER_case' }, UNKNOWN_TENANT],
    ['wrong content type', { contentType: 'application/json' }, NOT_FORM],
    ['invalid percent-encoding', { body: 'Body=%ZZ' }, BAD_ENCODING],
    [
      'a missing MessageSid',
      { params: inboundParams({ MessageSid: 'nope' }) },
      { status: 400, body: { message: expect.any(String) } },
    ],
    [
      'an AccountSid of another account',
      { params: inboundParams({ AccountSid: OTHER.accountSid }) },
      { status: 403, body: { message: 'AccountSid does not match tenant' } },
    ],
  ] as const)('rejects %s and queues nothing', async (_name, options, expected) => {
    const response = await handleWebhook(event(options), deps);
    expectAnswer(response, expected);
    expect(inbound.sent).toHaveLength(0);
  });

  it("rejects a request signed with tenant A's token on tenant B's path and counts it", async () => {
    const response = await handleWebhook(event({ tenantId: 'other', params: inboundParams() }), deps);
    expect(response.statusCode).toBe(403);
    expect(rejected).toEqual(['other']);
  });
  describe('cheap checks come before any secret lookup', () => {
    const bigBody = `${formBody(inboundParams())}&Pad=${'x'.repeat(70_000)}`;
    it.each([
      ['GET', { method: 'GET' }, NOT_POST],
      ['PUT', { method: 'PUT' }, NOT_POST],
      ['a route that is neither inbound nor status', { routeTail: 'voice' }, NOT_POST],
      ['a tenant id in upper case', { tenantId: 'DEMO' }, UNKNOWN_TENANT],
      ['a tenant id too long', { tenantId: 'x'.repeat(41) }, UNKNOWN_TENANT],
      ['a tenant id of one character', { tenantId: 'x' }, UNKNOWN_TENANT],
      ['no signature header', { signature: null }, MISSING_SIGNATURE],
      ['an empty signature header', { signature: '' }, MISSING_SIGNATURE],
      [
        'no signature on an unknown tenant (403, not 404: nothing looked up)',
        { tenantId: 'nobody', signature: null },
        MISSING_SIGNATURE,
      ],
      ['a one-character signature', { signature: 'x' }, BAD_SIGNATURE],
      ['27 base64 characters without padding', { signature: 'A'.repeat(27) }, BAD_SIGNATURE],
      ['a 29-character signature', { signature: `${'A'.repeat(28)}=` }, BAD_SIGNATURE],
      ['an HMAC-SHA256 in base64 (44 characters)', { signature: `${'A'.repeat(43)}=` }, BAD_SIGNATURE],
      [
        'base64 that does not decode to exactly 20 bytes',
        { signature: `${'A'.repeat(26)}B=` },
        BAD_SIGNATURE,
      ],
      ['base64url characters', { signature: `${'-'.repeat(26)}_=` }, BAD_SIGNATURE],
      [
        'a signature with a space in it',
        { signature: `${'A'.repeat(13)} ${'A'.repeat(13)}=` },
        BAD_SIGNATURE,
      ],
      [
        'a well-shaped signature on an unknown tenant with the wrong content type',
        { tenantId: 'nobody', contentType: 'text/plain' },
        NOT_FORM,
      ],
      ['a JSON content type', { contentType: 'application/json' }, NOT_FORM],
      ['no content type', { contentType: null }, NOT_FORM],
      ['a body over 64 KB', { body: bigBody }, TOO_LARGE],
      ['a base64-encoded body over 64 KB', { body: bigBody, base64: true }, TOO_LARGE],
      ['an invalid percent-encoding', { body: 'Body=%ZZ' }, BAD_ENCODING],
      ['invalid UTF-8', { body: 'Body=%C3%28' }, BAD_ENCODING],
      [
        'thousands of parameters',
        { body: Array.from({ length: 3000 }, (_, i) => `p${i}=1`).join('&') },
        { status: 400, body: { message: expect.stringMatching(/^too many form parameters/) } },
      ],
    ] as const)('%s: answered without reading a secret', async (_name, options, expected) => {
      expectAnswer(await handleWebhook(event(options), deps), expected);
      expect(credentials.calls).toEqual([]);
      expect(inbound.sent).toHaveLength(0);
    });

    it('a missing or malformed signature is counted as an unverified claim, not a mismatch', async () => {
      await handleWebhook(event({ signature: null }), deps);
      await handleWebhook(event({ tenantId: 'nobody', signature: 'x' }), deps);
      expect(rejections).toEqual([
        ['demo', 'missing'],
        ['nobody', 'malformed'],
      ]);
      await handleWebhook(event({ signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }), deps);
      expect(rejections.at(-1)).toEqual(['demo', 'mismatch']);
    });

    it('a flood of unsigned requests to 1,000 tenant ids reads no secret', async () => {
      for (let i = 0; i < 1000; i++) {
        const response = await handleWebhook(event({ tenantId: `bogus-${i}`, signature: null }), deps);
        expectAnswer(response, MISSING_SIGNATURE);
      }
      expect(credentials.calls).toHaveLength(0);
    });

    it('an unknown tenant and a forged signature get bodies of the same shape', async () => {
      const unknown = await handleWebhook(event({ tenantId: 'nobody' }), deps);
      const forged = await handleWebhook(event({ token: 'forged' }), deps);
      expect(unknown.headers).toEqual(forged.headers);
      expect(Object.keys(JSON.parse(unknown.body))).toEqual(Object.keys(JSON.parse(forged.body)));
      expectAnswer(unknown, UNKNOWN_TENANT);
      expectAnswer(forged, BAD_SIGNATURE);
    });
  });

  describe('token rotation', () => {
    const grace = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
    const ROTATED = {
      ...DEMO,
      authToken: NEW_TOKEN,
      previousAuthToken: DEMO.authToken,
      previousAuthTokenValidUntil: grace(24 * 3600 * 1000),
    };

    it('a webhook signed with the new token is accepted after one refresh while the cache holds the old one', async () => {
      expect(
        (await handleWebhook(event({ params: inboundParams({ MessageSid: `SM${'1'.repeat(32)}` }) }), deps))
          .statusCode,
      ).toBe(200);
      rotate('demo', ROTATED);
      const response = await handleWebhook(event({ token: NEW_TOKEN }), deps);
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
      expect(credentials.refreshes('demo')).toBe(1);
      expect(refreshed).toEqual([['demo', true]]);
      expect(rejected).toEqual([]);
      expect(inbound.sent.map((sent) => sent.deduplicationId)).toEqual([`SM${'1'.repeat(32)}`, SID]);
      // The refreshed credentials are cached: the next new-token webhook costs no read.
      const calls = credentials.calls.length;
      expect(
        (
          await handleWebhook(
            event({ token: NEW_TOKEN, params: inboundParams({ MessageSid: `SM${'2'.repeat(32)}` }) }),
            deps,
          )
        ).statusCode,
      ).toBe(200);
      expect(credentials.calls.slice(calls)).toEqual([{ tenantId: 'demo', refresh: false }]);
    });

    it('a webhook signed with the previous token within its grace is accepted, counted, and costs no refresh', async () => {
      rotate('demo', ROTATED);
      const response = await handleWebhook(event({ token: DEMO.authToken }), deps);
      expect(response.statusCode).toBe(200);
      expect(acceptedWithPrevious).toEqual(['demo']);
      expect(credentials.refreshes()).toBe(0);
      expect(inbound.sent).toHaveLength(1);
    });

    it('a status callback signed with the previous token within its grace is accepted (204)', async () => {
      rotate('demo', ROTATED);
      const params = { MessageSid: SID, AccountSid: DEMO.accountSid, MessageStatus: 'sent' };
      const response = await handleWebhook(event({ kind: 'status', params, token: DEMO.authToken }), deps);
      expect(response).toEqual({ statusCode: 204, headers: {}, body: '' });
      expect(acceptedWithPrevious).toEqual(['demo']);
    });

    it('the previous token is accepted 1 ms before its deadline and refused at it', async () => {
      rotate('demo', { ...ROTATED, previousAuthTokenValidUntil: grace(60_000) });
      clock = NOW.getTime() + 59_999;
      expect((await handleWebhook(event({ token: DEMO.authToken }), deps)).statusCode).toBe(200);
      clock = NOW.getTime() + 60_000;
      expectAnswer(await handleWebhook(event({ token: DEMO.authToken }), deps), BAD_SIGNATURE);
      expect(rejected).toEqual(['demo']);
      expect(inbound.sent).toHaveLength(1);
    });

    it('after the grace the previous token gets 403, with one refresh to make sure', async () => {
      rotate('demo', ROTATED);
      clock = NOW.getTime() + 24 * 3600 * 1000 + 1;
      expectAnswer(await handleWebhook(event({ token: DEMO.authToken }), deps), BAD_SIGNATURE);
      expect(credentials.refreshes('demo')).toBe(1);
      expect(refreshed).toEqual([['demo', false]]);
      expect(acceptedWithPrevious).toEqual([]);
    });

    it('a previous token without a deadline is never accepted', async () => {
      rotate('demo', { ...DEMO, authToken: NEW_TOKEN, previousAuthToken: DEMO.authToken });
      expectAnswer(await handleWebhook(event({ token: DEMO.authToken }), deps), BAD_SIGNATURE);
    });

    it("a tenant's previous token does not verify another tenant's path", async () => {
      rotate('other', {
        ...OTHER,
        authToken: NEW_TOKEN,
        previousAuthToken: OTHER.authToken,
        previousAuthTokenValidUntil: grace(3600_000),
      });
      expectAnswer(
        await handleWebhook(event({ tenantId: 'other', token: DEMO.authToken }), deps),
        BAD_SIGNATURE,
      );
      expect(inbound.sent).toHaveLength(0);
    });

    it('a flood of forged signatures costs at most one refresh per tenant per window', async () => {
      for (let i = 0; i < 200; i++) {
        clock = NOW.getTime() + i * 10; // 2 s of flood, inside one window
        expectAnswer(await handleWebhook(event({ token: `forged-${i}` }), deps), BAD_SIGNATURE);
      }
      expect(credentials.refreshes('demo')).toBe(1);
      expect(rejected).toHaveLength(200);
      clock = NOW.getTime() + CREDENTIAL_REFRESH_INTERVAL_MS;
      expectAnswer(await handleWebhook(event({ token: 'forged-again' }), deps), BAD_SIGNATURE);
      expect(credentials.refreshes('demo')).toBe(2);
    });

    it('a refresh spent by a forged flood on one tenant leaves other tenants theirs', async () => {
      expectAnswer(await handleWebhook(event({ token: 'forged' }), deps), BAD_SIGNATURE);
      await handleWebhook(event({ tenantId: 'other', token: OTHER.authToken }), deps);
      rotate('other', { ...OTHER, authToken: NEW_TOKEN });
      const response = await handleWebhook(
        event({
          tenantId: 'other',
          token: NEW_TOKEN,
          params: inboundParams({ AccountSid: OTHER.accountSid }),
        }),
        deps,
      );
      expect(response.statusCode).toBe(200);
      expect(credentials.refreshes('demo')).toBe(1);
      expect(credentials.refreshes('other')).toBe(1);
    });

    it('a rotation during a forged flood is picked up by the next window at the latest', async () => {
      expectAnswer(await handleWebhook(event({ token: 'forged' }), deps), BAD_SIGNATURE);
      rotate('demo', ROTATED);
      clock = NOW.getTime() + CREDENTIAL_REFRESH_INTERVAL_MS - 1;
      expectAnswer(await handleWebhook(event({ token: NEW_TOKEN }), deps), BAD_SIGNATURE);
      clock = NOW.getTime() + CREDENTIAL_REFRESH_INTERVAL_MS;
      expect((await handleWebhook(event({ token: NEW_TOKEN }), deps)).statusCode).toBe(200);
      expect(credentials.refreshes('demo')).toBe(2);
    });

    it('a tenant deleted since it was cached is unknown after the refresh', async () => {
      await handleWebhook(event({}), deps);
      credentials.secrets.delete('demo');
      expectAnswer(await handleWebhook(event({ token: NEW_TOKEN }), deps), UNKNOWN_TENANT);
      expect(credentials.refreshes('demo')).toBe(1);
    });

    it('an unknown tenant never gets a refresh, however many forged requests name it', async () => {
      for (let i = 0; i < 50; i++)
        expectAnswer(await handleWebhook(event({ tenantId: 'nobody' }), deps), UNKNOWN_TENANT);
      expect(credentials.refreshes()).toBe(0);
    });
  });
});
