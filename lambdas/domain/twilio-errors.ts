/**
 * Twilio API failures and what to do about them. Permanent failures are recorded and never
 * retried (retrying a 21610 would text someone who said STOP); retryable ones go back to the
 * queue with backoff.
 */
export class TwilioApiError extends Error {
  constructor(
    readonly httpStatus: number | undefined,
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'TwilioApiError';
  }
}

/** Errors that will not go away by trying again. */
export const PERMANENT_ERROR_CODES: ReadonlySet<number> = new Set([
  21211, // invalid 'To' number
  21408, // permission to send to this region not enabled
  21610, // recipient unsubscribed (replied STOP)
  21612, // 'To' cannot be reached from this 'From'
  21614, // 'To' is not SMS-capable
  21617, // body exceeds 1600 characters
  21623, // too many media URLs
  21602, // body or media required
  21606, // 'From' is not a valid message-capable number for this account
  21660, // 'From' does not belong to the account
  30006, // landline or unreachable carrier
  30007, // carrier filtering
]);

/** Errors worth another try later: throttling, queue overflow, Twilio-side trouble. */
export const RETRYABLE_ERROR_CODES: ReadonlySet<number> = new Set([
  20429, // too many requests
  20500, // internal server error
  20503, // service unavailable
  30001, // queue overflow
  21611, // 'From' has exceeded its queue of unsent messages
]);

/** Credentials rejected: the token may have been rotated; re-read it once before failing. */
export const AUTHENTICATION_ERROR_CODE = 20003;

export type ErrorDisposition = 'permanent' | 'retryable' | 'reauthenticate';

export function classifyTwilioError(error: TwilioApiError): ErrorDisposition {
  if (error.code === AUTHENTICATION_ERROR_CODE || error.httpStatus === 401) return 'reauthenticate';
  if (error.code !== undefined && RETRYABLE_ERROR_CODES.has(error.code)) return 'retryable';
  if (error.code !== undefined && PERMANENT_ERROR_CODES.has(error.code)) return 'permanent';
  if (error.httpStatus === undefined || error.httpStatus === 429 || error.httpStatus >= 500)
    return 'retryable';
  // Any other 4xx is a request Twilio will keep refusing.
  return 'permanent';
}
