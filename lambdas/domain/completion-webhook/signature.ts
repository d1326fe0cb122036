import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How completion webhooks are signed (documented for receivers in docs/workflows.md "Completion webhooks").
 * The signature is HMAC-SHA256 with the tenant's signing key over `<timestamp>.<body>`: it covers
 * the exact body bytes (DESIGN.md section 3) and binds the timestamp, so a captured request cannot
 * be replayed later than the receiver's tolerance. Same scheme as Stripe's and Slack's webhooks.
 */
export const WEBHOOK_HEADERS = {
  id: 'X-Sms-Webhook-Id',
  timestamp: 'X-Sms-Webhook-Timestamp',
  signature: 'X-Sms-Webhook-Signature',
} as const;

export const SIGNATURE_SCHEME = 'sha256';

/** The string the HMAC is computed over. */
export function signedContent(timestampSeconds: number, body: string): string {
  return `${timestampSeconds}.${body}`;
}

/** `sha256=<lowercase hex HMAC-SHA256(signingKey, "<timestamp>.<body>")>`; the key is used as UTF-8. */
export function signWebhook(signingKey: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', signingKey).update(signedContent(timestampSeconds, body), 'utf8');
  return `${SIGNATURE_SCHEME}=${mac.digest('hex')}`;
}

/** What a receiver does (see docs/workflows.md); constant-time, and refuses stale timestamps. */
export function verifyWebhookSignature(input: {
  readonly signingKey: string;
  readonly body: string;
  readonly timestamp: string;
  readonly signature: string;
  readonly nowSeconds: number;
  readonly toleranceSeconds?: number;
}): boolean {
  const timestamp = Number(input.timestamp);
  if (!/^\d+$/.test(input.timestamp) || !Number.isSafeInteger(timestamp)) return false;
  if (Math.abs(input.nowSeconds - timestamp) > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(input.signingKey, timestamp, input.body));
  const given = Buffer.from(input.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Signing keys shorter than this are refused: HMAC-SHA256 wants at least 256 bits of key. */
export const MIN_SIGNING_KEY_LENGTH = 32;
