import { createHmac } from 'node:crypto';

/** Form parameters as Twilio posts them; a repeated name carries every value. */
export type SignedParams = Readonly<Record<string, string | readonly string[]>>;

/**
 * The string Twilio signs for a form webhook: the full URL it calls (scheme, host, port if any,
 * path and query exactly as configured) followed by every POST parameter as `name + value`,
 * names sorted. A repeated parameter contributes each of its values, sorted.
 *
 * Sorting uses JavaScript's default (UTF-16 code unit) order and repeated identical values count
 * once, exactly as twilio-node's `getExpectedTwilioSignature` does, so that its `validateRequest`
 * (which the platform uses) accepts everything signed here; for the ASCII parameter names Twilio
 * sends, this order equals the code point order Twilio documents.
 */
export function signaturePayload(url: string, params: SignedParams): string {
  let payload = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (value === undefined) continue;
    const values = typeof value === 'string' ? [value] : [...new Set(value)].sort();
    for (const item of values) payload += name + item;
  }
  return payload;
}

/** `X-Twilio-Signature`: base64 of HMAC-SHA1 keyed with the account's auth token. */
export function twilioSignature(authToken: string, url: string, params: SignedParams): string {
  return createHmac('sha1', authToken).update(signaturePayload(url, params), 'utf8').digest('base64');
}
