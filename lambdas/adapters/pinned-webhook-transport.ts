import { lookup } from 'node:dns/promises';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AttemptResult } from '../domain/completion-webhook/outcome';
import {
  literalAddress,
  outboundProtocol,
  outboundUrlProblem,
  resolvedHostProblem,
} from '../domain/outbound-url-policy';
import type { WebhookRequest, WebhookTransport } from '../ports/webhook-transport';

/** Every address a host name resolves to, as a connect would find them. */
export type ResolveHost = (hostname: string) => Promise<readonly { readonly address: string }[]>;

/** getaddrinfo, like any Node connect, but every answer rather than the first. */
export const systemResolve: ResolveHost = (hostname) => lookup(hostname, { all: true });

/** The receiver's answer is its status; of the body, at most this much (one socket read more) is read. */
export const MAX_RESPONSE_BYTES = 4096;

/** What the URL's host stands for: a literal address itself, else every answer for the name. */
export async function hostAddresses(url: URL, resolve: ResolveHost): Promise<readonly string[]> {
  const literal = literalAddress(url.hostname);
  if (literal !== undefined) return [literal];
  return (await resolve(url.hostname)).map((entry) => entry.address);
}

const NOT_ALLOWED: AttemptResult = { kind: 'notAllowed' };
const TIMED_OUT: AttemptResult = { kind: 'timeout' };
const EXPIRED = Symbol('deadline');

/**
 * POSTs to a tenant's endpoint with node:http(s), resolving the host itself so the address it checks
 * is the address it connects to. `fetch` resolves the name again when it connects, so a name that
 * answers a public address to the check and 127.0.0.1 to the connect (DNS rebinding) would get
 * through; here the socket goes to the checked address, with the name kept for the Host header,
 * TLS SNI and the certificate check. Any answer the policy refuses refuses the attempt before a
 * connection exists, so nothing about a refused address (open port or closed) can come back.
 * Redirects are never followed (a 3xx is its status), one deadline covers resolve, connect, TLS and
 * the answer, and the body is not read beyond MAX_RESPONSE_BYTES.
 */
export class PinnedWebhookTransport implements WebhookTransport {
  constructor(
    private readonly userAgent: string,
    private readonly resolve: ResolveHost = systemResolve,
  ) {}

  async post(request: WebhookRequest): Promise<AttemptResult> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), request.timeoutMs);
    try {
      return await this.attempt(request, deadline.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  private async attempt(request: WebhookRequest, deadline: AbortSignal): Promise<AttemptResult> {
    // The caller checked the URL already; the transport is the last line, so it checks again.
    if (outboundUrlProblem(request.url, request.policy) !== undefined) return NOT_ALLOWED;
    const url = new URL(request.url);
    // getaddrinfo cannot be cancelled: past the deadline its answer is simply ignored.
    const expired = new Promise<typeof EXPIRED>((settle) =>
      deadline.addEventListener('abort', () => settle(EXPIRED), { once: true }),
    );
    let addresses: readonly string[];
    try {
      const answer = await Promise.race([hostAddresses(url, this.resolve), expired]);
      if (answer === EXPIRED) return TIMED_OUT;
      addresses = answer;
    } catch (error) {
      return { kind: 'networkError', code: errorCode(error, 'ENOTFOUND') };
    }
    const [pinned] = addresses;
    if (pinned === undefined) return { kind: 'networkError', code: 'ENOTFOUND' };
    if (resolvedHostProblem(addresses, request.policy, outboundProtocol(url))) return NOT_ALLOWED;
    return this.send(url, pinned, request, deadline);
  }

  private send(
    url: URL,
    address: string,
    request: WebhookRequest,
    deadline: AbortSignal,
  ): Promise<AttemptResult> {
    // The deadline may have passed while the name was being checked; the listener below would miss it.
    if (deadline.aborted) return Promise.resolve(TIMED_OUT);
    const https = url.protocol === 'https:';
    const options: RequestOptions & { servername?: string } = {
      method: 'POST',
      // The checked address itself, so nothing resolves the name again before the connect.
      host: address,
      port: url.port || (https ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers: {
        'User-Agent': this.userAgent,
        ...request.headers,
        Host: url.host,
        'Content-Length': String(Buffer.byteLength(request.body)),
      },
      // No pooled socket: a kept-alive one could outlive the check that allowed it.
      agent: false,
      // SNI and the certificate check use the URL's name (none for a literal address, RFC 6066).
      ...(https && literalAddress(url.hostname) === undefined ? { servername: url.hostname } : {}),
    };
    return new Promise((settle) => {
      let answer: AttemptResult | undefined;
      const client = (https ? httpsRequest : httpRequest)(options);
      const finish = (result: AttemptResult): void => {
        settle(result);
        client.destroy();
      };
      // Past the deadline: a receiver that already answered keeps its status, else it timed out.
      deadline.addEventListener('abort', () => finish(answer ?? TIMED_OUT), { once: true });
      client.on('error', (error) =>
        finish(answer ?? { kind: 'networkError', code: errorCode(error, 'ERROR') }),
      );
      client.on('response', (response) => {
        const status: AttemptResult = {
          kind: 'response',
          status: response.statusCode ?? 0,
          retryAfter: response.headers['retry-after'] ?? null,
        };
        answer = status;
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) finish(status);
        });
        // A short body is read to its end, so the receiver sees its answer taken, not a reset.
        response.on('end', () => finish(status));
        response.on('error', () => finish(status));
      });
      client.end(request.body);
    });
  }
}

/** A Node error code (ECONNREFUSED, CERT_HAS_EXPIRED, ...) for the record; never a message. */
export function errorCode(error: unknown, fallback: string): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : fallback;
}
