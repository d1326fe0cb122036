/**
 * Drives the Twilio simulator over real HTTP: REST API, status callbacks, the phone, faults and
 * inspection. Callbacks and incoming-message webhooks land on a local receiver and are verified
 * with twilio's own validateRequest; every simulator response is checked against Twilio's
 * OpenAPI description.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateRequest } from 'twilio/lib/webhooks/webhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ApiRequestRecord,
  inMemoryDirectory,
  type SimAccount,
  type SimMessage,
  startTwilioSimulator,
  type TwilioSimulator,
} from '../../local/twilio-sim/index';
import {
  assertValidCreateMessageRequest,
  assertValidMessageList,
  assertValidMessageResource,
  type TwilioMessageResource,
} from '../support/twilio-contract';

const ACCOUNT: SimAccount = {
  accountSid: `AC${'d'.repeat(32)}`,
  authToken: '0123456789abcdef0123456789abcdef',
  apiKeys: [{ sid: `SK${'e'.repeat(32)}`, secret: 'api-key-secret' }],
};
const OTHER_ACCOUNT: SimAccount = {
  accountSid: `AC${'f'.repeat(32)}`,
  authToken: 'ffffffffffffffffffffffffffffffff',
  apiKeys: [{ sid: `SK${'1'.repeat(32)}`, secret: 'other-secret' }],
};
const SENDER = '+15005550006';
const CUSTOMER = '+15551234567';
const MESSAGING_SERVICE = `MG${'a'.repeat(32)}`;
const SID = /^SM[0-9a-f]{32}$/;
const RFC_2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/;

// ---------------------------------------------------------------------------------------------
// A receiver standing in for the platform: records every POST and answers as a test tells it.

interface ReceivedWebhook {
  path: string;
  url: string;
  headers: IncomingMessage['headers'];
  params: Record<string, string>;
}

interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  /** Status to answer a POST with, by path (default 200). */
  answer: (path: string, attempt: number) => number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const receiver: Receiver = {
    url: '',
    received,
    answer: () => 200,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      const path = request.url ?? '/';
      received.push({
        path,
        url: `${receiver.url}${path}`,
        headers: request.headers,
        params: Object.fromEntries(new URLSearchParams(body)),
      });
      const attempt = received.filter((webhook) => webhook.path === path).length;
      const status = receiver.answer(path, attempt);
      const isInbound = path.endsWith('/inbound');
      response.writeHead(status, { 'Content-Type': isInbound ? 'text/xml' : 'text/plain' });
      response.end(isInbound && status === 200 ? '<Response/>' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

function isSignedBy(webhook: ReceivedWebhook, authToken: string): boolean {
  const signature = webhook.headers['x-twilio-signature'];
  return typeof signature === 'string' && validateRequest(authToken, signature, webhook.url, webhook.params);
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

let receiver: Receiver;
let sim: TwilioSimulator;

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
const ACCOUNT_AUTH = basic(ACCOUNT.accountSid, ACCOUNT.authToken);

interface Answer {
  status: number;
  json: unknown;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  options: {
    auth?: string;
    form?: Record<string, string | string[]>;
    json?: unknown;
    signal?: AbortSignal;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.auth) headers.Authorization = options.auth;
  let body: string | undefined;
  if (options.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(options.form)) {
      for (const item of typeof value === 'string' ? [value] : value) search.append(name, item);
    }
    body = search.toString();
  } else if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: text === '' ? undefined : JSON.parse(text),
    headers: response.headers,
  };
}

const messagesPath = (accountSid = ACCOUNT.accountSid) => `/2010-04-01/Accounts/${accountSid}/Messages.json`;
const messagePath = (sid: string, accountSid = ACCOUNT.accountSid) =>
  `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`;
const statusCallbackUrl = (path = '/webhooks/twilio/demo/status') => `${receiver.url}${path}`;

/** Creates a message the way the platform's sender does, checking the request against the contract. */
async function createMessage(
  form: Record<string, string | string[]>,
  auth = ACCOUNT_AUTH,
): Promise<TwilioMessageResource> {
  assertValidCreateMessageRequest(form);
  const answer = await call('POST', messagesPath(), { auth, form });
  expect(answer.status).toBe(201);
  assertValidMessageResource(answer.json);
  return answer.json;
}

async function fetchMessage(sid: string): Promise<TwilioMessageResource> {
  const answer = await call('GET', messagePath(sid), { auth: ACCOUNT_AUTH });
  expect(answer.status).toBe(200);
  assertValidMessageResource(answer.json);
  return answer.json;
}

function expectTwilioError(answer: Answer, status: number, code: number): void {
  expect(answer.status).toBe(status);
  expect(answer.json).toEqual({
    code,
    message: expect.any(String),
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  });
}

function callbacksFor(sid: string): ReceivedWebhook[] {
  return receiver.received.filter(
    (webhook) => webhook.params.MessageSid === sid && webhook.path.includes('status'),
  );
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function simMessage(sid: string): SimMessage {
  const message = sim.messages().find((candidate) => candidate.sid === sid);
  if (!message) throw new Error(`simulator has no message ${sid}`);
  return message;
}

beforeAll(async () => {
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver.close();
});

beforeEach(async () => {
  receiver.received.length = 0;
  receiver.answer = () => 200;
  sim = await startTwilioSimulator({
    port: 0,
    directory: inMemoryDirectory([
      { tenantId: 'demo', account: ACCOUNT },
      { tenantId: 'other', account: OTHER_ACCOUNT },
    ]),
    platformBaseUrl: receiver.url,
    callbackDelayMs: 10,
    callbackRetryDelaysMs: [10, 20, 40],
    webhookTimeoutMs: 2000,
  });
});

afterEach(async () => {
  await sim.close();
});

// ---------------------------------------------------------------------------------------------

describe('creating messages', () => {
  it('answers 201 with a full queued Message resource when authenticated with the auth token', async () => {
    const message = await createMessage({ To: CUSTOMER, From: SENDER, Body: 'Hello there' });

    expect(message).toMatchObject({
      account_sid: ACCOUNT.accountSid,
      api_version: '2010-04-01',
      body: 'Hello there',
      date_sent: null,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: SENDER,
      messaging_service_sid: null,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      status: 'queued',
      to: CUSTOMER,
    });
    expect(message.sid).toMatch(SID);
    expect(message.date_created).toMatch(RFC_2822);
    expect(message.uri).toBe(messagePath(message.sid ?? ''));
    expect(message.subresource_uris?.media).toBe(
      messagePath(message.sid ?? '').replace(/\.json$/, '/Media.json'),
    );
    expect(sim.apiRequests()[0]?.principal).toEqual({ kind: 'account', sid: ACCOUNT.accountSid });
  });

  it('accepts an API key of the account', async () => {
    const key = ACCOUNT.apiKeys?.[0];
    if (!key) throw new Error('fixture has an API key');
    const message = await createMessage(
      { To: CUSTOMER, From: SENDER, Body: 'via key' },
      basic(key.sid, key.secret),
    );
    expect(message.account_sid).toBe(ACCOUNT.accountSid);
    expect(sim.apiRequests()[0]?.principal).toEqual({ kind: 'api-key', sid: key.sid });
  });

  it.each([
    { name: 'a wrong auth token', auth: basic(ACCOUNT.accountSid, 'wrong') },
    { name: 'no credentials', auth: undefined },
    { name: 'another account’s credentials', auth: basic(OTHER_ACCOUNT.accountSid, OTHER_ACCOUNT.authToken) },
    { name: 'another account’s API key', auth: basic(`SK${'1'.repeat(32)}`, 'other-secret') },
    { name: 'an API key with a wrong secret', auth: basic(`SK${'e'.repeat(32)}`, 'wrong') },
  ])('answers 401 / 20003 to $name', async ({ auth }) => {
    const answer = await call('POST', messagesPath(), {
      ...(auth ? { auth } : {}),
      form: { To: CUSTOMER, From: SENDER, Body: 'x' },
    });
    expect(answer.json).toEqual({
      code: 20003,
      message: 'Authenticate',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
    });
    expect(answer.headers.get('www-authenticate')).toBe('Basic realm="Twilio API"');
    expect(sim.messages()).toEqual([]);
    expect(sim.apiRequests()[0]).toMatchObject({ principal: null, responseStatus: 401 });
  });

  it('answers 401 for an account it does not know', async () => {
    const unknown = `AC${'0'.repeat(32)}`;
    const answer = await call('GET', messagesPath(unknown), { auth: basic(unknown, 'token') });
    expectTwilioError(answer, 401, 20003);
  });

  it.each([
    { to: '+15005550001', code: 21211 },
    { to: '+15005550002', code: 21612 },
    { to: '+15005550003', code: 21408 },
    { to: '+15005550004', code: 21610 },
    { to: '+15005550009', code: 21614 },
  ])('rejects the magic To number $to with $code and creates nothing', async ({ to, code }) => {
    const answer = await call('POST', messagesPath(), {
      auth: ACCOUNT_AUTH,
      form: { To: to, From: SENDER, Body: 'x', StatusCallback: statusCallbackUrl() },
    });
    expectTwilioError(answer, 400, code);
    expect(sim.messages()).toEqual([]);
    const list = await call('GET', messagesPath(), { auth: ACCOUNT_AUTH });
    assertValidMessageList(list.json);
    expect(list.json.messages).toEqual([]);
    await sim.settled();
    expect(receiver.received).toEqual([]);
  });

  it.each([
    { from: '+15005550001', code: 21212 },
    { from: '+15005550007', code: 21606 },
    { from: '+15005550008', code: 21611 },
  ])('rejects the magic From number $from with $code', async ({ from, code }) => {
    const answer = await call('POST', messagesPath(), {
      auth: ACCOUNT_AUTH,
      form: { To: CUSTOMER, From: from, Body: 'x' },
    });
    expectTwilioError(answer, 400, code);
  });

  const media = (count: number) =>
    Array.from({ length: count }, (_, index) => `https://example.com/${index}.png`);
  const invalidRequests: { name: string; form: Record<string, string | string[]>; code: number }[] = [
    { name: 'missing To', form: { From: SENDER, Body: 'x' }, code: 21604 },
    { name: 'To not in E.164', form: { To: '5551234567', From: SENDER, Body: 'x' }, code: 21211 },
    {
      name: 'To as a channel address',
      form: { To: `whatsapp:${CUSTOMER}`, From: SENDER, Body: 'x' },
      code: 21211,
    },
    { name: 'neither From nor MessagingServiceSid', form: { To: CUSTOMER, Body: 'x' }, code: 21603 },
    { name: 'malformed From', form: { To: CUSTOMER, From: '+1 (555) 000', Body: 'x' }, code: 21212 },
    {
      name: 'malformed MessagingServiceSid',
      form: { To: CUSTOMER, MessagingServiceSid: 'MG123', Body: 'x' },
      code: 21705,
    },
    { name: 'neither Body nor MediaUrl', form: { To: CUSTOMER, From: SENDER }, code: 21602 },
    {
      name: 'Body over 1600 characters',
      form: { To: CUSTOMER, From: SENDER, Body: 'a'.repeat(1601) },
      code: 21617,
    },
    { name: '11 MediaUrl', form: { To: CUSTOMER, From: SENDER, MediaUrl: media(11) }, code: 21623 },
    {
      name: 'a MediaUrl that is no URL',
      form: { To: CUSTOMER, From: SENDER, MediaUrl: 'not a url' },
      code: 21620,
    },
    {
      name: 'a relative StatusCallback',
      form: { To: CUSTOMER, From: SENDER, Body: 'x', StatusCallback: '/status' },
      code: 21609,
    },
  ];
  it.each(invalidRequests)('rejects $name with 400 / $code', async ({ form, code }) => {
    const answer = await call('POST', messagesPath(), { auth: ACCOUNT_AUTH, form });
    expectTwilioError(answer, 400, code);
    expect(sim.messages()).toEqual([]);
  });

  it('accepts the limits: 1600 characters (emoji count as one) and 10 media', async () => {
    const longest = await createMessage({ To: CUSTOMER, From: SENDER, Body: '👍'.repeat(1600) });
    expect(longest.num_segments).toBe(String(Math.ceil(1600 / 33)));
    const mms = await createMessage({ To: CUSTOMER, From: SENDER, MediaUrl: media(10) });
    expect(mms).toMatchObject({ num_media: '10', num_segments: '1', body: '' });
  });

  it.each([
    { body: 'a'.repeat(160), segments: '1' },
    { body: 'a'.repeat(161), segments: '2' },
    { body: `${'a'.repeat(69)}€`, segments: '1' },
    { body: `${'a'.repeat(159)}€`, segments: '2' },
    { body: 'ж'.repeat(70), segments: '1' },
    { body: 'ж'.repeat(71), segments: '2' },
    { body: 'ж'.repeat(135), segments: '3' },
  ])('counts $segments segment(s) for a body of $body.length UTF-16 units', async ({ body, segments }) => {
    const message = await createMessage({ To: CUSTOMER, From: SENDER, Body: body });
    expect(message.num_segments).toBe(segments);
  });
});

describe('reading messages', () => {
  async function createSeveral(): Promise<TwilioMessageResource[]> {
    const created: TwilioMessageResource[] = [];
    for (let index = 0; index < 5; index++) {
      created.push(
        await createMessage({
          To: index % 2 === 0 ? CUSTOMER : '+15557654321',
          From: SENDER,
          Body: `message ${index}`,
        }),
      );
    }
    return created;
  }

  it('fetches one message and 404s (20404) unknown SIDs and other accounts’ messages', async () => {
    const created = await createMessage({ To: CUSTOMER, From: SENDER, Body: 'fetch me' });
    const sid = created.sid ?? '';
    expect(await fetchMessage(sid)).toEqual(created);

    expectTwilioError(
      await call('GET', messagePath(`SM${'0'.repeat(32)}`), { auth: ACCOUNT_AUTH }),
      404,
      20404,
    );
    const otherAuth = basic(OTHER_ACCOUNT.accountSid, OTHER_ACCOUNT.authToken);
    expectTwilioError(
      await call('GET', messagePath(sid, OTHER_ACCOUNT.accountSid), { auth: otherAuth }),
      404,
      20404,
    );
  });

  it('lists newest first and pages with next/previous page URIs', async () => {
    const created = await createSeveral();
    const newestFirst = created.map((message) => message.sid).reverse();

    const first = await call('GET', `${messagesPath()}?PageSize=2`, { auth: ACCOUNT_AUTH });
    assertValidMessageList(first.json);
    expect(first.json).toMatchObject({ page: 0, page_size: 2, start: 0, end: 1, previous_page_uri: null });
    expect(first.json.uri).toBe(`${messagesPath()}?PageSize=2&Page=0`);
    expect(first.json.first_page_uri).toBe(`${messagesPath()}?PageSize=2&Page=0`);

    const sids: (string | null)[] = [];
    let page = first.json;
    const pages = [page];
    sids.push(...page.messages.map((message) => message.sid));
    while (page.next_page_uri) {
      const next = await call('GET', page.next_page_uri, { auth: ACCOUNT_AUTH });
      assertValidMessageList(next.json);
      page = next.json;
      pages.push(page);
      sids.push(...page.messages.map((message) => message.sid));
    }
    expect(sids).toEqual(newestFirst);
    expect(pages.map((p) => [p.page, p.start, p.end])).toEqual([
      [0, 0, 1],
      [1, 2, 3],
      [2, 4, 4],
    ]);

    const previousUri = pages[2]?.previous_page_uri;
    expect(previousUri).toMatch(/PageToken=PBSM/);
    const previous = await call('GET', previousUri ?? '', { auth: ACCOUNT_AUTH });
    assertValidMessageList(previous.json);
    expect(previous.json.messages.map((message) => message.sid)).toEqual(newestFirst.slice(2, 4));
  });

  it('filters by To, From and DateSent', async () => {
    await createSeveral();
    await sim.settled(); // DateSent needs the messages to have been sent

    const byTo = await call('GET', `${messagesPath()}?To=${encodeURIComponent(CUSTOMER)}`, {
      auth: ACCOUNT_AUTH,
    });
    assertValidMessageList(byTo.json);
    expect(byTo.json.messages.map((message) => message.body)).toEqual([
      'message 4',
      'message 2',
      'message 0',
    ]);
    expect(byTo.json.uri).toBe(`${messagesPath()}?To=%2B15551234567&PageSize=50&Page=0`);

    const byFrom = await call('GET', `${messagesPath()}?From=%2B15005550001`, { auth: ACCOUNT_AUTH });
    assertValidMessageList(byFrom.json);
    expect(byFrom.json.messages).toEqual([]);

    const today = new Date().toISOString().slice(0, 10);
    const sentToday = await call('GET', `${messagesPath()}?DateSent=${today}`, { auth: ACCOUNT_AUTH });
    assertValidMessageList(sentToday.json);
    expect(sentToday.json.messages).toHaveLength(5);
    const sentBefore = await call('GET', `${messagesPath()}?DateSent%3C=2008-01-02`, { auth: ACCOUNT_AUTH });
    assertValidMessageList(sentBefore.json);
    expect(sentBefore.json.messages).toEqual([]);
    const sentAfter = await call('GET', `${messagesPath()}?DateSent>=2008-01-02&PageSize=3`, {
      auth: ACCOUNT_AUTH,
    });
    assertValidMessageList(sentAfter.json);
    expect(sentAfter.json.messages).toHaveLength(3);

    for (const bad of ['yesterday', '2024-02-30']) {
      const answer = await call('GET', `${messagesPath()}?DateSent=${bad}`, { auth: ACCOUNT_AUTH });
      expectTwilioError(answer, 400, 20001);
    }
  });

  it('lists only the authenticated account’s messages', async () => {
    await createMessage({ To: CUSTOMER, From: SENDER, Body: 'mine' });
    const otherAuth = basic(OTHER_ACCOUNT.accountSid, OTHER_ACCOUNT.authToken);
    const other = await call('GET', messagesPath(OTHER_ACCOUNT.accountSid), { auth: otherAuth });
    assertValidMessageList(other.json);
    expect(other.json.messages).toEqual([]);
  });
});

describe('status callbacks', () => {
  it('posts sent then delivered, signed as Twilio signs, and serves the latest status', async () => {
    const key = ACCOUNT.apiKeys?.[0];
    if (!key) throw new Error('fixture has an API key');
    const created = await createMessage(
      { To: CUSTOMER, From: SENDER, Body: 'track me', StatusCallback: statusCallbackUrl() },
      basic(key.sid, key.secret),
    );
    const sid = created.sid ?? '';
    await sim.settled();

    const callbacks = callbacksFor(sid);
    expect(callbacks.map((webhook) => webhook.params.MessageStatus)).toEqual(['sent', 'delivered']);
    for (const webhook of callbacks) {
      // Twilio signs with the account's auth token even when the message was sent with an API key.
      expect(isSignedBy(webhook, ACCOUNT.authToken)).toBe(true);
      expect(isSignedBy(webhook, OTHER_ACCOUNT.authToken)).toBe(false);
      expect(webhook.path).toBe('/webhooks/twilio/demo/status');
      expect(webhook.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(webhook.headers['i-twilio-idempotency-token']).toEqual(expect.any(String));
    }
    const [sent, delivered] = callbacks;
    expect(sent?.params).toEqual({
      AccountSid: ACCOUNT.accountSid,
      ApiVersion: '2010-04-01',
      From: SENDER,
      MessageSid: sid,
      MessageStatus: 'sent',
      SmsSid: sid,
      SmsStatus: 'sent',
      To: CUSTOMER,
    });
    expect(delivered?.params).toEqual({
      ...sent?.params,
      MessageStatus: 'delivered',
      SmsStatus: 'delivered',
      RawDlrDoneDate: expect.stringMatching(/^\d{10}$/),
    });

    const served = await fetchMessage(sid);
    expect(served).toMatchObject({
      status: 'delivered',
      error_code: null,
      price: '-0.00790',
      price_unit: 'USD',
    });
    expect(served.date_sent).toMatch(RFC_2822);
    const record = simMessage(sid);
    expect(record.statusHistory.map((change) => change.status)).toEqual(['queued', 'sent', 'delivered']);
    expect(record.callbackAttempts.map((attempt) => [attempt.messageStatus, attempt.responseStatus])).toEqual(
      [
        ['sent', 200],
        ['delivered', 200],
      ],
    );
  });

  it('serves each status as it is reported', async () => {
    const created = await createMessage({
      To: CUSTOMER,
      From: SENDER,
      Body: 'x',
      StatusCallback: statusCallbackUrl(),
    });
    const sid = created.sid ?? '';
    await waitFor(() => callbacksFor(sid).length >= 1, 'the sent callback');
    const status = (await fetchMessage(sid)).status;
    expect(['sent', 'delivered']).toContain(status); // delivered may follow within 10 ms
    await sim.settled();
    expect((await fetchMessage(sid)).status).toBe('delivered');
  });

  it('sends no callback for the initial status: a Messaging Service message goes accepted -> sent -> delivered', async () => {
    const created = await createMessage({
      To: CUSTOMER,
      MessagingServiceSid: MESSAGING_SERVICE,
      Body: 'from the pool',
      StatusCallback: statusCallbackUrl(),
    });
    expect(created).toMatchObject({
      status: 'accepted',
      from: null,
      messaging_service_sid: MESSAGING_SERVICE,
      num_segments: '0',
    });
    const sid = created.sid ?? '';
    await sim.settled();

    const callbacks = callbacksFor(sid);
    expect(callbacks.map((webhook) => webhook.params.MessageStatus)).toEqual(['sent', 'delivered']);
    expect(callbacks.every((webhook) => webhook.params.MessagingServiceSid === MESSAGING_SERVICE)).toBe(true);
    expect(callbacks.every((webhook) => isSignedBy(webhook, ACCOUNT.authToken))).toBe(true);
    expect(await fetchMessage(sid)).toMatchObject({ status: 'delivered', from: SENDER, num_segments: '1' });
    expect(simMessage(sid).statusHistory.map((change) => change.status)).toEqual([
      'accepted',
      'sent',
      'delivered',
    ]);
  });

  it('retries a failed callback with backoff and records every attempt', async () => {
    receiver.answer = (path, attempt) => (path === '/flaky' && attempt <= 2 ? 503 : 200);
    const created = await createMessage({
      To: CUSTOMER,
      From: SENDER,
      Body: 'x',
      StatusCallback: statusCallbackUrl('/flaky'),
    });
    await sim.settled();

    const attempts = simMessage(created.sid ?? '').callbackAttempts;
    expect(
      attempts.map((attempt) => [attempt.messageStatus, attempt.attempt, attempt.responseStatus]),
    ).toEqual([
      ['sent', 1, 503],
      ['sent', 2, 503],
      ['sent', 3, 200],
      ['delivered', 1, 200],
    ]);
    // A retry is the same event: same signature and idempotency token.
    expect(new Set(attempts.slice(0, 3).map((attempt) => attempt.idempotencyToken)).size).toBe(1);
    expect(new Set(attempts.slice(0, 3).map((attempt) => attempt.signature)).size).toBe(1);
  });

  it('gives up after the configured retries when the receiver is unreachable', async () => {
    const closed = await startReceiver();
    const deadUrl = `${closed.url}/status`;
    await closed.close();
    const created = await createMessage({ To: CUSTOMER, From: SENDER, Body: 'x', StatusCallback: deadUrl });
    await sim.settled();

    const attempts = simMessage(created.sid ?? '').callbackAttempts;
    expect(attempts).toHaveLength(8); // (1 try + 3 retries) for sent and for delivered
    expect(attempts.every((attempt) => attempt.responseStatus === null && attempt.error !== null)).toBe(true);
    expect((await fetchMessage(created.sid ?? '')).status).toBe('delivered');
  });
});

describe('fault injection', () => {
  it('shows, validates and resets the fault settings', async () => {
    expect((await call('GET', '/_sim/faults')).json).toMatchObject({ api429: 0, api500: 0, undelivered: 0 });
    const set = await call('POST', '/_sim/faults', { json: { api429: 0.5, undeliveredErrorCode: 30007 } });
    expect(set.status).toBe(200);
    expect((await call('GET', '/_sim/faults')).json).toMatchObject({
      api429: 0.5,
      undeliveredErrorCode: 30007,
    });

    for (const junk of [{ api429: 2 }, { api500: 'often' }, { nope: 1 }, [], { undeliveredErrorCode: 1 }]) {
      const answer = await call('POST', '/_sim/faults', { json: junk });
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual({ error: expect.any(String) });
    }
    const notJson = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);

    expect((await call('DELETE', '/_sim/faults')).status).toBe(200);
    expect((await call('GET', '/_sim/faults')).json).toMatchObject({
      api429: 0,
      undeliveredErrorCode: 30003,
    });
  });

  it.each([
    { fault: 'api500', status: 500, code: 20500 },
    { fault: 'api429', status: 429, code: 20429 },
  ])(
    'answers every API request with $status / $code at $fault = 1 and creates nothing',
    async ({ fault, status, code }) => {
      await call('POST', '/_sim/faults', { json: { [fault]: 1 } });
      const create = await call('POST', messagesPath(), {
        auth: ACCOUNT_AUTH,
        form: { To: CUSTOMER, From: SENDER, Body: 'x' },
      });
      expectTwilioError(create, status, code);
      expectTwilioError(await call('GET', messagesPath(), { auth: ACCOUNT_AUTH }), status, code);
      expect(sim.messages()).toEqual([]);
      expect(sim.apiRequests().map((request) => request.fault)).toEqual([fault, fault]);

      await call('DELETE', '/_sim/faults');
      await createMessage({ To: CUSTOMER, From: SENDER, Body: 'x' });
    },
  );

  it('ends messages undelivered with the configured error code', async () => {
    await call('POST', '/_sim/faults', { json: { undelivered: 1, undeliveredErrorCode: 30007 } });
    const created = await createMessage({
      To: CUSTOMER,
      From: SENDER,
      Body: 'x',
      StatusCallback: statusCallbackUrl(),
    });
    const sid = created.sid ?? '';
    await sim.settled();

    const callbacks = callbacksFor(sid);
    expect(callbacks.map((webhook) => webhook.params.MessageStatus)).toEqual(['sent', 'undelivered']);
    expect(callbacks[0]?.params.ErrorCode).toBeUndefined();
    expect(callbacks[1]?.params).toMatchObject({
      ErrorCode: '30007',
      RawDlrDoneDate: expect.stringMatching(/^\d{10}$/),
    });
    expect(callbacks.every((webhook) => isSignedBy(webhook, ACCOUNT.authToken))).toBe(true);
    expect(await fetchMessage(sid)).toMatchObject({
      status: 'undelivered',
      error_code: 30007,
      error_message: 'Carrier violation',
    });
  });

  it('posts every callback twice with the same signature and idempotency token', async () => {
    await call('POST', '/_sim/faults', { json: { duplicateCallbacks: 1 } });
    const created = await createMessage({
      To: CUSTOMER,
      From: SENDER,
      Body: 'x',
      StatusCallback: statusCallbackUrl(),
    });
    await sim.settled();

    const callbacks = callbacksFor(created.sid ?? '');
    expect(callbacks.map((webhook) => webhook.params.MessageStatus)).toEqual([
      'sent',
      'sent',
      'delivered',
      'delivered',
    ]);
    expect(callbacks[0]?.headers['x-twilio-signature']).toBe(callbacks[1]?.headers['x-twilio-signature']);
    expect(callbacks[0]?.headers['i-twilio-idempotency-token']).toBe(
      callbacks[1]?.headers['i-twilio-idempotency-token'],
    );
    expect(callbacks[0]?.headers['i-twilio-idempotency-token']).not.toBe(
      callbacks[2]?.headers['i-twilio-idempotency-token'],
    );
    expect(callbacks.every((webhook) => isSignedBy(webhook, ACCOUNT.authToken))).toBe(true);
    expect(simMessage(created.sid ?? '').callbackAttempts.map((attempt) => attempt.delivery)).toEqual([
      'original',
      'duplicate',
      'original',
      'duplicate',
    ]);
  });

  it('posts delivered before sent when reordering, while the resource ends delivered', async () => {
    await call('POST', '/_sim/faults', { json: { reorderCallbacks: 1 } });
    const created = await createMessage({
      To: CUSTOMER,
      From: SENDER,
      Body: 'x',
      StatusCallback: statusCallbackUrl(),
    });
    await sim.settled();

    const callbacks = callbacksFor(created.sid ?? '');
    expect(callbacks.map((webhook) => webhook.params.MessageStatus)).toEqual(['delivered', 'sent']);
    expect(callbacks.every((webhook) => isSignedBy(webhook, ACCOUNT.authToken))).toBe(true);
    expect((await fetchMessage(created.sid ?? '')).status).toBe('delivered');
  });

  it('slows responses but still creates the message when the client gives up', async () => {
    await call('POST', '/_sim/faults', { json: { apiSlowMs: 300, apiSlowRate: 1 } });
    const started = Date.now();
    await createMessage({ To: CUSTOMER, From: SENDER, Body: 'slow' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    await expect(
      call('POST', messagesPath(), {
        auth: ACCOUNT_AUTH,
        form: { To: CUSTOMER, From: SENDER, Body: 'timed out' },
        signal: AbortSignal.timeout(50),
      }),
    ).rejects.toThrow();
    await waitFor(() => sim.messages().length === 2, 'the second message');
    expect(sim.messages().map((message) => message.resource.body)).toEqual(['slow', 'timed out']);
    expect(sim.apiRequests()[0]?.slowedMs).toBe(300);
  });

  it('draws faults from the seedable random source', async () => {
    const draws = [0.9, 0.1]; // first request passes a 0.5 rate, the second does not
    const seeded = await startTwilioSimulator({
      port: 0,
      directory: inMemoryDirectory([{ tenantId: 'demo', account: ACCOUNT }]),
      platformBaseUrl: receiver.url,
      random: () => draws.shift() ?? 0,
    });
    try {
      seeded.setFaults({ api500: 0.5 });
      const statuses: number[] = [];
      for (let index = 0; index < 2; index++) {
        const response = await fetch(`${seeded.url}${messagesPath()}`, {
          headers: { Authorization: ACCOUNT_AUTH },
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([200, 500]);
    } finally {
      await seeded.close();
    }
  });
});

describe('the phone (/_sim/inbound)', () => {
  const inboundPath = '/webhooks/twilio/demo/inbound';

  it('posts Twilio’s incoming-message form, signed with the tenant’s auth token', async () => {
    const answer = await call('POST', '/_sim/inbound', {
      json: { tenantId: 'demo', from: CUSTOMER, to: SENDER, body: 'Where is my order?' },
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      messageSid: expect.stringMatching(SID),
      status: 200,
      responseBody: '<Response/>',
    });
    const { messageSid } = answer.json as { messageSid: string };

    const [webhook] = receiver.received;
    expect(webhook?.path).toBe(inboundPath);
    if (!webhook) throw new Error('no webhook received');
    expect(isSignedBy(webhook, ACCOUNT.authToken)).toBe(true);
    expect(isSignedBy(webhook, OTHER_ACCOUNT.authToken)).toBe(false);
    expect(webhook.params).toEqual({
      ToCountry: 'US',
      ToState: '',
      SmsMessageSid: messageSid,
      NumMedia: '0',
      ToCity: '',
      FromZip: '',
      SmsSid: messageSid,
      FromState: '',
      SmsStatus: 'received',
      FromCity: '',
      Body: 'Where is my order?',
      FromCountry: 'US',
      To: SENDER,
      ToZip: '',
      NumSegments: '1',
      MessageSid: messageSid,
      AccountSid: ACCOUNT.accountSid,
      From: CUSTOMER,
      ApiVersion: '2010-04-01',
    });

    const [record] = (await call('GET', '/_sim/inbound')).json as {
      tenantId: string;
      responseStatus: number;
      params: Record<string, string>;
    }[];
    expect(record).toMatchObject({
      tenantId: 'demo',
      messageSid,
      responseStatus: 200,
      responseBody: '<Response/>',
    });
    expect(record?.params).toEqual(webhook.params);
  });

  it('sends media as MediaUrlN / MediaContentTypeN with an MM SID, and a Messaging Service when given', async () => {
    const answer = await call('POST', '/_sim/inbound', {
      json: {
        tenantId: 'demo',
        from: CUSTOMER,
        to: SENDER,
        body: '',
        mediaUrls: ['https://media.example/photo.jpg', 'https://media.example/clip.mp4?x=1'],
        messagingServiceSid: MESSAGING_SERVICE,
      },
    });
    expect(answer.json).toMatchObject({ messageSid: expect.stringMatching(/^MM[0-9a-f]{32}$/), status: 200 });
    const webhook = receiver.received[0];
    if (!webhook) throw new Error('no webhook received');
    expect(isSignedBy(webhook, ACCOUNT.authToken)).toBe(true);
    expect(webhook.params).toMatchObject({
      NumMedia: '2',
      MediaUrl0: 'https://media.example/photo.jpg',
      MediaContentType0: 'image/jpeg',
      MediaUrl1: 'https://media.example/clip.mp4?x=1',
      MediaContentType1: 'video/mp4',
      MessagingServiceSid: MESSAGING_SERVICE,
    });
  });

  it('replays a given MessageSid (a duplicate webhook) and reports the platform’s answer', async () => {
    const messageSid = `SM${'7'.repeat(32)}`;
    receiver.answer = (path, attempt) => (path === inboundPath && attempt === 2 ? 409 : 200);
    const sms = { tenantId: 'demo', from: CUSTOMER, to: SENDER, body: 'again', messageSid };
    const first = await call('POST', '/_sim/inbound', { json: sms });
    const second = await call('POST', '/_sim/inbound', { json: sms });
    expect([first.json, second.json]).toEqual([
      { messageSid, status: 200, responseBody: '<Response/>' },
      { messageSid, status: 409, responseBody: '' },
    ]);
    expect(receiver.received.map((webhook) => webhook.params.MessageSid)).toEqual([messageSid, messageSid]);
  });

  it('posts the same webhook twice at duplicateInbound = 1, as a Twilio retry does', async () => {
    await call('POST', '/_sim/faults', { json: { duplicateInbound: 1 } });
    const answer = await call('POST', '/_sim/inbound', {
      json: { tenantId: 'demo', from: CUSTOMER, to: SENDER, body: 'twice' },
    });
    await call('DELETE', '/_sim/faults');
    expect(answer.json).toEqual({
      messageSid: expect.stringMatching(SID),
      status: 200,
      responseBody: '<Response/>',
      duplicates: [200],
    });
    const { messageSid } = answer.json as { messageSid: string };
    const [first, second] = receiver.received;
    expect(receiver.received).toHaveLength(2);
    expect(second?.params).toEqual(first?.params);
    expect(second?.params.MessageSid).toBe(messageSid);
    expect(second?.headers['x-twilio-signature']).toBe(first?.headers['x-twilio-signature']);
    const recorded = (await call('GET', '/_sim/inbound')).json as { delivery: string; messageSid: string }[];
    expect(recorded.map((record) => [record.messageSid, record.delivery]).sort()).toEqual([
      [messageSid, 'duplicate'],
      [messageSid, 'original'],
    ]);
  });

  it('signs for the tenant it posts to', async () => {
    await call('POST', '/_sim/inbound', {
      json: { tenantId: 'other', from: CUSTOMER, to: SENDER, body: 'hi' },
    });
    const webhook = receiver.received[0];
    if (!webhook) throw new Error('no webhook received');
    expect(webhook.path).toBe('/webhooks/twilio/other/inbound');
    expect(webhook.params.AccountSid).toBe(OTHER_ACCOUNT.accountSid);
    expect(isSignedBy(webhook, OTHER_ACCOUNT.authToken)).toBe(true);
    expect(isSignedBy(webhook, ACCOUNT.authToken)).toBe(false);
  });

  it('answers 404 for an unknown tenant and 400 for junk', async () => {
    const unknown = await call('POST', '/_sim/inbound', {
      json: { tenantId: 'nobody', from: CUSTOMER, to: SENDER, body: 'x' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ error: expect.stringContaining('nobody') });
    for (const junk of [
      { tenantId: 'demo', from: CUSTOMER, to: SENDER },
      { tenantId: 'demo', from: CUSTOMER, to: SENDER, body: 'x', mediaUrls: 'https://x' },
      { tenantId: 'demo', from: CUSTOMER, to: SENDER, body: 'x', messageSid: 'SM1' },
      { tenantId: 'demo', from: CUSTOMER, to: SENDER, body: 'x', signWith: 'other' },
      'text',
    ]) {
      expect((await call('POST', '/_sim/inbound', { json: junk })).status).toBe(400);
    }
    expect(receiver.received).toEqual([]);
  });

  it('answers 502 when the platform is unreachable', async () => {
    const down = await startReceiver();
    await down.close();
    const phone = await startTwilioSimulator({
      port: 0,
      directory: inMemoryDirectory([{ tenantId: 'demo', account: ACCOUNT }]),
      platformBaseUrl: down.url,
    });
    try {
      const response = await fetch(`${phone.url}/_sim/inbound`, {
        method: 'POST',
        body: JSON.stringify({ tenantId: 'demo', from: CUSTOMER, to: SENDER, body: 'x' }),
      });
      expect(response.status).toBe(502);
      expect(await response.json()).toMatchObject({ status: null, error: expect.any(String) });
      expect(phone.inboundWebhooks()[0]?.responseStatus).toBeNull();
    } finally {
      await phone.close();
    }
  });
});

describe('inspection', () => {
  it('records API requests, messages with history and callbacks, and clears them', async () => {
    const created = await createMessage({
      To: CUSTOMER,
      From: SENDER,
      Body: 'inspect me',
      MediaUrl: ['https://example.com/a.png', 'https://example.com/b.png'],
      StatusCallback: statusCallbackUrl(),
    });
    await call('GET', `${messagesPath()}?PageSize=5`, { auth: ACCOUNT_AUTH });
    await call('GET', messagesPath(), { auth: basic(ACCOUNT.accountSid, 'wrong') });
    await sim.settled();

    const requests = (await call('GET', '/_sim/requests')).json as ApiRequestRecord[];
    expect(requests.map((request) => [request.method, request.path, request.responseStatus])).toEqual([
      ['POST', messagesPath(), 201],
      ['GET', messagesPath(), 200],
      ['GET', messagesPath(), 401],
    ]);
    expect(requests[0]?.params).toEqual({
      To: CUSTOMER,
      From: SENDER,
      Body: 'inspect me',
      MediaUrl: ['https://example.com/a.png', 'https://example.com/b.png'],
      StatusCallback: statusCallbackUrl(),
    });
    expect(requests[1]?.query).toEqual({ PageSize: '5' });
    expect(requests[2]).toMatchObject({ principal: null, authUsername: ACCOUNT.accountSid });

    const messages = (await call('GET', '/_sim/messages')).json as SimMessage[];
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(message?.sid).toBe(created.sid);
    expect(message?.statusCallback).toBe(statusCallbackUrl());
    expect(message?.statusHistory.map((change) => change.status)).toEqual(['queued', 'sent', 'delivered']);
    expect(
      message?.callbackAttempts.map((attempt) => [
        attempt.url,
        attempt.params.MessageStatus,
        attempt.responseStatus,
      ]),
    ).toEqual([
      [statusCallbackUrl(), 'sent', 200],
      [statusCallbackUrl(), 'delivered', 200],
    ]);
    assertValidMessageResource(message?.resource);

    expect((await call('DELETE', '/_sim/state')).status).toBe(204);
    expect((await call('GET', '/_sim/messages')).json).toEqual([]);
    expect((await call('GET', '/_sim/requests')).json).toEqual([]);
    expect((await call('GET', '/_sim/inbound')).json).toEqual([]);
  });

  it('answers unknown paths in Twilio’s error shape and unknown simulator endpoints with 404', async () => {
    expectTwilioError(await call('GET', '/2010-04-01/Accounts.json', { auth: ACCOUNT_AUTH }), 404, 20404);
    expectTwilioError(
      await call('DELETE', messagePath(`SM${'0'.repeat(32)}`), { auth: ACCOUNT_AUTH }),
      405,
      20004,
    );
    expect((await call('GET', '/_sim/nothing')).status).toBe(404);
    expect((await call('GET', '/_sim/health')).json).toEqual({ ok: true });
  });
});
