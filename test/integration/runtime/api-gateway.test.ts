import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '../../../local/runtime/api-gateway';
import { LocalFunction } from '../../../local/runtime/local-function';
import { FixtureBundles } from './fixture-bundles';

let fixtures: FixtureBundles;
let fn: LocalFunction;
let api: LocalApi;

beforeAll(async () => {
  fixtures = await FixtureBundles.create();
  fn = new LocalFunction({
    name: 'http-echo',
    bundlePath: await fixtures.bundle('http-echo'),
    timeoutSeconds: 3,
    memorySizeMb: 128,
    concurrency: 2,
    onLog: () => undefined,
  });
  api = await startLocalApi({
    port: 0,
    stage: 'local',
    maxBodyBytes: 1024,
    integrationTimeoutMs: 300,
    routes: [
      { method: 'POST', path: '/webhooks/twilio/{tenantId}/inbound', fn },
      { method: 'GET', path: '/modes/{mode}', fn },
    ],
    fallback: (request, response) => {
      if (request.url !== '/static/index.html') return false;
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<h1>local</h1>');
      return true;
    },
  });
});

afterAll(async () => {
  await api?.close();
  await fn?.close();
  await fixtures?.remove();
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http rather than fetch: it sends header names exactly as written and repeated headers as given. */
function send(
  method: string,
  path: string,
  headers: Record<string, string | string[]> = {},
  body?: string | Buffer[],
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${api.url}${path}`, { method }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    request.on('error', reject);
    for (const [name, value] of Object.entries(headers)) request.setHeader(name, value);
    if (Array.isArray(body)) {
      for (const chunk of body) request.write(chunk);
      request.end();
    } else {
      request.end(body);
    }
  });
}

describe('local API Gateway', () => {
  it('invokes the route’s function with a REST proxy event', async () => {
    const form = 'MessageSid=SM1&Body=Where+is+my+package%3F';
    const response = await send(
      'POST',
      '/webhooks/twilio/demo/inbound?x=1&x=2',
      {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': 'abc=',
        'X-Repeated': ['first', 'second'],
        'User-Agent': 'TwilioProxy/1.1',
      },
      form,
    );
    expect(response.status).toBe(201);
    const event = JSON.parse(response.body) as APIGatewayProxyEvent;
    expect(event).toMatchObject({
      resource: '/webhooks/twilio/{tenantId}/inbound',
      path: '/webhooks/twilio/demo/inbound',
      httpMethod: 'POST',
      pathParameters: { tenantId: 'demo' },
      queryStringParameters: { x: '2' },
      multiValueQueryStringParameters: { x: ['1', '2'] },
      stageVariables: null,
      body: form,
      isBase64Encoded: false,
    });
    expect(event.headers['X-Twilio-Signature']).toBe('abc=');
    expect(event.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
    expect(event.multiValueHeaders['X-Repeated']).toEqual(['first', 'second']);
    expect(event.requestContext).toMatchObject({
      resourcePath: '/webhooks/twilio/{tenantId}/inbound',
      httpMethod: 'POST',
      path: '/local/webhooks/twilio/demo/inbound',
      stage: 'local',
      apiId: 'local',
      domainName: `127.0.0.1:${api.port}`,
      identity: { sourceIp: '127.0.0.1', userAgent: 'TwilioProxy/1.1' },
    });
    expect(response.headers['x-amzn-requestid']).toBe(event.requestContext.requestId);
  });

  it('maps the proxy result back to HTTP, merging single and multi-value headers', async () => {
    const response = await send('GET', '/modes/echo');
    expect(response.status).toBe(201);
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(response.headers['x-single']).toBe('one');
    expect(response.headers['x-both']).toBe('same');
    expect(response.headers['content-type']).toBe('application/json');
    const event = JSON.parse(response.body) as APIGatewayProxyEvent;
    expect(event.body).toBeNull();
    expect(event.queryStringParameters).toBeNull();
  });

  it('decodes base64 bodies', async () => {
    const response = await new Promise<Buffer>((resolve, reject) => {
      httpRequest(`${api.url}/modes/binary`, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      })
        .on('error', reject)
        .end();
    });
    expect(response.subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  });

  it('answers 403 Missing Authentication Token for an unknown path or method', async () => {
    for (const [method, path] of [
      ['POST', '/webhooks/twilio/demo/unknown'],
      ['GET', '/webhooks/twilio/demo/inbound'],
      ['POST', '/local/webhooks/twilio/demo/inbound'],
    ] as const) {
      const response = await send(method, path);
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body)).toEqual({ message: 'Missing Authentication Token' });
      expect(response.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    }
  });

  it('lets the fallback answer paths no route serves', async () => {
    const response = await send('GET', '/static/index.html');
    expect(response.status).toBe(200);
    expect(response.body).toBe('<h1>local</h1>');
  });

  it('answers 502 when the function fails or returns a malformed result', async () => {
    for (const mode of ['throw', 'malformed']) {
      const response = await send('GET', `/modes/${mode}`);
      expect(response.status).toBe(502);
      expect(JSON.parse(response.body)).toEqual({ message: 'Internal server error' });
    }
  });

  it('answers 504 when the integration takes longer than its timeout', async () => {
    const response = await send('GET', '/modes/slow');
    expect(response.status).toBe(504);
    expect(JSON.parse(response.body)).toEqual({ message: 'Endpoint request timed out' });
  });

  it('answers 413 for a body over the limit, declared or streamed', async () => {
    const declared = await send('POST', '/webhooks/twilio/demo/inbound', {}, 'x'.repeat(2048));
    expect(declared.status).toBe(413);
    const streamed = await send('POST', '/webhooks/twilio/demo/inbound', { 'Transfer-Encoding': 'chunked' }, [
      Buffer.alloc(800, 'a'),
      Buffer.alloc(800, 'b'),
    ]);
    expect(streamed.status).toBe(413);
    // The connection stays usable: the server drained the rest instead of resetting it.
    expect((await send('POST', '/webhooks/twilio/demo/inbound', {}, 'small')).status).toBe(201);
  });
});
