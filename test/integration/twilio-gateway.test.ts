import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TwilioRestSmsGateway } from '../../lambdas/adapters/twilio-rest-gateway';
import type { TenantTwilioCredentials } from '../../lambdas/domain/tenant';
import { classifyTwilioError, TwilioApiError } from '../../lambdas/domain/twilio-errors';
import { setInvocationDeadline } from '../../lambdas/shared/invocation-deadline';
import { inMemoryDirectory, startTwilioSimulator, type TwilioSimulator } from '../../local/twilio-sim';
import { assertValidCreateMessageRequest, assertValidMessageResource } from '../support/twilio-contract';

/** The sender's Twilio client against the simulator: every request it makes must satisfy Twilio's OpenAPI spec. */
const credentials: TenantTwilioCredentials = {
  accountSid: `AC${'a'.repeat(32)}`,
  authToken: 'b'.repeat(32),
  apiKeySid: `SK${'c'.repeat(32)}`,
  apiKeySecret: 'key-secret',
};
let sim: TwilioSimulator;
let gateway: TwilioRestSmsGateway;

beforeAll(async () => {
  sim = await startTwilioSimulator({
    port: 0,
    directory: inMemoryDirectory([
      {
        tenantId: 'acme',
        account: {
          accountSid: credentials.accountSid,
          authToken: credentials.authToken,
          apiKeys: [{ sid: credentials.apiKeySid as string, secret: credentials.apiKeySecret as string }],
        },
      },
    ]),
    platformBaseUrl: 'http://127.0.0.1:9',
    callbackDelayMs: 5,
    callbackRetryDelaysMs: [],
  });
  gateway = new TwilioRestSmsGateway(sim.url);
});

afterAll(async () => {
  await sim?.close();
});

const base = {
  to: '+15551234567',
  from: '+15005550006',
  body: 'Thanks! Checking order 123456.',
  mediaUrls: [] as string[],
  statusCallback: 'https://hooks.example.com/webhooks/twilio/acme/status',
};

