import { describe, expect, it } from 'vitest';
import { EMPTY_TWIML } from '../../lambdas/ingest/responses';
import { METRICS } from '../../lib/metric-catalog';
import { seedTenant, type TenantSeed } from '../../local/seed';
import { LOCAL_MAX_CONCURRENCY } from '../../local/stack';
import { readTenantSecret } from '../../local/tenants';
import { text, transcriptOf, useLocalStack, waitForReplies } from '../support/local-stack';
import { smsctlBinary, useSmsctl } from '../support/smsctl';
import { formBody, twilioSignature } from '../support/twilio-signing';
import { sleep, waitFor } from '../support/wait';

/**
 * Rotating a tenant's auth token on a warm platform (docs/operations.md "smsctl", tenant put):
 * webhooks Twilio signs with the new token are accepted at once (ingest re-reads the secret on a
 * mismatch), webhooks signed with the old one within its grace too, and nothing else is; requests
 * that fail a cheap check never reach Secrets Manager.
 */
const stack = useLocalStack();
const { json } = useSmsctl(stack);

const WORKFLOW = 'examples/workflows/order-status.json';
const T1 = 'first-token-0123456789abcdef0123';
const T2 = 'second-token-0123456789abcdef012';
const UNKNOWN_TENANT = { status: 404, body: { message: 'unknown tenant' } };
const MISSING_SIGNATURE = { status: 403, body: { message: 'missing X-Twilio-Signature' } };
const BAD_SIGNATURE = { status: 403, body: { message: 'invalid X-Twilio-Signature' } };

function tenant(tenantId: string, digit: string, number: string): TenantSeed {
  return {
    tenantId,
    name: tenantId,
    accountSid: `AC${digit.repeat(32)}`,
    authToken: T1,
    number,
    workflowFile: WORKFLOW,
    segmentsPerSecond: 10,
  };
}

let sids = 0;
const nextSid = () => `SM${(0xe0000 + ++sids).toString(16).padStart(32, '0')}`;

function inboundParams(seed: TenantSeed, from: string, body = 'Where is my package?') {
  const sid = nextSid();
  return {
    MessageSid: sid,
    SmsSid: sid,
    AccountSid: seed.accountSid,
    From: from,
    To: seed.number,
    Body: body,
    NumMedia: '0',
  };
}

interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
}

