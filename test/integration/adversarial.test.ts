import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../lambdas/adapters/dynamodb/keys';
import { DEMO_TENANT, seedTenant } from '../../local/seed';
import { repliesTo, transcriptOf, useLocalStack } from '../support/local-stack';
import { twilioSignature } from '../support/twilio-signing';
import { sleep, waitFor } from '../support/wait';

/**
 * Adversarial webhooks over real HTTP through the local API. Each case is one line of data: what
 * is sent, the status it must get, and what must be recorded afterwards (nothing for a rejection,
 * exactly one inbound turn for an accepted message, even when it arrives twice).
 */
const stack = useLocalStack();

const OTHER = {
  tenantId: 'other-co',
  name: 'Other',
  accountSid: `AC${'e'.repeat(32)}`,
  authToken: 'fedcba9876543210fedcba9876543210',
  number: '+15005550006',
  workflowFile: 'examples/workflows/order-status.json',
};

type Params = Record<string, string | string[]>;

interface Attack {
  readonly tenant?: string;
  readonly kind?: 'inbound' | 'status';
  readonly method?: string;
  readonly params?: Params;
  /** Parameters the signature covers, when they differ from what is sent. */
  readonly signedParams?: Params;
  readonly token?: string;
  /** URL the signature covers, relative to the public base URL, when it differs from the one called. */
  readonly signedUrl?: (base: string, path: string) => string;
  readonly query?: string;
  readonly signature?: string | null | ((valid: string) => string);
  readonly body?: string;
  readonly contentType?: string | null;
  readonly headerName?: string;
  readonly repeat?: number;
}

interface Expectation {
  readonly status: number;
  /** Inbound transcript entries for this case's customer once the pipeline settles. */
  readonly entries: 0 | 1;
  readonly note?: string;
  readonly replies?: 0 | 1;
}

interface Case {
  readonly name: string;
  readonly attack: (customer: string, sid: string) => Attack;
  readonly expect: Expectation;
}

let counter = 0;
function inbound(customer: string, sid: string, overrides: Params = {}): Params {
  return {
    MessageSid: sid,
    SmsSid: sid,
    AccountSid: DEMO_TENANT.accountSid,
    From: customer,
    To: DEMO_TENANT.number,
    Body: 'Where is my package?',
    NumMedia: '0',
    ...overrides,
  };
}
function without(params: Params, key: string): Params {
  const copy = { ...params };
  delete copy[key];
  return copy;
}
const encode = (params: Params) =>
  Object.entries(params)
    .flatMap(([key, value]) =>
      (Array.isArray(value) ? value : [value]).map((item) => [key, item] as [string, string]),
    )
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');

const ACCEPTED: Expectation = { status: 200, entries: 1, replies: 1 };
const REJECTED = (status: number): Expectation => ({ status, entries: 0 });
const OPTED_OUT: Expectation = { status: 200, entries: 1, note: 'optOut', replies: 0 };
const sig = (mutate: (valid: string) => string) => mutate;

