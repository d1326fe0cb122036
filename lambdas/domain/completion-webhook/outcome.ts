import { ENDPOINT_NOT_ALLOWED, type EndpointNotAllowed } from '../outbound-url-policy';

/**
 * What one POST to a tenant's endpoint means for the job. 2xx: delivered. 408, 429, 5xx, a timeout
 * or a network error: try again later (the endpoint may recover). Any other status (400, 401, 404,
 * 410, ... and 3xx, since redirects are never followed): retrying would get the same answer, so
 * the job goes to the DLQ with the reason, for an operator to redrive once the receiver is fixed.
 * An endpoint the outbound URL policy refuses (its name resolved to a private address, say) was
 * never connected to: to the DLQ at once, and the reason says nothing but `endpoint not allowed`, so
 * the record cannot tell an open port of a refused address from a closed one.
 */
export type AttemptResult =
  | { readonly kind: 'response'; readonly status: number; readonly retryAfter?: string | null }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'networkError'; readonly code: string }
  | { readonly kind: 'notAllowed' };

export type DeliveryOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  | { readonly kind: 'retry'; readonly reason: string; readonly notBeforeSeconds?: number }
  | { readonly kind: 'reject'; readonly reason: string }
  | { readonly kind: 'notAllowed'; readonly reason: EndpointNotAllowed };

/** A receiver's Retry-After is honoured up to this long (longer: our own backoff decides). */
const MAX_RETRY_AFTER_SECONDS = 900;

export function classifyAttempt(result: AttemptResult, nowMs: number): DeliveryOutcome {
  if (result.kind === 'notAllowed') return { kind: 'notAllowed', reason: ENDPOINT_NOT_ALLOWED };
  if (result.kind === 'timeout') return { kind: 'retry', reason: 'timed out' };
  if (result.kind === 'networkError') return { kind: 'retry', reason: `network error ${result.code}` };
  const { status } = result;
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 408 || status === 429 || status >= 500) {
    const notBefore = retryAfterSeconds(result.retryAfter, nowMs);
    return {
      kind: 'retry',
      reason: `HTTP ${status}`,
      ...(notBefore !== undefined ? { notBeforeSeconds: notBefore } : {}),
    };
  }
  if (status >= 300 && status < 400)
    return { kind: 'reject', reason: `HTTP ${status} (redirects are not followed)` };
  return { kind: 'reject', reason: `HTTP ${status}` };
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110); undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null | undefined, nowMs: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  let seconds: number;
  if (/^\d+$/.test(trimmed)) seconds = Number(trimmed);
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    seconds = Math.ceil((at - nowMs) / 1000);
  }
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, seconds));
}
