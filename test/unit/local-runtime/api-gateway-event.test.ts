import { describe, expect, it } from 'vitest';
import {
  httpReplyFromProxyResult,
  proxyEvent,
  RouteTable,
  splitUrl,
} from '../../../local/runtime/api-gateway-event';

describe('RouteTable', () => {
  const table = new RouteTable([
    { method: 'POST', path: '/webhooks/twilio/{tenantId}/inbound', target: 'inbound' },
    { method: 'POST', path: '/webhooks/twilio/{tenantId}/status', target: 'status' },
    { method: 'POST', path: '/webhooks/twilio/demo/inbound', target: 'demo-literal' },
    { method: 'ANY', path: '/files/{path+}', target: 'files' },
    { method: 'GET', path: '/', target: 'root' },
  ]);

  it('matches a template and extracts decoded path parameters', () => {
    expect(table.match('POST', '/webhooks/twilio/acme%2Dco/status')).toEqual({
      kind: 'matched',
      route: { method: 'POST', path: '/webhooks/twilio/{tenantId}/status', target: 'status' },
      pathParameters: { tenantId: 'acme-co' },
    });
  });

  it('prefers a literal segment over a parameter, as API Gateway does', () => {
    const match = table.match('POST', '/webhooks/twilio/demo/inbound');
    expect(match.kind === 'matched' && match.route.target).toBe('demo-literal');
  });

  it('lets a greedy parameter span segments and ANY match every method', () => {
    const match = table.match('DELETE', '/files/a/b/c.txt');
    expect(match.kind === 'matched' && match.pathParameters).toEqual({ path: 'a/b/c.txt' });
  });

  it('does not match another method, a parameter spanning segments, or an unknown path', () => {
    expect(table.match('GET', '/webhooks/twilio/demo/inbound').kind).toBe('noRoute');
    expect(table.match('POST', '/webhooks/twilio/a/b/inbound').kind).toBe('noRoute');
    expect(table.match('POST', '/webhooks/twilio//inbound').kind).toBe('noRoute');
    expect(table.match('GET', '/nothing').kind).toBe('noRoute');
    expect(table.match('GET', '/').kind).toBe('matched');
  });
});