describe('TwilioRestSmsGateway against the simulator', () => {
  it('creates a message with a request that satisfies the CreateMessage schema', async () => {
    const sent = await gateway.send({ credentials, ...base });
    expect(sent.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(sent.status).toBe('queued');
    expect(sent.numSegments).toBe(1);
    const request = sim.apiRequests().find((entry) => entry.method === 'POST');
    expect(request?.principal).toBeTruthy();
    assertValidCreateMessageRequest(request?.params as Record<string, string>);
    expect(request?.params).toEqual({
      To: base.to,
      From: base.from,
      Body: base.body,
      StatusCallback: base.statusCallback,
    });
  });

  it('sends MMS media and Messaging Service requests that satisfy the schema', async () => {
    const sent = await gateway.send({
      credentials,
      ...base,
      from: undefined,
      messagingServiceSid: `MG${'d'.repeat(32)}`,
      mediaUrls: ['https://example.com/a.png', 'https://example.com/b.png'],
    });
    expect(sent.status).toBe('accepted');
    const request = sim
      .apiRequests()
      .filter((entry) => entry.method === 'POST')
      .at(-1);
    assertValidCreateMessageRequest(request?.params as Record<string, string | string[]>);
    expect(request?.params.MediaUrl).toEqual(['https://example.com/a.png', 'https://example.com/b.png']);
  });

  it('sends From with the Messaging Service when given both (the service sends from that number)', async () => {
    const sent = await gateway.send({ credentials, ...base, messagingServiceSid: `MG${'d'.repeat(32)}` });
    const request = sim
      .apiRequests()
      .filter((entry) => entry.method === 'POST')
      .at(-1);
    assertValidCreateMessageRequest(request?.params as Record<string, string | string[]>);
    expect(request?.params).toMatchObject({ From: base.from, MessagingServiceSid: `MG${'d'.repeat(32)}` });
    expect(sent.status).toBe('accepted');
  });

  it.each([
    ['+15005550001', 21211],
    ['+15005550002', 21612],
    ['+15005550003', 21408],
    ['+15005550004', 21610],
    ['+15005550009', 21614],
  ])('turns the magic number %s into a permanent TwilioApiError %i', async (to, code) => {
    const error = await gateway.send({ credentials, ...base, to }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TwilioApiError);
    expect((error as TwilioApiError).code).toBe(code);
    expect(classifyTwilioError(error as TwilioApiError)).toBe('permanent');
  });

  it('reports wrong credentials as 20003, to be re-read', async () => {
    const error = await gateway
      .send({ credentials: { accountSid: credentials.accountSid, authToken: 'wrong' }, ...base })
      .catch((caught: unknown) => caught);
    expect((error as TwilioApiError).code).toBe(20003);
    expect(classifyTwilioError(error as TwilioApiError)).toBe('reauthenticate');
  });

  it('classifies injected 429 and 500 as retryable', async () => {
    sim.setFaults({ api429: 1 });
    const throttled = await gateway.send({ credentials, ...base }).catch((caught: unknown) => caught);
    sim.setFaults({ api500: 1 });
    const broken = await gateway.send({ credentials, ...base }).catch((caught: unknown) => caught);
    sim.resetFaults();
    expect(classifyTwilioError(throttled as TwilioApiError)).toBe('retryable');
    expect(classifyTwilioError(broken as TwilioApiError)).toBe('retryable');
  });

  it('finds a message it sent earlier (recovery after a lost answer)', async () => {
    const since = new Date(Date.now() - 1000);
    const body = `recover me ${Date.now()}`;
    const earlier = await gateway.send({ credentials, ...base, body });
    const sent = await gateway.send({ credentials, ...base, body });
    const found = await gateway.findRecent({ credentials, to: base.to, from: base.from, body, since });
    // Every message of that text since about then, oldest first: the sender skips another send's.
    expect(found.map((message) => message.sid)).toEqual([earlier.sid, sent.sid]);
    const resource = await fetch(
      `${sim.url}/2010-04-01/Accounts/${credentials.accountSid}/Messages/${sent.sid}.json`,
      {
        headers: {
          authorization: `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64')}`,
        },
      },
    );
    assertValidMessageResource(await resource.json());
    expect(await gateway.findRecent({ credentials, to: base.to, body: 'never sent', since })).toEqual([]);
  });
});

/**
 * A Twilio that accepts the connection and never answers (or, with `stallBody`, sends the status
 * line and headers and then nothing): the call must be cut short, never wait out the invocation.
 */
describe('TwilioRestSmsGateway against a stalled Twilio', () => {
  let stalled: http.Server;
  let stalledUrl: string;
  let stallBody = false;

  beforeAll(async () => {
    stalled = http.createServer((request, response) => {
      request.resume();
      if (stallBody) {
        response.writeHead(201, { 'content-type': 'application/json' });
        response.write('{"sid":');
      }
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    stalledUrl = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    setInvocationDeadline(undefined);
    stallBody = false;
  });

  afterAll(() => {
    stalled.closeAllConnections();
    return new Promise<void>((resolve) => stalled.close(() => resolve()));
  });

  /** Fails the test, rather than hanging it, if a stalled call is not cut short. */
  const GUARD_MS = 20_000;

  const failure = (gateway: TwilioRestSmsGateway) =>
    gateway.send({ credentials, ...base }).catch((caught: unknown) => caught);

  it(
    'aborts the call at its timeout as a retryable failure',
    async () => {
      const started = Date.now();
      const error = await failure(new TwilioRestSmsGateway(stalledUrl, 300));
      expect(error).toBeInstanceOf(TwilioApiError);
      expect((error as TwilioApiError).httpStatus).toBeUndefined();
      expect(classifyTwilioError(error as TwilioApiError)).toBe('retryable');
      expect(Date.now() - started).toBeLessThan(5_000);
    },
    GUARD_MS,
  );

  it(
    'aborts an answer that stalls after its headers the same way',
    async () => {
      stallBody = true;
      const error = await failure(new TwilioRestSmsGateway(stalledUrl, 300));
      expect(error).toBeInstanceOf(TwilioApiError);
      expect(classifyTwilioError(error as TwilioApiError)).toBe('retryable');
    },
    GUARD_MS,
  );

  it(
    'cuts the call short before the invocation deadline, its 10 s timeout notwithstanding',
    async () => {
      const deadline = Date.now() + 3_000;
      setInvocationDeadline(deadline);
      const error = await failure(new TwilioRestSmsGateway(stalledUrl));
      expect(error).toBeInstanceOf(TwilioApiError);
      // Done with the safety margin still free for the handler to put the record back.
      expect(Date.now()).toBeLessThan(deadline);
    },
    GUARD_MS,
  );
});
