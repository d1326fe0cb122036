import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import { createSecureContext, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PinnedWebhookTransport, type ResolveHost } from '../../lambdas/adapters/pinned-webhook-transport';
import {
  DEPLOYED_URL_POLICY,
  LOCAL_URL_POLICY,
  type OutboundUrlPolicy,
} from '../../lambdas/domain/outbound-url-policy';
import type { WebhookRequest } from '../../lambdas/ports/webhook-transport';
import { sleep } from '../support/wait';

/**
 * The notifier's transport over real sockets: what it refuses never gets a connection, what it
 * checked is where the socket goes, and a receiver cannot hold it past its deadline, redirect it,
 * or make it read a large body. Host names go through an injected resolver, so no test needs DNS.
 */

interface Receiver {
  readonly port: number;
  /** TCP connections accepted: a refused destination must not even get one. */
  readonly connections: Socket[];
  readonly requests: { url: string; headers: IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

const open: Server[] = [];
afterEach(async () => {
  for (const server of open.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function receiver(answer: RequestListener, host = '127.0.0.1', port = 0): Promise<Receiver> {
  const connections: Socket[] = [];
  const requests: Receiver['requests'] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      answer(request, response);
    });
  });
  server.on('connection', (socket) => connections.push(socket));
  open.push(server);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const ok: RequestListener = (_request, response) => response.writeHead(204).end();

/** A resolver that answers each call with the next list (the last one repeats), counting calls. */
function scriptedResolver(...answers: string[][]): ResolveHost & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    const answer = answers[Math.min(calls.length, answers.length) - 1] ?? [];
    return answer.map((address) => ({ address }));
  };
  return Object.assign(resolve, { calls });
}

function post(url: string, policy: OutboundUrlPolicy, timeoutMs = 2000): WebhookRequest {
  return {
    url,
    policy,
    timeoutMs,
    body: '{"event":"conversation.completed"}',
    headers: { 'Content-Type': 'application/json' },
  };
}

