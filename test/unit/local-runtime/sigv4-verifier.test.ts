import { describe, expect, it } from 'vitest';
import { type LocalPrincipal, verifySigV4 } from '../../../local/runtime/sigv4-verifier';
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
