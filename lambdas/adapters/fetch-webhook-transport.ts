import type { AttemptResult } from '../domain/completion-webhook/outcome';
import type { WebhookRequest, WebhookTransport } from '../ports/webhook-transport';

/**
 * POSTs with the runtime's fetch. Redirects are never followed (`manual`): a 3xx comes back as
 * its status, so an endpoint cannot bounce the signed body to another host or to plain HTTP.
 */
export class FetchWebhookTransport implements WebhookTransport {
  constructor(private readonly userAgent: string) {}

  async post(request: WebhookRequest): Promise<AttemptResult> {
    try {
      const response = await fetch(request.url, {
        method: 'POST',
        headers: { 'User-Agent': this.userAgent, ...request.headers },
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(request.timeoutMs),
      });
      // The body is not needed; cancelling it frees the connection for the next record.
      await response.body?.cancel().catch(() => undefined);
      return { kind: 'response', status: response.status, retryAfter: response.headers.get('retry-after') };
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'timeout' };
      // undici reports the socket error (ECONNREFUSED, ENOTFOUND, cert errors) as the cause.
      const cause = (error as { cause?: { code?: unknown } }).cause;
      return { kind: 'networkError', code: typeof cause?.code === 'string' ? cause.code : name };
    }
  }
}