const cases: Case[] = [
  // Signatures
  { name: 'a genuine webhook', attack: (c, s) => ({ params: inbound(c, s) }), expect: ACCEPTED },
  {
    name: 'a forged signature',
    attack: (c, s) => ({ params: inbound(c, s), signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }),
    expect: REJECTED(403),
  },
  {
    name: 'no signature header',
    attack: (c, s) => ({ params: inbound(c, s), signature: null }),
    expect: REJECTED(403),
  },
  {
    name: 'an empty signature',
    attack: (c, s) => ({ params: inbound(c, s), signature: '' }),
    expect: REJECTED(403),
  },
  {
    name: 'a truncated signature',
    attack: (c, s) => ({ params: inbound(c, s), signature: sig((v) => v.slice(0, -4)) }),
    expect: REJECTED(403),
  },
  {
    name: 'a signature with a character appended',
    attack: (c, s) => ({ params: inbound(c, s), signature: sig((v) => `${v}A`) }),
    expect: REJECTED(403),
  },
  {
    name: 'a signature in lower case',
    attack: (c, s) => ({ params: inbound(c, s), signature: sig((v) => v.toLowerCase()) }),
    expect: REJECTED(403),
  },
  {
    name: "another tenant's token",
    attack: (c, s) => ({ params: inbound(c, s), token: OTHER.authToken }),
    expect: REJECTED(403),
  },
  {
    name: "a request signed for another tenant's path",
    attack: (c, s) => ({
      params: inbound(c, s),
      signedUrl: (base) => `${base}/webhooks/twilio/${OTHER.tenantId}/inbound`,
    }),
    expect: REJECTED(403),
  },
  {
    name: "tenant A's genuine request replayed on tenant B's path",
    attack: (c, s) => ({
      tenant: OTHER.tenantId,
      params: inbound(c, s),
      signedUrl: (base) => `${base}/webhooks/twilio/demo/inbound`,
    }),
    expect: REJECTED(403),
  },
  {
    name: 'the header name in lower case',
    attack: (c, s) => ({ params: inbound(c, s), headerName: 'x-twilio-signature' }),
    expect: ACCEPTED,
  },
  {
    name: 'a URL signed without its port (twilio-node accepts both)',
    attack: (c, s) => ({
      params: inbound(c, s),
      signedUrl: (base, path) => `${base.replace(/:\d+$/, '')}${path}`,
    }),
    expect: ACCEPTED,
  },
  {
    name: 'a URL signed with https instead of http',
    attack: (c, s) => ({
      params: inbound(c, s),
      signedUrl: (base, path) => `${base.replace('http:', 'https:')}${path}`,
    }),
    expect: REJECTED(403),
  },
  {
    name: 'a URL signed with a stage prefix',
    attack: (c, s) => ({ params: inbound(c, s), signedUrl: (base, path) => `${base}/dev${path}` }),
    expect: REJECTED(403),
  },
  {
    name: 'a URL signed with a Host header of its choosing',
    attack: (c, s) => ({
      params: inbound(c, s),
      signedUrl: (_base, path) => `http://evil.example.com${path}`,
    }),
    expect: REJECTED(403),
  },
  {
    name: 'a query string signed and sent',
    attack: (c, s) => ({
      params: inbound(c, s),
      query: 'a=1&b=2',
      signedUrl: (base, path) => `${base}${path}?a=1&b=2`,
    }),
    expect: ACCEPTED,
  },
  {
    name: 'a query string sent but not signed',
    attack: (c, s) => ({ params: inbound(c, s), query: 'a=1', signedUrl: (base, path) => `${base}${path}` }),
    expect: REJECTED(403),
  },
  {
    name: 'a query string signed in another order',
    attack: (c, s) => ({
      params: inbound(c, s),
      query: 'a=1&b=2',
      signedUrl: (base, path) => `${base}${path}?b=2&a=1`,
    }),
    expect: REJECTED(403),
  },
  {
    name: "an apostrophe sent raw (')",
    attack: (c, s) => ({
      params: inbound(c, s, { Body: "where's my order" }),
      body: encode(inbound(c, s, { Body: "where's my order" })).replace(/%27/g, "'"),
    }),
    expect: ACCEPTED,
  },
  {
    name: 'an apostrophe sent as %27',
    attack: (c, s) => ({ params: inbound(c, s, { Body: "where's my order" }) }),
    expect: ACCEPTED,
  },
  {
    name: 'spaces sent as +',
    attack: (c, s) => ({ params: inbound(c, s), body: encode(inbound(c, s)).replace(/%20/g, '+') }),
    expect: ACCEPTED,
  },
  {
    name: 'spaces sent as %20',
    attack: (c, s) => ({ params: inbound(c, s), body: encode(inbound(c, s)) }),
    expect: ACCEPTED,
  },
  {
    name: 'a body tampered after signing',
    attack: (c, s) => ({ params: inbound(c, s, { Body: 'STOP' }), signedParams: inbound(c, s) }),
    expect: REJECTED(403),
  },
  {
    name: 'a value whitespace-padded after signing',
    attack: (c, s) => ({
      params: inbound(c, s, { Body: ' Where is my package? ' }),
      signedParams: inbound(c, s),
    }),
    expect: REJECTED(403),
  },
  {
    name: 'a parameter added after signing',
    attack: (c, s) => ({ params: inbound(c, s, { Extra: 'x' }), signedParams: inbound(c, s) }),
    expect: REJECTED(403),
  },
  {
    name: 'a parameter removed after signing',
    attack: (c, s) => ({ params: without(inbound(c, s), 'SmsSid'), signedParams: inbound(c, s) }),
    expect: REJECTED(403),
  },
  {
    name: 'a parameter Twilio adds without notice (signed)',
    attack: (c, s) => ({ params: inbound(c, s, { FutureParam: 'new' }) }),
    expect: ACCEPTED,
  },
  {
    name: 'a trailing & in the body',
    attack: (c, s) => ({ params: inbound(c, s), body: `${encode(inbound(c, s))}&` }),
    expect: ACCEPTED,
  },
  {
    name: 'the same webhook delivered three times',
    attack: (c, s) => ({ params: inbound(c, s), repeat: 3 }),
    expect: ACCEPTED,
  },
  // Transport
  {
    name: 'a JSON content type',
    attack: (c, s) => ({ params: inbound(c, s), contentType: 'application/json' }),
    expect: REJECTED(400),
  },
  {
    name: 'a text/plain content type',
    attack: (c, s) => ({ params: inbound(c, s), contentType: 'text/plain' }),
    expect: REJECTED(400),
  },
  {
    name: 'no content type',
    attack: (c, s) => ({ params: inbound(c, s), contentType: null }),
    expect: REJECTED(400),
  },
  {
    name: 'a charset in the content type',
    attack: (c, s) => ({
      params: inbound(c, s),
      contentType: 'application/x-www-form-urlencoded; charset=utf-8',
    }),
    expect: ACCEPTED,
  },
  { name: 'GET', attack: (c, s) => ({ params: inbound(c, s), method: 'GET' }), expect: REJECTED(403) },
  { name: 'PUT', attack: (c, s) => ({ params: inbound(c, s), method: 'PUT' }), expect: REJECTED(403) },
  { name: 'an empty body', attack: () => ({ params: {}, body: '' }), expect: REJECTED(400) },
  {
    name: 'an invalid escape %ZZ',
    attack: (c, s) => ({ params: inbound(c, s), body: `${encode(inbound(c, s))}&X=%ZZ` }),
    expect: REJECTED(400),
  },
  {
    name: 'invalid UTF-8',
    attack: (c, s) => ({ params: inbound(c, s), body: `${encode(inbound(c, s))}&X=%C3%28` }),
    expect: REJECTED(400),
  },
  {
    name: 'a NUL byte',
    attack: (c, s) => ({ params: inbound(c, s), body: `${encode(inbound(c, s))}&X=a%00b` }),
    expect: REJECTED(400),
  },
  {
    name: 'a body over 64 KB',
    attack: (c, s) => ({ params: inbound(c, s), body: `${encode(inbound(c, s))}&Pad=${'x'.repeat(70_000)}` }),
    expect: REJECTED(413),
  },
  {
    name: 'thousands of parameters',
    attack: (c, s) => ({
      params: inbound(c, s),
      body: `${encode(inbound(c, s))}&${Array.from({ length: 3000 }, (_, i) => `p${i}=1`).join('&')}`,
    }),
    expect: REJECTED(400),
  },
  // Content of the message
  {
    name: 'a MessageSid of the wrong shape',
    attack: (c, s) => ({ params: inbound(c, s, { MessageSid: 'SM123' }) }),
    expect: REJECTED(400),
  },
  {
    name: 'a call SID as MessageSid',
    attack: (c, s) => ({ params: inbound(c, s, { MessageSid: `CA${s.slice(2)}` }) }),
    expect: REJECTED(400),
  },
  { name: 'no From', attack: (c, s) => ({ params: without(inbound(c, s), 'From') }), expect: REJECTED(400) },
  { name: 'no To', attack: (c, s) => ({ params: without(inbound(c, s), 'To') }), expect: REJECTED(400) },
  {
    name: 'a repeated Body',
    attack: (c, s) => ({ params: inbound(c, s, { Body: ['a', 'b'] }) }),
    expect: REJECTED(400),
  },
  {
    name: 'a Body over 1600 characters',
    attack: (c, s) => ({ params: inbound(c, s, { Body: 'x'.repeat(1601) }) }),
    expect: REJECTED(400),
  },
  {
    name: 'NumMedia not a number',
    attack: (c, s) => ({ params: inbound(c, s, { NumMedia: 'abc' }) }),
    expect: REJECTED(400),
  },
  {
    name: 'NumMedia without the media URLs',
    attack: (c, s) => ({ params: inbound(c, s, { NumMedia: '2', MediaUrl0: 'https://x/y' }) }),
    expect: REJECTED(400),
  },
  {
    name: 'an AccountSid of another account (signed with our token)',
    attack: (c, s) => ({ params: inbound(c, s, { AccountSid: OTHER.accountSid }) }),
    expect: REJECTED(403),
  },
  {
    name: 'emoji',
    attack: (c, s) => ({ params: inbound(c, s, { Body: 'where is my package 📦🚚' }) }),
    expect: ACCEPTED,
  },
  {
    name: 'a ZWJ sequence',
    attack: (c, s) => ({ params: inbound(c, s, { Body: 'order for 👨‍👩‍👧‍👦' }) }),
    expect: ACCEPTED,
  },
  {
    name: 'an RTL override',
    attack: (c, s) => ({ params: inbound(c, s, { Body: 'order \u202Egnikcart\u202C' }) }),
    expect: ACCEPTED,
  },
  {
    name: 'combining marks',
    attack: (c, s) => ({ params: inbound(c, s, { Body: 'orde\u0301r tracking e\u0301\u0301\u0301' }) }),
    expect: ACCEPTED,
  },
  {
    name: 'template syntax in the Body',
    attack: (c, s) => ({ params: inbound(c, s, { Body: 'order {{order_number}} ${secret} {{vrbl:X}}' }) }),
    expect: ACCEPTED,
  },
  {
    name: 'log injection in the Body',
    attack: (c, s) => ({
      params: inbound(c, s, { Body: 'order\n{"level":"ERROR","message":"pwned"}\u001b[31m' }),
    }),
    expect: ACCEPTED,
  },
  // Carrier keywords
  { name: 'STOP', attack: (c, s) => ({ params: inbound(c, s, { Body: 'STOP' }) }), expect: OPTED_OUT },
  {
    name: 'stop with spaces',
    attack: (c, s) => ({ params: inbound(c, s, { Body: '  stop ' }) }),
    expect: OPTED_OUT,
  },
  { name: 'Stop.', attack: (c, s) => ({ params: inbound(c, s, { Body: 'Stop.' }) }), expect: OPTED_OUT },
  { name: 'STOPALL', attack: (c, s) => ({ params: inbound(c, s, { Body: 'STOPALL' }) }), expect: OPTED_OUT },
  {
    name: 'UNSUBSCRIBE',
    attack: (c, s) => ({ params: inbound(c, s, { Body: 'unsubscribe' }) }),
    expect: OPTED_OUT,
  },
  {
    name: "Twilio's OptOutType=STOP",
    attack: (c, s) => ({ params: inbound(c, s, { Body: 'arrête', OptOutType: 'STOP' }) }),
    expect: OPTED_OUT,
  },
  {
    name: '"stop please" is a message, not a keyword',
    attack: (c, s) => ({ params: inbound(c, s, { Body: 'stop please, where is my order' }) }),
    expect: ACCEPTED,
  },
  // Tenants and numbers
  {
    name: 'an unknown tenant',
    attack: (c, s) => ({ tenant: 'nobody', params: inbound(c, s) }),
    expect: REJECTED(404),
  },
  {
    name: 'a tenant id in upper case',
    attack: (c, s) => ({ tenant: 'DEMO', params: inbound(c, s) }),
    expect: REJECTED(404),
  },
  {
    name: 'a tenant id too long',
    attack: (c, s) => ({ tenant: 'x'.repeat(41), params: inbound(c, s) }),
    expect: REJECTED(404),
  },
  {
    name: 'a number the tenant does not own (recorded, never answered)',
    attack: (c, s) => ({ params: inbound(c, s, { To: '+15550009999' }) }),
    expect: { status: 200, entries: 1, note: 'unknown-number', replies: 0 },
  },
  // Status callbacks
  {
    name: 'a status callback for an unknown MessageSid',
    attack: (_c, s) => ({
      kind: 'status',
      params: { MessageSid: s, AccountSid: DEMO_TENANT.accountSid, MessageStatus: 'delivered' },
    }),
    expect: { status: 204, entries: 0 },
  },
  {
    name: 'a status that does not exist',
    attack: (_c, s) => ({
      kind: 'status',
      params: { MessageSid: s, AccountSid: DEMO_TENANT.accountSid, MessageStatus: 'exploded' },
    }),
    expect: REJECTED(400),
  },
  {
    name: 'an inbound status on the status route',
    attack: (_c, s) => ({
      kind: 'status',
      params: { MessageSid: s, AccountSid: DEMO_TENANT.accountSid, MessageStatus: 'received' },
    }),
    expect: REJECTED(400),
  },
  {
    name: 'a non-numeric ErrorCode',
    attack: (_c, s) => ({
      kind: 'status',
      params: {
        MessageSid: s,
        AccountSid: DEMO_TENANT.accountSid,
        MessageStatus: 'undelivered',
        ErrorCode: '30007; DROP',
      },
    }),
    expect: REJECTED(400),
  },
  {
    name: 'a forged status callback',
    attack: (_c, s) => ({
      kind: 'status',
      params: { MessageSid: s, AccountSid: DEMO_TENANT.accountSid, MessageStatus: 'delivered' },
      token: 'not-the-token',
    }),
    expect: REJECTED(403),
  },
];

