import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../lib/topology';
import { LOCAL_DEMO_TENANT_PRINCIPAL, LOCAL_TENANT_PRINCIPALS } from '../../local/endpoints';
import { type LocalApi, startLocalApi } from '../../local/runtime/api-gateway';
import { DEMO_TENANT, seedTenant } from '../../local/seed';
import { LOCAL_API_PRINCIPAL, LOCAL_STAGE } from '../../local/stack';
import { repliesTo, useLocalStack, waitForReplies } from '../support/local-stack';
import { type SigningCredentials, signedFetch, signedRequest } from '../support/sigv4';
import { sleep } from '../support/wait';

/**
 * A caller bound to one tenant (docs/api.md "Conversations API"): in AWS the RestApi's resource policy
 * denies any `{tenantId}` but the caller's `smsTenant` tag; locally the API answers the same 403
 * for a principal whose `tenants` do not hold the path's tenant. The bound principal is
 * `local-demo` (local/endpoints.ts); `local` is the operator, allowed every tenant.
 *
 * The API under test is a local API over the running stack's own functions and DynamoDB, with the
 * topology's routes and both kinds of principal: the stack's own API (local/stack.ts) accepts the
 * operator only until it is handed LOCAL_TENANT_PRINCIPALS too.
 */
const stack = useLocalStack();
let api: LocalApi;

const OTHER = {
  tenantId: 'other',
  name: 'Other',
  accountSid: `AC${'c3'.repeat(16)}`,
  authToken: 'other-token-0123456789abcdef01234',
  number: '+15005550411',
  workflowFile: 'examples/workflows/order-status.json',
};

beforeAll(async () => {
  await seedTenant(stack(), OTHER);
  api = await startLocalApi({
    port: 0,
    stage: LOCAL_STAGE,
    iamPrincipal: LOCAL_API_PRINCIPAL,
    iamPrincipals: LOCAL_TENANT_PRINCIPALS,
    routes: routes.map((route) => ({
      method: route.method,
      path: route.path,
      fn: stack().functions[route.function],
      ...(route.authorization ? { authorization: route.authorization } : {}),
    })),
  });
});
afterAll(async () => {
  await api?.close();
});

const BOUND = LOCAL_DEMO_TENANT_PRINCIPAL;
const OPERATOR = LOCAL_API_PRINCIPAL;

/** A one-message start from `from` to `to`, signed by `who`, at `path` exactly as written. */
function send(who: SigningCredentials, path: string, from: string, to: string) {
  return signedFetch(
    `${api.url}${path}`,
    { method: 'POST', body: JSON.stringify({ from, to, body: 'Your order shipped' }) },
    who,
  );
}

/** API Gateway's 403 for a resource policy's explicit Deny, naming the caller and the resource. */
function denied(path: string) {
  return {
    Message: `User: ${BOUND.userArn} is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:000000000000:local/${LOCAL_STAGE}/POST${path} with an explicit deny`,
  };
}

