/**
 * Twilio REST API errors as Twilio serialises them:
 * `{"code":21211,"message":"...","more_info":"https://www.twilio.com/docs/errors/21211","status":400}`.
 * Codes and wording follow Twilio's error dictionary (twilio.com/docs/api/errors).
 */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'TwilioApiError';
  }

  toJSON(): TwilioErrorBody {
    return {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
    };
  }
}

/** Factories for every error the simulator answers with, so codes live in one place. */
export const twilioErrors = {
  authenticate: () => new TwilioApiError(401, 20003, 'Authenticate'),
  notFound: (path: string) => new TwilioApiError(404, 20404, `The requested resource ${path} was not found`),
  methodNotAllowed: (method: string) => new TwilioApiError(405, 20004, `Method not allowed: ${method}`),
  tooManyRequests: () => new TwilioApiError(429, 20429, 'Too Many Requests'),
  internalServerError: () => new TwilioApiError(500, 20500, 'Internal Server Error'),
  // Twilio's exact code for a malformed list filter is not documented; 20001 is its generic
  // "invalid parameter" family and keeps the error a 400 the client will not retry.
  invalidParameter: (name: string, value: string) =>
    new TwilioApiError(400, 20001, `Invalid value for parameter ${name}: ${value}`),

  toRequired: () => new TwilioApiError(400, 21604, "A 'To' phone number is required."),
  invalidTo: (to: string) => new TwilioApiError(400, 21211, `Invalid 'To' Phone Number: ${to}`),
  fromRequired: () => new TwilioApiError(400, 21603, "A 'From' phone number is required."),
  invalidFrom: (from: string) =>
    new TwilioApiError(
      400,
      21212,
      `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`,
    ),
  fromNotOwned: (from: string) =>
    new TwilioApiError(
      400,
      21606,
      `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
    ),
  fromQueueFull: (from: string) =>
    new TwilioApiError(
      400,
      21611,
      `This 'From' number ${from} has exceeded the maximum number of queued messages`,
    ),
  invalidMessagingService: (sid: string) =>
    new TwilioApiError(400, 21705, `The Messaging Service Sid ${sid} is invalid.`),
  bodyRequired: () => new TwilioApiError(400, 21602, 'Message body is required.'),
  bodyTooLong: () =>
    new TwilioApiError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.'),
  tooManyMedia: () => new TwilioApiError(400, 21623, 'Number of media files exceeds allowed limit'),
  invalidMediaUrl: (url: string) => new TwilioApiError(400, 21620, `Invalid media URL(s): ${url}`),
  invalidStatusCallback: (url: string) =>
    new TwilioApiError(400, 21609, `Invalid StatusCallback URL: ${url}`),

  // Magic test numbers (twilio.com/docs/iam/test-credentials).
  unroutableTo: (to: string, from: string) =>
    new TwilioApiError(
      400,
      21612,
      `The 'To' phone number: ${to}, is not currently reachable using the 'From' phone number: ${from} via SMS.`,
    ),
  noInternationalPermission: (to: string) =>
    new TwilioApiError(
      400,
      21408,
      `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.`,
    ),
  unsubscribedRecipient: () => new TwilioApiError(400, 21610, 'Attempt to send to unsubscribed recipient'),
  notMobileNumber: (to: string) =>
    new TwilioApiError(400, 21614, `'To' number ${to} is not a valid mobile number`),
} as const;

/** Delivery failures a message can end with (status `undelivered`), as carriers report them. */
export const UNDELIVERED_ERRORS: Readonly<Record<number, string>> = {
  30003: 'Unreachable destination handset',
  30005: 'Unknown destination handset',
  30006: 'Landline or unreachable carrier',
  30007: 'Carrier violation',
  30008: 'Unknown error',
};
