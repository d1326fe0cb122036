// Deep import: twilio's validator alone loads in milliseconds; the package root pulls in the whole REST client.
import { validateRequest, validateRequestWithBody } from 'twilio/lib/webhooks/webhooks';
import type { FormParams } from './form-body';

interface SignedRequest {
  readonly authToken: string;
  readonly signature: string;
  /** The exact public URL Twilio called, query included. */
  readonly url: string;
}

/** Form webhooks sign the URL and every parameter; JSON webhooks sign the URL carrying bodySHA256. */
export type SignatureInput = SignedRequest &
  ({ readonly params: FormParams } | { readonly jsonBody: string });

/**
 * X-Twilio-Signature is base64 of an HMAC-SHA1, 20 bytes: 27 characters and one `=`. 20 bytes fill
 * only 4 bits of the 27th character (its low 2 bits are zero), so canonical base64, which is what
 * Twilio sends, ends in one of 16 characters before the `=`. Anything else cannot match, so it is
 * refused without computing an HMAC or reading any secret.
 */
const TWILIO_SIGNATURE_SHAPE = /^[A-Za-z0-9+/]{26}[AEIMQUYcgkosw048]=$/;

export function isWellFormedTwilioSignature(signature: string): boolean {
  return TWILIO_SIGNATURE_SHAPE.test(signature);
}

/**
 * Checks X-Twilio-Signature using twilio's own algorithm (port added/removed variants, repeated
 * parameters, bodySHA256), so our check cannot drift from the reference implementation.
 */
export function isValidTwilioSignature(input: SignatureInput): boolean {
  if (!isWellFormedTwilioSignature(input.signature)) return false;
  if ('jsonBody' in input) {
    if (!new URL(input.url).searchParams.has('bodySHA256')) return false;
    return validateRequestWithBody(input.authToken, input.signature, input.url, input.jsonBody);
  }
  return validateRequest(input.authToken, input.signature, input.url, input.params);
}