async function expectDenied(response: Response, path: string) {
  expect(response.status).toBe(403);
  expect(response.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
  expect(await response.json()).toEqual(denied(path));
}

/** API Gateway's 403 when no route matches, or when a route with IAM auth gets no signature. */
async function expectMissingToken(response: Response) {
  expect(response.status).toBe(403);
  expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
}

describe('tenant binding of the conversations API (local)', () => {
  it('binds local-demo to the demo tenant only', () => {
    expect(BOUND.tenants).toEqual([DEMO_TENANT.tenantId]);
    expect(OPERATOR).not.toHaveProperty('tenants');
  });

  it('lets the bound principal start on its own tenant: 201', async () => {
    const customer = '+15557772001';
    const response = await send(BOUND, '/v1/tenants/demo/conversations', DEMO_TENANT.number, customer);
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ tenantId: 'demo', kind: 'message', status: 'queued' });
    const [sms] = await waitForReplies(stack(), customer, 1);
    expect(sms?.resource.from).toBe(DEMO_TENANT.number);
  });

  it('refuses the bound principal on another tenant with 403 AccessDeniedException; the operator passes', async () => {
    const customer = '+15557772002';
    const path = '/v1/tenants/other/conversations';
    await expectDenied(await send(BOUND, path, OTHER.number, customer), path);
    await sleep(300);
    expect(repliesTo(stack(), customer)).toEqual([]);

    const operator = await send(OPERATOR, path, OTHER.number, customer);
    expect(operator.status).toBe(201);
    expect(await operator.json()).toMatchObject({ tenantId: 'other', kind: 'message' });
    await waitForReplies(stack(), customer, 1);
  });

  it('refuses its own tenant spelled in capitals (ARNs match case-sensitively); the function refuses it for the operator', async () => {
    const path = '/v1/tenants/DEMO/conversations';
    await expectDenied(await send(BOUND, path, DEMO_TENANT.number, '+15557772003'), path);
    const operator = await send(OPERATOR, path, DEMO_TENANT.number, '+15557772003');
    expect(operator.status).toBe(400);
    expect(await operator.json()).toEqual({
      error: 'invalid-request',
      message: 'tenantId must match [a-z0-9-]{2,40}',
    });
  });

  it('refuses a tenant id that merely starts with its own', async () => {
    const path = '/v1/tenants/demo-2/conversations';
    await expectDenied(await send(BOUND, path, DEMO_TENANT.number, '+15557772004'), path);
  });

  it('refuses an encoded slash in the tenant segment: one segment, decoded `demo/../other`, not demo', async () => {
    const path = '/v1/tenants/demo%2F..%2Fother/conversations';
    await expectDenied(await send(BOUND, path, DEMO_TENANT.number, '+15557772005'), path);
    const operator = await send(OPERATOR, path, DEMO_TENANT.number, '+15557772005');
    expect(operator.status).toBe(400);
    expect(await operator.json()).toEqual({
      error: 'invalid-request',
      message: 'tenantId must match [a-z0-9-]{2,40}',
    });
    await sleep(300);
    expect(repliesTo(stack(), '+15557772005')).toEqual([]);
  });

  it('sees dot segments resolved by the client: /demo/../other is a request for other', async () => {
    const written = '/v1/tenants/demo/../other/conversations';
    expect(new URL(`${api.url}${written}`).pathname).toBe('/v1/tenants/other/conversations');
    await expectDenied(
      await send(BOUND, written, OTHER.number, '+15557772006'),
      '/v1/tenants/other/conversations',
    );
  });

  it.each([
    ['a trailing slash', '/v1/tenants/demo/conversations/'],
    ['a double slash before the tenant', '/v1/tenants//demo/conversations'],
    ['a double slash after the tenant', '/v1/tenants/demo//conversations'],
    ['a double slash at the start', '//v1/tenants/demo/conversations'],
  ])('answers %s with no route: 403 Missing Authentication Token', async (_name, path) => {
    await expectMissingToken(await send(BOUND, path, DEMO_TENANT.number, '+15557772007'));
  });

  it('refuses a request signed for its own tenant but sent to another: the signature covers the path', async () => {
    const body = JSON.stringify({ from: OTHER.number, to: '+15557772008', body: 'hi' });
    const signed = await signedRequest(
      `${api.url}/v1/tenants/demo/conversations`,
      { method: 'POST', body },
      BOUND,
    );
    const { host: _host, ...headers } = signed.headers;
    const response = await fetch(`${api.url}/v1/tenants/other/conversations`, {
      method: 'POST',
      headers,
      body,
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect(await response.json()).toEqual({
      message: 'The request signature we calculated does not match the signature you provided.',
    });
  });

  it('refuses an unsigned request for any tenant, and a forged bound key', async () => {
    const unsigned = await fetch(`${api.url}/v1/tenants/demo/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: DEMO_TENANT.number, to: '+15557772009', body: 'hi' }),
    });
    await expectMissingToken(unsigned);
    const forged = await send(
      { ...BOUND, secretAccessKey: 'guess' },
      '/v1/tenants/demo/conversations',
      DEMO_TENANT.number,
      '+15557772009',
    );
    expect(forged.status).toBe(403);
    expect(await forged.json()).toEqual({
      message: 'The request signature we calculated does not match the signature you provided.',
    });
    await sleep(300);
    expect(repliesTo(stack(), '+15557772009')).toEqual([]);
  });
});
