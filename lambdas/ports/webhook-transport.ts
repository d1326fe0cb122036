import type { AttemptResult } from '../domain/completion-webhook/outcome';
import type { OutboundUrlPolicy } from '../domain/outbound-url-policy';

export interface WebhookRequest {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The whole attempt: name resolution, connect, TLS, the answer's status line and headers. */
  readonly timeoutMs: number;
  /** Where the POST may go; checked against every address the URL's host resolves to. */
  readonly policy: OutboundUrlPolicy;
}

/**
 * One HTTP POST to a tenant's endpoint; never throws for HTTP or network failures. Connects only to
 * an address the policy allows (else `notAllowed`, without connecting), never follows a redirect.
 */
export interface WebhookTransport {
  post(request: WebhookRequest): Promise<AttemptResult>;
}
