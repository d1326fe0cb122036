import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks (standardwebhooks.com) signing, through the specification's own library so the
 * bytes signed cannot drift from what receivers' `verify` computes: HMAC-SHA256 over
 * `<webhook-id>.<webhook-timestamp>.<body>`, sent as `webhook-signature: v1,<base64>`.
 */
export const STANDARD_WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

export const SECRET_PREFIX = 'whsec_';

/** Standard Webhooks asks for secrets of 24 to 64 random bytes. */
export const MIN_SECRET_BYTES = 24;

/** The bytes of a `whsec_<base64>` secret of at least MIN_SECRET_BYTES; undefined for anything else. */
function standardSecretBytes(signingKey: string): Uint8Array | undefined {
  if (!signingKey.startsWith(SECRET_PREFIX)) return undefined;
  const encoded = signingKey.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(encoded, 'base64');
  return bytes.length >= MIN_SECRET_BYTES ? new Uint8Array(bytes) : undefined;
}

/**
 * The key bytes of a tenant's signing key. A Standard Webhooks secret (`whsec_` and the base64 of at
 * least 24 bytes, what `smsctl` generates) is decoded as the specification says. Any other key (one
 * stored before Standard Webhooks) is used as its UTF-8 bytes, exactly as the old signature used it,
 * so its receivers' secret is {@link receiverSecretOf} and no key has to be rotated to move over.
 */
export function keyBytesOf(signingKey: string): Uint8Array {
  return standardSecretBytes(signingKey) ?? new Uint8Array(Buffer.from(signingKey, 'utf8'));
}

/** Why a stored signing key cannot sign, phrased for the operator; undefined when it can. */
export function signingKeyProblem(signingKey: string): string | undefined {
  if (keyBytesOf(signingKey).length < MIN_SECRET_BYTES)
    return `the key must hold at least ${MIN_SECRET_BYTES} bytes`;
  return undefined;
}

/** The secret a receiver gives the `standardwebhooks` library (`new Webhook(secret)`). */
export function receiverSecretOf(signingKey: string): string {
  if (standardSecretBytes(signingKey)) return signingKey;
  return `${SECRET_PREFIX}${Buffer.from(signingKey, 'utf8').toString('base64')}`;
}

/** A new `whsec_` secret from 32 random bytes. */
export function newSecret(randomBytes: Uint8Array): string {
  if (randomBytes.length < MIN_SECRET_BYTES)
    throw new RangeError(`a secret needs ${MIN_SECRET_BYTES} random bytes`);
  return `${SECRET_PREFIX}${Buffer.from(randomBytes).toString('base64')}`;
}

/** The three headers of one POST; `sentAt` is the attempt's time (each retry signs again). */
export function standardWebhookHeaders(
  signingKey: string,
  webhookId: string,
  sentAt: Date,
  body: string,
): Record<string, string> {
  const signer = new Webhook(keyBytesOf(signingKey), { format: 'raw' });
  return {
    [STANDARD_WEBHOOK_HEADERS.id]: webhookId,
    [STANDARD_WEBHOOK_HEADERS.timestamp]: String(Math.floor(sentAt.getTime() / 1000)),
    [STANDARD_WEBHOOK_HEADERS.signature]: signer.sign(webhookId, sentAt, body),
  };
}
