import { encodeForm } from './form';
import { twilioSignature } from './signature';

/** A form POST Twilio makes to a customer's URL (status callback or incoming message webhook). */
export interface TwilioWebhookRequest {
  url: string;
  params: Record<string, string>;
  authToken: string;
  /** `I-Twilio-Idempotency-Token`: identical for retries of the same event. */
  idempotencyToken: string;
  timeoutMs: number;
  /** Aborts the request when the simulator closes. */
  signal: AbortSignal;
}

export interface TwilioWebhookOutcome {
  signature: string;
  status: number | null;
  body: string | null;
  error: string | null;
}

export async function postTwilioWebhook(request: TwilioWebhookRequest): Promise<TwilioWebhookOutcome> {
  const signature = twilioSignature(request.authToken, request.url, request.params);
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'User-Agent': 'TwilioProxy/1.1',
        'X-Twilio-Signature': signature,
        'I-Twilio-Idempotency-Token': request.idempotencyToken,
      },
      body: encodeForm(request.params),
      redirect: 'manual',
      signal: AbortSignal.any([request.signal, AbortSignal.timeout(request.timeoutMs)]),
    });
    return { signature, status: response.status, body: await response.text(), error: null };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { signature, status: null, body: null, error: `${String(error)}${cause}` };
  }
}
