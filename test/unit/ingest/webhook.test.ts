import type { APIGatewayProxyEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import type { InboundQueueMessage, StatusQueueMessage } from '../../../lambdas/domain/queue-messages';
import { handleWebhook, type WebhookDeps } from '../../../lambdas/ingest/webhook';
import { RecordingQueue, StaticCredentials } from '../../support/fakes';
import { formBody, twilioSignature } from '../../support/twilio-signing';

const BASE = 'https://hooks.example.com';
const DEMO = { accountSid: `AC${'d'.repeat(32)}`, authToken: '0123456789abcdef0123456789abcdef' };
const OTHER = { accountSid: `AC${'e'.repeat(32)}`, authToken: 'fedcba9876543210fedcba9876543210' };
const SID = `SM${'a'.repeat(32)}`;

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
  contentType?: string;
  base64?: boolean;
}): APIGatewayProxyEvent {
  const tenantId = options.tenantId ?? 'demo';
  const kind = options.kind ?? 'inbound';
  const params = options.params ?? inboundParams();
  const url = `${BASE}/webhooks/twilio/${tenantId}/${kind}`;
  const body = options.body ?? formBody(params);
  const signature =
    options.signature === undefined
      ? twilioSignature(options.token ?? DEMO.authToken, url, params)
      : options.signature;
  const headers: Record<string, string> = {
    'Content-Type': options.contentType ?? 'application/x-www-form-urlencoded',
  };
  if (signature !== null) headers['X-Twilio-Signature'] = signature;
  return {
    resource: `/webhooks/twilio/{tenantId}/${kind}`,
    path: `/webhooks/twilio/${tenantId}/${kind}`,
    httpMethod: 'POST',
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
  let deps: WebhookDeps;

  beforeEach(() => {
    inbound = new RecordingQueue();
    status = new RecordingQueue();
    rejected = [];
    deps = {
      publicBaseUrl: `${BASE}/`,
      credentials: new StaticCredentials({ demo: DEMO, other: OTHER }),
      inboundQueue: inbound,
      statusQueue: status,
      now: () => new Date('2026-11-22T12:00:00.000Z'),
      onSignatureRejected: (tenantId) => rejected.push(tenantId),
      onAccepted: () => {},
    };
  });

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
    ['forged signature', { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }, 403],
    ['missing signature', { signature: null }, 403],
    ["another tenant's token", { token: OTHER.authToken }, 403],
    ['a tampered body', { body: formBody(inboundParams({ Body: 'Where is my package? ' })) }, 403],
    ['unknown tenant', { tenantId: 'nobody' }, 404],
    ['invalid tenant id', { tenantId: 'UPPER_case' }, 404],
    ['wrong content type', { contentType: 'application/json' }, 400],
    ['invalid percent-encoding', { body: 'Body=%ZZ' }, 400],
    ['a missing MessageSid', { params: inboundParams({ MessageSid: 'nope' }) }, 400],
    ['an AccountSid of another account', { params: inboundParams({ AccountSid: OTHER.accountSid }) }, 403],
  ] as const)('rejects %s with %i and queues nothing', async (_name, options, expected) => {
    const response = await handleWebhook(event(options), deps);
    expect(response.statusCode).toBe(expected);
    expect(JSON.parse(response.body).message).toEqual(expect.any(String));
    expect(inbound.sent).toHaveLength(0);
  });

  it("rejects a request signed with tenant A's token on tenant B's path and counts it", async () => {
    const response = await handleWebhook(event({ tenantId: 'other', params: inboundParams() }), deps);
    expect(response.statusCode).toBe(403);
    expect(rejected).toEqual(['other']);
  });
});