interface Outcome {
  readonly customer: string;
  readonly statuses: number[];
  readonly bodies: string[];
}

async function send(attack: Attack): Promise<{ status: number; body: string }> {
  const tenant = attack.tenant ?? 'demo';
  const path = `/webhooks/twilio/${tenant}/${attack.kind ?? 'inbound'}`;
  const base = stack().publicBaseUrl;
  const params = attack.params ?? {};
  const signedUrl = attack.signedUrl
    ? attack.signedUrl(base, path)
    : `${base}${path}${attack.query ? `?${attack.query}` : ''}`;
  const valid = twilioSignature(
    attack.token ?? DEMO_TENANT.authToken,
    signedUrl,
    attack.signedParams ?? params,
  );
  const signature =
    attack.signature === undefined
      ? valid
      : typeof attack.signature === 'function'
        ? attack.signature(valid)
        : attack.signature;
  const headers: Record<string, string> = {};
  if (attack.contentType !== null)
    headers['content-type'] = attack.contentType ?? 'application/x-www-form-urlencoded';
  if (signature !== null) headers[attack.headerName ?? 'X-Twilio-Signature'] = signature;
  const method = attack.method ?? 'POST';
  const response = await fetch(`${stack().apiUrl}${path}${attack.query ? `?${attack.query}` : ''}`, {
    method,
    headers,
    ...(method === 'GET' ? {} : { body: attack.body ?? encode(params) }),
  });
  return { status: response.status, body: await response.text() };
}