describe('PinnedWebhookTransport', () => {
  it('POSTs the body to the checked address, with the URL name as Host', async () => {
    const server = await receiver(ok);
    const resolve = scriptedResolver(['127.0.0.1']);
    const transport = new PinnedWebhookTransport('test-agent/1', resolve);
    const result = await transport.post(
      post(`http://hooks.localhost:${server.port}/hook?t=1`, LOCAL_URL_POLICY),
    );
    expect(result).toEqual({ kind: 'response', status: 204, retryAfter: null });
    expect(resolve.calls).toEqual(['hooks.localhost']);
    expect(server.requests).toEqual([
      {
        url: '/hook?t=1',
        body: '{"event":"conversation.completed"}',
        headers: expect.objectContaining({
          host: `hooks.localhost:${server.port}`,
          'user-agent': 'test-agent/1',
          'content-type': 'application/json',
          'content-length': '34',
        }),
      },
    ]);
  });

  describe('refuses without connecting', () => {
    it.each([
      [
        'a name resolving to 127.0.0.1',
        (port: number) => `https://hooks.example.test:${port}/hook`,
        [['127.0.0.1']],
      ],
      [
        'a name with one loopback answer among public ones',
        (port: number) => `https://hooks.example.test:${port}/hook`,
        [['93.184.215.14', '127.0.0.1']],
      ],
      [
        'a name resolving to the IPv4-mapped loopback',
        (port: number) => `https://hooks.example.test:${port}/hook`,
        [['::ffff:127.0.0.1']],
      ],
      ['a literal 127.0.0.1 over http', (port: number) => `http://127.0.0.1:${port}/hook`, []],
      ['a literal 127.0.0.1 over https', (port: number) => `https://127.0.0.1:${port}/hook`, []],
      ['a decimal 127.0.0.1', (port: number) => `http://2130706433:${port}/hook`, []],
      ['localhost', (port: number) => `http://localhost:${port}/hook`, []],
    ] as const)('%s, when the stage refuses loopback', async (_what, url, answers) => {
      const server = await receiver(ok);
      const resolve = scriptedResolver(...answers.map((answer) => [...answer]));
      const transport = new PinnedWebhookTransport('test-agent/1', resolve);
      expect(await transport.post(post(url(server.port), DEPLOYED_URL_POLICY))).toEqual({
        kind: 'notAllowed',
      });
      await sleep(50);
      expect(server.connections).toHaveLength(0);
      expect(server.requests).toHaveLength(0);
    });

    it.each([
      ['10.0.0.8'],
      ['169.254.169.254'],
      ['fd00:ec2::254'],
      ['64:ff9b::a9fe:a9fe'],
      ['not-an-address'],
    ])('a name resolving to %s, in every stage', async (address) => {
      const resolve = scriptedResolver([address]);
      const transport = new PinnedWebhookTransport('test-agent/1', resolve);
      for (const policy of [DEPLOYED_URL_POLICY, LOCAL_URL_POLICY]) {
        expect(await transport.post(post('https://hooks.example.test/hook', policy))).toEqual({
          kind: 'notAllowed',
        });
      }
    });
  });

  it('resolves once and connects to that answer, whatever the name answers later (DNS rebinding)', async () => {
    const checked = await receiver(ok, '127.0.0.1');
    const rebound = await receiver(ok, '127.0.0.2', checked.port);
    const resolve = scriptedResolver(['127.0.0.1'], ['127.0.0.2']);
    const transport = new PinnedWebhookTransport('test-agent/1', resolve);
    const result = await transport.post(
      post(`http://hooks.localhost:${checked.port}/hook`, LOCAL_URL_POLICY),
    );
    expect(result).toEqual({ kind: 'response', status: 204, retryAfter: null });
    expect(resolve.calls).toHaveLength(1);
    expect(checked.requests).toHaveLength(1);
    expect(rebound.connections).toHaveLength(0);
  });

  it('does not follow a redirect: a 302 is the answer', async () => {
    const elsewhere = await receiver(ok);
    const server = await receiver((_request, response) =>
      response.writeHead(302, { Location: `http://127.0.0.1:${elsewhere.port}/stolen` }).end(),
    );
    const transport = new PinnedWebhookTransport('test-agent/1', scriptedResolver());
    const result = await transport.post(post(`http://127.0.0.1:${server.port}/hook`, LOCAL_URL_POLICY));
    expect(result).toEqual({ kind: 'response', status: 302, retryAfter: null });
    await sleep(50);
    expect(elsewhere.connections).toHaveLength(0);
  });

  it('reads the status and Retry-After, not a 10 MB body', async () => {
    const TEN_MB = 10 * 1024 * 1024;
    let sent = 0;
    let sentWhenClosed: number | undefined;
    const server = await receiver((_request, response) => {
      response.writeHead(503, { 'Retry-After': '120', 'Content-Length': String(TEN_MB) });
      // 64 KB every 10 ms: all of it would take 1.6 s, so a client that read it would be slow.
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const timer = setInterval(() => {
        if (sent >= TEN_MB) return clearInterval(timer);
        response.write(chunk);
        sent += chunk.length;
      }, 10);
      response.on('close', () => {
        clearInterval(timer);
        sentWhenClosed = sent;
      });
    });
    const transport = new PinnedWebhookTransport('test-agent/1', scriptedResolver());
    const started = Date.now();
    const result = await transport.post(post(`http://127.0.0.1:${server.port}/hook`, LOCAL_URL_POLICY, 5000));
    expect(result).toEqual({ kind: 'response', status: 503, retryAfter: '120' });
    expect(Date.now() - started).toBeLessThan(500);
    await sleep(100);
    // The client hung up after the first chunk, not after 10 MB.
    expect(sentWhenClosed).toBeDefined();
    expect(sentWhenClosed).toBeLessThanOrEqual(256 * 1024);
  });

  it('times out on a receiver that never answers', async () => {
    const server = await receiver(() => undefined);
    const transport = new PinnedWebhookTransport('test-agent/1', scriptedResolver());
    const started = Date.now();
    const result = await transport.post(post(`http://127.0.0.1:${server.port}/hook`, LOCAL_URL_POLICY, 300));
    expect(result).toEqual({ kind: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('keeps the status of a receiver that answered but trickles its body past the deadline', async () => {
    const server = await receiver((_request, response) => {
      response.writeHead(200);
      response.write('partial');
    });
    const transport = new PinnedWebhookTransport('test-agent/1', scriptedResolver());
    const result = await transport.post(post(`http://127.0.0.1:${server.port}/hook`, LOCAL_URL_POLICY, 300));
    expect(result).toEqual({ kind: 'response', status: 200, retryAfter: null });
  });

  it('counts name resolution in the deadline', async () => {
    const transport = new PinnedWebhookTransport('test-agent/1', () => new Promise(() => undefined));
    const started = Date.now();
    const result = await transport.post(post('https://hooks.example.test/hook', DEPLOYED_URL_POLICY, 300));
    expect(result).toEqual({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('reports a name that does not resolve, and a refused connection to an allowed address, by code', async () => {
    const failing: ResolveHost = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND hooks.example.test'), { code: 'ENOTFOUND' });
    };
    expect(
      await new PinnedWebhookTransport('test-agent/1', failing).post(
        post('https://hooks.example.test/hook', DEPLOYED_URL_POLICY),
      ),
    ).toEqual({ kind: 'networkError', code: 'ENOTFOUND' });
    expect(
      await new PinnedWebhookTransport('test-agent/1', scriptedResolver([])).post(
        post('https://hooks.example.test/hook', DEPLOYED_URL_POLICY),
      ),
    ).toEqual({ kind: 'networkError', code: 'ENOTFOUND' });

    const closed = await receiver(ok);
    await closed.close();
    expect(
      await new PinnedWebhookTransport('test-agent/1', scriptedResolver()).post(
        post(`http://127.0.0.1:${closed.port}/hook`, LOCAL_URL_POLICY),
      ),
    ).toEqual({ kind: 'networkError', code: 'ECONNREFUSED' });
  });

  const openssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!openssl)(
    'checks the certificate against the URL name, sent as SNI to the pinned address',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'webhook-tls-'));
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '1',
        ].concat([
          '-subj',
          '/CN=hooks.example.test',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ]),
        { stdio: 'ignore' },
      );
      const context = createSecureContext({
        key: readFileSync(join(dir, 'key.pem')),
        cert: readFileSync(join(dir, 'cert.pem')),
      });
      const serverNames: string[] = [];
      const tls = createTlsServer(
        {
          // Called with the ClientHello's SNI, before the client sees (and refuses) the certificate.
          SNICallback: (name, done) => {
            serverNames.push(name);
            done(null, context);
          },
        },
        (socket: TLSSocket) => socket.end(),
      );
      tls.on('tlsClientError', () => undefined);
      await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = tls.address() as AddressInfo;
        const transport = new PinnedWebhookTransport('test-agent/1', scriptedResolver(['127.0.0.1']));
        const result = await transport.post(
          post(`https://hooks.example.test:${port}/hook`, LOCAL_URL_POLICY),
        );
        // A self-signed certificate is refused: the check is on, and its code is the reason.
        expect(result).toEqual({ kind: 'networkError', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
        expect(serverNames).toEqual(['hooks.example.test']);
      } finally {
        await new Promise((resolve) => tls.close(resolve));
      }
    },
  );
});
