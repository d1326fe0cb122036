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
 * Checks X-Twilio-Signature using twilio's own algorithm (port added/removed variants, repeated
 * parameters, bodySHA256), so our check cannot drift from the reference implementation.
 */
export function isValidTwilioSignature(input: SignatureInput): boolean {
  if (input.signature.length === 0) return false;
  if ('jsonBody' in input) {
    if (!new URL(input.url).searchParams.has('bodySHA256')) return false;
    return validateRequestWithBody(input.authToken, input.signature, input.url, input.jsonBody);
  }
  return validateRequest(input.authToken, input.signature, input.url, input.params);
}