/** Posts a webhook as Twilio would, signed with `token` (or with `signature` as given, or none). */
async function post(
  tenantId: string,
  params: Record<string, string>,
  signing: { token: string } | { signature: string | null },
): Promise<Answer> {
  const path = `/webhooks/twilio/${tenantId}/inbound`;
  const signature =
    'token' in signing
      ? twilioSignature(signing.token, `${stack().publicBaseUrl}${path}`, params)
      : signing.signature;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (signature !== null) headers['x-twilio-signature'] = signature;
  const response = await fetch(`${stack().apiUrl}${path}`, {
    method: 'POST',
    headers,
    body: formBody(params),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text: await response.text(),
  };
}

function expectTwiml(answer: Answer) {
  expect(answer.status).toBe(200);
  expect(answer.contentType).toMatch(/^text\/xml/);
  expect(answer.text).toBe(EMPTY_TWIML);
}

function expectRejection(answer: Answer, expected: { status: number; body: { message: string } }) {
  expect(answer.status).toBe(expected.status);
  expect(answer.contentType).toMatch(/^application\/json/);
  expect(JSON.parse(answer.text)).toEqual(expected.body);
}

/** The inbound transcript entries of a customer with a tenant. */
async function inboundEntries(seed: TenantSeed, customer: string) {
  return (await transcriptOf(stack(), customer, seed.tenantId)).filter(
    (entry) => entry.direction === 'inbound',
  );
}

async function waitForInbound(seed: TenantSeed, customer: string, count: number) {
  return waitFor(`${count} inbound entries of ${customer}`, async () => {
    const entries = await inboundEntries(seed, customer);
    return entries.length >= count ? entries : undefined;
  });
}

/** `smsctl --local --json tenant put … --auth-token -` as an operator runs it: the token on stdin. */
function putTokenFromStdin(tenantId: string, token: string, ...extra: string[]) {
  return smsctlBinary(
    ['--local', '--json', 'tenant', 'put', '--tenant', tenantId, '--auth-token', '-', ...extra],
    `${token}\n`,
  );
}

/** A tenant whose ingest cache holds T1: it answered a text signed with T1, and the pipeline is quiet. */
async function warmTenant(seed: TenantSeed, customer: string) {
  await seedTenant(stack(), seed);
  const warm = await text(stack(), {
    tenantId: seed.tenantId,
    from: customer,
    to: seed.number,
    body: 'Where is my package?',
  });
  expect(warm.status).toBe(200);
  await waitForReplies(stack(), customer, 1);
  // Status callbacks also go through ingest; once they are done, requests run one at a time.
  await stack().simulator.settled();
}

async function rotate(seed: TenantSeed, token: string, ...extra: string[]) {
  const put = await putTokenFromStdin(seed.tenantId, token, ...extra);
  expect(put.stderr).toBe('');
  expect(put.code).toBe(0);
  expect(put.stdout).not.toContain(token);
  expect(put.stdout).not.toContain(T1);
  return JSON.parse(put.stdout) as { ok: boolean; tenant: Record<string, string> };
}

const getSecretValueCalls = () => stack().secretsManagerCalls().GetSecretValue ?? 0;

describe('auth token rotation on a warm platform', () => {
  it('accepts the new token at once and the old one within the default 24 h grace, counting it', async () => {
    const seed = tenant('rotating-a', 'a', '+15005550121');
    await warmTenant(seed, '+15557100001');

    const before = Date.now();
    const put = await rotate(seed, T2);
    const validUntil = Date.parse(put.tenant.previousTokenValidUntil ?? '');
    expect(validUntil).toBeGreaterThanOrEqual(before + 24 * 3600_000);
    expect(validUntil).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
    expect(
      await readTenantSecret(stack().clients.secrets, stack().tenantSecretPrefix, seed.tenantId),
    ).toEqual({
      accountSid: seed.accountSid,
      authToken: T2,
      previousAuthToken: T1,
      previousAuthTokenValidUntil: put.tenant.previousTokenValidUntil,
    });

    // The simulator signs with the secret's token, now T2, as Twilio does once rotated.
    const fresh = await text(stack(), {
      tenantId: seed.tenantId,
      from: '+15557100002',
      to: seed.number,
      body: 'Where is my package?',
    });
    expect(fresh).toMatchObject({ status: 200, responseBody: EMPTY_TWIML });
    const [entry] = await waitForInbound(seed, '+15557100002', 1);
    expect(entry).toMatchObject({ body: 'Where is my package?', messageSid: fresh.messageSid });

    // Twilio may still deliver what it signed with T1 just before the switch.
    const late = inboundParams(seed, '+15557100003', 'order 123456');
    expectTwiml(await post(seed.tenantId, late, { token: T1 }));
    const [lateEntry] = await waitForInbound(seed, '+15557100003', 1);
    expect(lateEntry).toMatchObject({ body: 'order 123456', messageSid: late.MessageSid });
    await waitFor('the previous-token metric', () =>
      stack().metrics.sum(METRICS.signatureAcceptedWithPreviousToken, { TenantId: seed.tenantId }) >= 1
        ? true
        : undefined,
    );

    // Any other token is still refused.
    const forged = inboundParams(seed, '+15557100004');
    expectRejection(
      await post(seed.tenantId, forged, { token: 'fedcba9876543210fedcba9876543210' }),
      BAD_SIGNATURE,
    );
    await sleep(500);
    expect(await inboundEntries(seed, '+15557100004')).toEqual([]);
  });

  it('with --previous-token-grace 0 the old token gets 403 once the new one has been seen', async () => {
    const seed = tenant('rotating-b', 'b', '+15005550122');
    await warmTenant(seed, '+15557200001');

    const put = await rotate(seed, T2, '--previous-token-grace', '0');
    expect(put.tenant.previousTokenValidUntil).toBeUndefined();
    expect(
      await readTenantSecret(stack().clients.secrets, stack().tenantSecretPrefix, seed.tenantId),
    ).toEqual({
      accountSid: seed.accountSid,
      authToken: T2,
    });

    const fresh = inboundParams(seed, '+15557200002');
    expectTwiml(await post(seed.tenantId, fresh, { token: T2 }));
    await waitForInbound(seed, '+15557200002', 1);

    const leaked = inboundParams(seed, '+15557200003');
    expectRejection(await post(seed.tenantId, leaked, { token: T1 }), BAD_SIGNATURE);
    await sleep(500);
    expect(await inboundEntries(seed, '+15557200003')).toEqual([]);
  });

  it('the old token is refused once its grace has passed', async () => {
    const seed = tenant('rotating-c', 'c', '+15005550123');
    await warmTenant(seed, '+15557300001');
    await rotate(seed, T2, '--previous-token-grace', '3s');

    expectTwiml(await post(seed.tenantId, inboundParams(seed, '+15557300002'), { token: T2 }));
    expectTwiml(await post(seed.tenantId, inboundParams(seed, '+15557300003'), { token: T1 }));
    await sleep(3100);
    const expired = inboundParams(seed, '+15557300004');
    expectRejection(await post(seed.tenantId, expired, { token: T1 }), BAD_SIGNATURE);
    expectTwiml(await post(seed.tenantId, inboundParams(seed, '+15557300005'), { token: T2 }));
    await waitForInbound(seed, '+15557300005', 1);
    expect(await inboundEntries(seed, '+15557300004')).toEqual([]);
  });

  it('tenant put refuses an unreadable grace before touching anything', async () => {
    const put = await putTokenFromStdin(
      'rotating-a',
      'third-token-0123456789abcdef0123',
      '--previous-token-grace',
      '24',
    );
    expect(put).toMatchObject({
      code: 2,
      stderr: 'smsctl: --previous-token-grace: expected 0 or a duration such as 90s, 30m, 24h or 2d\n',
    });
    const secret = await readTenantSecret(stack().clients.secrets, stack().tenantSecretPrefix, 'rotating-a');
    expect(secret?.authToken).toBe(T2);
  });

  it('tenant get shows until when the previous token is accepted, never a token', async () => {
    const got = await json<{ tenant: Record<string, unknown> }>('tenant', 'get', '--tenant', 'rotating-a');
    expect(got.tenant.previousTokenValidUntil).toEqual(expect.any(String));
    expect(JSON.stringify(got)).not.toContain(T1);
    expect(JSON.stringify(got)).not.toContain(T2);
  });
});

describe('floods that fail a cheap check never reach Secrets Manager', () => {
  const seed = tenant('rotating-a', 'a', '+15005550121');

  it('200 unsigned POSTs to a known tenant: 403 each, no secret read', async () => {
    // A tenant ingest has never looked up: any lookup would be a read, not a cache hit.
    const quiet = tenant('flood-target', 'f', '+15005550124');
    await seedTenant(stack(), quiet);
    await stack().simulator.settled();
    const reads = getSecretValueCalls();
    for (let i = 0; i < 200; i++) {
      const answer = await post(quiet.tenantId, inboundParams(quiet, '+15557400001'), { signature: null });
      expectRejection(answer, MISSING_SIGNATURE);
    }
    expect(getSecretValueCalls()).toBe(reads);
    // The tenant is real: a signed request is read and accepted.
    expectTwiml(await post(quiet.tenantId, inboundParams(quiet, '+15557400005'), { token: T1 }));
    expect(getSecretValueCalls()).toBe(reads + 1);
    // Its reply (sender and simulator read secrets too) is done before the next count starts.
    await waitForReplies(stack(), '+15557400005', 1);
    await stack().simulator.settled();
  });

  it('200 malformed signatures to 200 bogus tenant ids: 403 each, no secret read', async () => {
    const reads = getSecretValueCalls();
    for (let i = 0; i < 200; i++) {
      const params = inboundParams(seed, '+15557400002');
      expectRejection(await post(`bogus-${i}`, params, { signature: 'x' }), BAD_SIGNATURE);
    }
    expect(getSecretValueCalls()).toBe(reads);
  });

  it('100 well-shaped forged signatures to a known tenant: 403 each, at most one refresh per container', async () => {
    const reads = getSecretValueCalls();
    for (let i = 0; i < 100; i++) {
      expectRejection(
        await post(seed.tenantId, inboundParams(seed, '+15557400003'), { token: `forged-${i}` }),
        BAD_SIGNATURE,
      );
    }
    expect(getSecretValueCalls() - reads).toBeLessThanOrEqual(LOCAL_MAX_CONCURRENCY);
  });

  it('100 signed-looking requests to one bogus tenant: 404 each, one lookup per container', async () => {
    const reads = getSecretValueCalls();
    for (let i = 0; i < 100; i++) {
      expectRejection(
        await post('nobody-here', inboundParams(seed, '+15557400004'), { token: T1 }),
        UNKNOWN_TENANT,
      );
    }
    expect(getSecretValueCalls() - reads).toBeLessThanOrEqual(LOCAL_MAX_CONCURRENCY);
    expect(getSecretValueCalls() - reads).toBeGreaterThanOrEqual(1);
  });
});
