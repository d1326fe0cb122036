/**
 * Completion webhooks and lifecycle events are signed as Standard Webhooks
 * (../events/standard-webhooks.ts, with the standardwebhooks library); the HMAC over
 * `<timestamp>.<body>` with `X-Sms-Webhook-*` headers that this module computed before is gone
 * (docs/api.md "Completion webhooks are Standard Webhooks now").
 */

/** Signing keys shorter than this are refused: HMAC-SHA256 wants at least 256 bits of key. */
export const MIN_SIGNING_KEY_LENGTH = 32;
