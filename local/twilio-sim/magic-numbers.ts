import { type TwilioApiError, twilioErrors } from './errors';

/**
 * Twilio's magic test numbers (twilio.com/docs/iam/test-credentials, "Test SMS messages"): with
 * test credentials these inputs fail at create time with a fixed API error and no message is
 * created. The simulator honours them for every account so tests can provoke each error.
 */

/** The magic sender that always passes validation; also the sender a Messaging Service picks here. */
export const MAGIC_VALID_FROM = '+15005550006';

const FROM_ERRORS: Readonly<Record<string, (from: string) => TwilioApiError>> = {
  '+15005550001': (from) => twilioErrors.invalidFrom(from),
  '+15005550007': (from) => twilioErrors.fromNotOwned(from),
  '+15005550008': (from) => twilioErrors.fromQueueFull(from),
};

const TO_ERRORS: Readonly<Record<string, (to: string, from: string) => TwilioApiError>> = {
  '+15005550001': (to) => twilioErrors.invalidTo(to),
  '+15005550002': (to, from) => twilioErrors.unroutableTo(to, from),
  '+15005550003': (to) => twilioErrors.noInternationalPermission(to),
  '+15005550004': () => twilioErrors.unsubscribedRecipient(),
  '+15005550009': (to) => twilioErrors.notMobileNumber(to),
};

/** The error a magic `From` / `To` pair provokes, if any (sender checked first, as Twilio does). */
export function magicNumberError(to: string, from: string | undefined): TwilioApiError | undefined {
  const fromError = from === undefined ? undefined : FROM_ERRORS[from];
  if (fromError && from !== undefined) return fromError(from);
  return TO_ERRORS[to]?.(to, from ?? MAGIC_VALID_FROM);
}
