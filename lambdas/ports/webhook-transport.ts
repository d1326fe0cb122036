import type { AttemptResult } from '../domain/completion-webhook/outcome';

export interface WebhookRequest {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/** One HTTP POST to a tenant's endpoint; never throws for HTTP or network failures. */
export interface WebhookTransport {
  post(request: WebhookRequest): Promise<AttemptResult>;
}
