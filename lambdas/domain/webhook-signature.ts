// Deep import: twilio's validator alone loads in milliseconds; the package root pulls in the whole REST client.
import { validateRequest, validateRequestWithBody } from 'twilio/lib/webhooks/webhooks';
import type { FormParams } from './form-body';

/**
 * Checks X-Twilio-Signature for a form webhook against the exact public URL Twilio called.
 * Delegates to twilio's own algorithm (port added/removed variants, repeated params, bodySHA256).
 */
export function isValidTwilioSignature(input: {
  authToken: string;
  signature: string;
  url: string;
  params: FormParams;
  rawBody: string;
}): boolean {
  if (input.signature.length === 0) return false;
  if (new URL(input.url).searchParams.has('bodySHA256')) {
    // JSON webhooks sign the URL (carrying the body's SHA-256) and not the parameters.
    return validateRequestWithBody(input.authToken, input.signature, input.url, input.rawBody);
  }
  return validateRequest(input.authToken, input.signature, input.url, input.params);
}
