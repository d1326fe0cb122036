import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handleStartRequest } from '../../../lambdas/conversations-api/http';
import type { StartOutboundDeps } from '../../../lambdas/conversations-api/start-outbound';

/** Requests refused before the use case runs: its ports must not be touched. */
const untouched = new Proxy({} as StartOutboundDeps, {
  get: (_target, name) => {
    throw new Error(`the use case ran (deps.${String(name)})`);
  },
});

function event(overrides: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  return {
    pathParameters: { tenantId: 'acme' },
    headers: {},
    body: JSON.stringify({ from: '+15005550101', to: '+15551230001', body: 'hi' }),
    isBase64Encoded: false,
    ...overrides,
  } as APIGatewayProxyEvent;
}

describe('conversations API request handling', () => {
  it.each([
    ['a bad tenant id', event({ pathParameters: { tenantId: 'A!' } }), /tenantId must match/],
    ['a body that is not JSON', event({ body: 'from=+1' }), /must be JSON/],
    ['an invalid body', event({ body: '{"from":"+15005550101"}' }), /to must be an E\.164/],
    [
      'a bad Idempotency-Key',
      event({ headers: { 'idempotency-key': 'has space' } }),
      /Idempotency-Key must be/,
    ],
  ])('answers 400 with a reason for %s', async (_name, request, reason) => {
    const { response } = await handleStartRequest(request, untouched);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({
      error: 'invalid-request',
      message: expect.stringMatching(reason),
    });
  });

  it('decodes a base64 body before reading it', async () => {
    const body = Buffer.from('{"from":"+15005550101"}').toString('base64');
    const { response } = await handleStartRequest(event({ body, isBase64Encoded: true }), untouched);
    expect(JSON.parse(response.body).message).toMatch(/to must be an E\.164/);
  });
});