describe('proxyEvent', () => {
  const now = new Date('2026-03-04T05:06:07.089Z');
  const event = proxyEvent(
    {
      method: 'POST',
      url: '/webhooks/twilio/demo/inbound?a=1&a=2&b=x%20y',
      rawHeaders: [
        'Host',
        '127.0.0.1:3000',
        'X-Twilio-Signature',
        'sig=',
        'Content-Type',
        'application/x-www-form-urlencoded',
        'X-Dup',
        'one',
        'X-Dup',
        'two',
        'User-Agent',
        'TwilioProxy/1.1',
      ],
      body: Buffer.from('Body=Hi&From=%2B15551230001'),
      sourceIp: '127.0.0.1',
    },
    {
      stage: 'local',
      resource: '/webhooks/twilio/{tenantId}/inbound',
      pathParameters: { tenantId: 'demo' },
      requestId: 'req-1',
      now,
    },
  );

  it('carries resource, path, method, body as text and no stage variables', () => {
    expect(event).toMatchObject({
      resource: '/webhooks/twilio/{tenantId}/inbound',
      path: '/webhooks/twilio/demo/inbound',
      httpMethod: 'POST',
      pathParameters: { tenantId: 'demo' },
      stageVariables: null,
      body: 'Body=Hi&From=%2B15551230001',
      isBase64Encoded: false,
    });
  });

  it('keeps header names as sent, the last value in headers and all in multiValueHeaders', () => {
    expect(event.headers['X-Twilio-Signature']).toBe('sig=');
    expect(event.headers['x-twilio-signature']).toBeUndefined();
    expect(event.headers['X-Dup']).toBe('two');
    expect(event.multiValueHeaders['X-Dup']).toEqual(['one', 'two']);
    expect(event.headers['X-Forwarded-For']).toBe('127.0.0.1');
    expect(event.headers['X-Forwarded-Proto']).toBe('http');
    expect(event.headers['X-Amzn-Trace-Id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it('decodes the query into single and multi-value parameters', () => {
    expect(event.queryStringParameters).toEqual({ a: '2', b: 'x y' });
    expect(event.multiValueQueryStringParameters).toEqual({ a: ['1', '2'], b: ['x y'] });
  });

  it('fills requestContext with the stage-prefixed path and the caller', () => {
    expect(event.requestContext).toMatchObject({
      resourcePath: '/webhooks/twilio/{tenantId}/inbound',
      httpMethod: 'POST',
      path: '/local/webhooks/twilio/demo/inbound',
      stage: 'local',
      requestId: 'req-1',
      requestTimeEpoch: now.getTime(),
      requestTime: '04/Mar/2026:05:06:07 +0000',
      domainName: '127.0.0.1:3000',
      apiId: 'local',
      protocol: 'HTTP/1.1',
      identity: { sourceIp: '127.0.0.1', userAgent: 'TwilioProxy/1.1' },
    });
  });

  it('uses null for an empty body, no query and no path parameters', () => {
    const bare = proxyEvent(
      { method: 'GET', url: '/', rawHeaders: [], body: Buffer.alloc(0), sourceIp: '10.0.0.1' },
      { stage: 'prod', resource: '/', pathParameters: {}, requestId: 'r', now },
    );
    expect(bare.body).toBeNull();
    expect(bare.queryStringParameters).toBeNull();
    expect(bare.multiValueQueryStringParameters).toBeNull();
    expect(bare.pathParameters).toBeNull();
    expect(bare.requestContext.path).toBe('/prod/');
  });

  it('appends the caller to an X-Forwarded-For the client sent', () => {
    const proxied = proxyEvent(
      {
        method: 'GET',
        url: '/',
        rawHeaders: ['x-forwarded-for', '203.0.113.9'],
        body: Buffer.alloc(0),
        sourceIp: '10.0.0.1',
      },
      { stage: 'prod', resource: '/', pathParameters: {}, requestId: 'r', now },
    );
    expect(proxied.headers['x-forwarded-for']).toBe('203.0.113.9, 10.0.0.1');
    expect(proxied.headers['X-Forwarded-For']).toBeUndefined();
  });

  it('splits a URL into path and raw query', () => {
    expect(splitUrl('/a/b?x=1&y')).toEqual({ path: '/a/b', rawQuery: 'x=1&y' });
    expect(splitUrl('/a')).toEqual({ path: '/a', rawQuery: '' });
  });
});

describe('httpReplyFromProxyResult', () => {
  it('merges headers into multi-value headers, once per name/value pair, and defaults the content type', () => {
    const reply = httpReplyFromProxyResult({
      statusCode: 200,
      headers: { 'X-Both': 'same', 'X-Single': 'one', 'Content-Length': '999' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'], 'X-Both': ['same'] },
      body: 'hello',
    });
    expect(reply?.statusCode).toBe(200);
    expect(reply?.headers).toEqual([
      ['Set-Cookie', ['a=1', 'b=2']],
      ['X-Both', ['same']],
      ['X-Single', ['one']],
      ['Content-Type', ['application/json']],
    ]);
    expect(reply?.body.toString()).toBe('hello');
  });

  it('decodes a base64 body', () => {
    const reply = httpReplyFromProxyResult({ statusCode: 200, body: 'AQID', isBase64Encoded: true });
    expect([...(reply?.body ?? [])]).toEqual([1, 2, 3]);
  });

  it('accepts a missing body and a numeric string status', () => {
    expect(httpReplyFromProxyResult({ statusCode: '204' })?.statusCode).toBe(204);
  });

  it.each([
    ['not an object', 'ok'],
    ['no status code', { body: 'x' }],
    ['an impossible status code', { statusCode: 42 }],
    ['a body that is not a string', { statusCode: 200, body: { a: 1 } }],
    ['a header value that is an object', { statusCode: 200, headers: { a: { b: 1 } } }],
    ['multi-value headers that are not lists', { statusCode: 200, multiValueHeaders: { a: 'b' } }],
  ])('calls a result with %s malformed', (_name, result) => {
    expect(httpReplyFromProxyResult(result)).toBeUndefined();
  });
});