const outcomes = new Map<string, Outcome>();

describe('adversarial webhooks', () => {
  beforeAll(async () => {
    await seedTenant(stack(), OTHER);
    for (const testCase of cases) {
      counter++;
      const customer = `+1555300${String(counter).padStart(4, '0')}`;
      const sid = `SM${counter.toString(16).padStart(32, 'a')}`;
      const attack = testCase.attack(customer, sid);
      const statuses: number[] = [];
      const bodies: string[] = [];
      for (let attempt = 0; attempt < (attack.repeat ?? 1); attempt++) {
        const answer = await send(attack);
        statuses.push(answer.status);
        bodies.push(answer.body);
      }
      outcomes.set(testCase.name, { customer, statuses, bodies });
    }
    // Let every accepted message run through the pipeline before checking what was recorded.
    await sleep(2500);
  }, 120_000);

  it(`has at least 60 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    const outcome = outcomes.get(testCase.name);
    if (!outcome) throw new Error('case did not run');
    expect(
      outcome.statuses.every((status) => status === testCase.expect.status),
      `statuses ${outcome.statuses}`,
    ).toBe(true);
    if (testCase.expect.status >= 400) {
      expect(JSON.parse(outcome.bodies[0] ?? '{}').message, 'a clear reason').toEqual(expect.any(String));
    }
    const inboundEntries = await waitFor(
      'the inbound record',
      async () => {
        const entries = (await transcriptOf(stack(), outcome.customer)).filter(
          (entry) => entry.direction === 'inbound',
        );
        return entries.length >= testCase.expect.entries ? entries : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(inboundEntries).toHaveLength(testCase.expect.entries);
    if (testCase.expect.note) expect(inboundEntries[0]?.note).toBe(testCase.expect.note);
    if (testCase.expect.replies !== undefined) {
      if (testCase.expect.replies === 1) {
        await waitFor('a reply', () => (repliesTo(stack(), outcome.customer).length > 0 ? true : undefined));
      }
      expect(repliesTo(stack(), outcome.customer)).toHaveLength(testCase.expect.replies);
    }
  });

  it('stores bodies byte-exact, whatever their script', async () => {
    for (const name of [
      'emoji',
      'a ZWJ sequence',
      'an RTL override',
      'combining marks',
      'template syntax in the Body',
    ]) {
      const testCase = cases.find((candidate) => candidate.name === name);
      const outcome = outcomes.get(name);
      if (!testCase || !outcome) throw new Error(name);
      const sent = testCase.attack(outcome.customer, 'SM').params?.Body;
      const [entry] = (await transcriptOf(stack(), outcome.customer)).filter(
        (item) => item.direction === 'inbound',
      );
      expect(entry?.body, name).toBe(sent);
    }
  });

  it('records the opt-out of a STOP', async () => {
    const stop = outcomes.get('STOP');
    const optOut = await stack().clients.dynamo.send(
      new GetCommand({
        TableName: stack().tableName,
        Key: keys.optOut('demo', String(stop?.customer)),
      }),
    );
    expect(optOut.Item).toBeDefined();
  });
});
