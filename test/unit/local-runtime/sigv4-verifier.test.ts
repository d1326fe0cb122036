import { describe, expect, it } from 'vitest';
import { allowsTenant, type LocalPrincipal, verifySigV4 } from '../../../local/runtime/sigv4-verifier';
import { signedRequest } from '../../support/sigv4';

const PRINCIPAL: LocalPrincipal = {
  accessKeyId: 'local',
  secretAccessKey: 'local',
  region: 'us-east-1',
  userArn: 'arn:aws:iam::000000000000:user/local',
};
const URL_ = 'http://127.0.0.1:3000/v1/tenants/acme/conversations';
const BODY = JSON.stringify({ from: '+15005550101', to: '+15551230001', body: 'Hi' });

/** A signed request as the local API receives it. */
async function received(
  options: {
    secret?: string;
    keyId?: string;
    region?: string;
    date?: Date;
    body?: string;
    path?: string;
  } = {},
) {
  const signed = await signedRequest(
    URL_,
    { method: 'POST', body: BODY, headers: { 'idempotency-key': 'k1' } },
    {
      accessKeyId: options.keyId ?? PRINCIPAL.accessKeyId,
      secretAccessKey: options.secret ?? PRINCIPAL.secretAccessKey,
      region: options.region ?? PRINCIPAL.region,
    },
    options.date,
  );
  return {
    method: 'POST',
    path: options.path ?? '/v1/tenants/acme/conversations',
    rawQuery: '',
    rawHeaders: Object.entries(signed.headers).flat(),
    body: Buffer.from(options.body ?? BODY),
  };
}

describe('local SigV4 check (AuthorizationType IAM)', () => {
  it('lets through a request signed with the local credentials, naming the caller', async () => {
    expect(await verifySigV4(await received(), PRINCIPAL)).toEqual({
      ok: true,
      accessKey: 'local',
      userArn: PRINCIPAL.userArn,
      region: 'us-east-1',
      // No tenant list: every tenant (the local operator).
      tenants: '*',
    });
  });

  it.each([
    [
      'no signature',
      async () => ({ ...(await received()), rawHeaders: ['host', '127.0.0.1:3000'] }),
      /Missing Authentication Token/,
    ],
    [
      'another access key',
      () => received({ keyId: 'AKIAOTHER' }),
      /security token included in the request is invalid/,
    ],
    ['a wrong secret', () => received({ secret: 'guess' }), /signature we calculated does not match/],
    ['another region', () => received({ region: 'eu-west-1' }), /scoped to us-east-1/],
    ['a changed body', () => received({ body: BODY.replace('Hi', 'Pay now') }), /does not match/],
    [
      'another path (another tenant)',
      () => received({ path: '/v1/tenants/other/conversations' }),
      /does not match/,
    ],
    [
      'a date 10 minutes old',
      () => received({ date: new Date(Date.now() - 10 * 60_000) }),
      /Signature expired/,
    ],
  ])('refuses %s', async (_name, request, reason) => {
    const verification = await verifySigV4(await request(), PRINCIPAL);
    expect(verification.ok).toBe(false);
    if (!verification.ok) expect(verification.message).toMatch(reason);
  });
});

const BOUND: LocalPrincipal = {
  accessKeyId: 'local-acme',
  secretAccessKey: 'acme-secret',
  region: 'us-east-1',
  userArn: 'arn:aws:sts::000000000000:assumed-role/sms-tenant-acme/local',
  tenants: ['acme'],
};

describe('local SigV4 check with several principals (tenant binding)', () => {
  it('checks the signature against the principal the access key names, and reports its tenants', async () => {
    const bound = await received({ keyId: BOUND.accessKeyId, secret: BOUND.secretAccessKey });
    expect(await verifySigV4(bound, [PRINCIPAL, BOUND])).toEqual({
      ok: true,
      accessKey: BOUND.accessKeyId,
      userArn: BOUND.userArn,
      region: 'us-east-1',
      tenants: ['acme'],
    });
    expect(await verifySigV4(await received(), [PRINCIPAL, BOUND])).toMatchObject({ ok: true, tenants: '*' });
  });

  it.each([
    [
      'an access key no principal has',
      { keyId: 'AKIAOTHER' },
      /security token included in the request is invalid/,
    ],
    [
      "the bound key with the operator's secret",
      { keyId: BOUND.accessKeyId, secret: PRINCIPAL.secretAccessKey },
      /signature we calculated does not match/,
    ],
    [
      "the operator's key with the bound secret",
      { keyId: PRINCIPAL.accessKeyId, secret: BOUND.secretAccessKey },
      /signature we calculated does not match/,
    ],
  ])('refuses %s', async (_name, options, reason) => {
    const verification = await verifySigV4(await received(options), [PRINCIPAL, BOUND]);
    expect(verification.ok).toBe(false);
    if (!verification.ok) expect(verification.message).toMatch(reason);
  });

  it('signs and checks the path as received: an encoded slash stays inside its segment', async () => {
    const encoded = '/v1/tenants/acme%2F..%2Fother/conversations';
    const signed = await signedRequest(
      `http://127.0.0.1:3000${encoded}`,
      { method: 'POST', body: BODY },
      { accessKeyId: BOUND.accessKeyId, secretAccessKey: BOUND.secretAccessKey, region: 'us-east-1' },
    );
    const request = {
      method: 'POST',
      path: encoded,
      rawQuery: '',
      rawHeaders: Object.entries(signed.headers).flat(),
      body: Buffer.from(BODY),
    };
    // What AWS does too: the canonical path is the received path URI-encoded once more.
    expect(await verifySigV4(request, BOUND)).toMatchObject({ ok: true });
    // Decoded and resolved it would be another tenant's path: not what was signed.
    expect(await verifySigV4({ ...request, path: '/v1/tenants/other/conversations' }, BOUND)).toMatchObject({
      ok: false,
      errorType: 'InvalidSignatureException',
    });
  });

  it.each([
    ['*', 'acme', true],
    ['*', 'anything-at-all', true],
    [['acme'], 'acme', true],
    [['acme'], 'other', false],
    [['acme'], 'ACME', false],
    [['acme'], 'acme-2', false],
    [['acme'], 'acme/../other', false],
    [[], 'acme', false],
  ] as const)('tenants %j allow %j: %s', (tenants, tenantId, allowed) => {
    expect(allowsTenant(tenants, tenantId)).toBe(allowed);
  });
});
