import { twilioErrors } from './errors';
import { allValues, type FormParams, firstValue } from './form';
import { magicNumberError } from './magic-numbers';
import { MESSAGING_SERVICE_SID_PATTERN } from './sids';

/** A validated `CreateMessage` request (the parameters the simulator acts on). */
export interface CreateMessageRequest {
  to: string;
  from?: string;
  messagingServiceSid?: string;
  body: string;
  mediaUrls: string[];
  statusCallback?: string;
}

export const MAX_BODY_CHARACTERS = 1600;
export const MAX_MEDIA_URLS = 10;

const E164 = /^\+[1-9]\d{1,14}$/;
const SHORT_CODE = /^\d{3,8}$/;
/** Alphanumeric sender ID: up to 11 letters, digits and spaces, at least one letter. */
const ALPHANUMERIC_SENDER_ID = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;

export function isE164(value: string): boolean {
  return E164.test(value);
}

function isValidSender(from: string): boolean {
  return E164.test(from) || SHORT_CODE.test(from) || ALPHANUMERIC_SENDER_ID.test(from);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Twilio requires a hostname without underscores for Messages StatusCallback URLs. */
function isValidStatusCallback(value: string): boolean {
  return isHttpUrl(value) && !new URL(value).hostname.includes('_');
}

/**
 * Validates a create request the way Twilio does, first failure wins, throwing the TwilioApiError
 * Twilio would answer. Only SMS/MMS to E.164 numbers is simulated: channel addresses such as
 * `whatsapp:+1…` are rejected as invalid `To` numbers.
 */
export function parseCreateMessageRequest(form: FormParams): CreateMessageRequest {
  const to = firstValue(form, 'To') ?? '';
  if (to === '') throw twilioErrors.toRequired();
  if (!isE164(to)) throw twilioErrors.invalidTo(to);

  const messagingServiceSid = firstValue(form, 'MessagingServiceSid') || undefined;
  if (messagingServiceSid !== undefined && !MESSAGING_SERVICE_SID_PATTERN.test(messagingServiceSid)) {
    throw twilioErrors.invalidMessagingService(messagingServiceSid);
  }
  const from = firstValue(form, 'From') || undefined;
  if (from === undefined && messagingServiceSid === undefined) throw twilioErrors.fromRequired();
  if (from !== undefined && !isValidSender(from)) throw twilioErrors.invalidFrom(from);

  const body = firstValue(form, 'Body') ?? '';
  const mediaUrls = allValues(form, 'MediaUrl');
  if (body === '' && mediaUrls.length === 0) throw twilioErrors.bodyRequired();
  // Twilio counts characters, not bytes or UTF-16 units: an emoji is one character.
  if ([...body].length > MAX_BODY_CHARACTERS) throw twilioErrors.bodyTooLong();
  if (mediaUrls.length > MAX_MEDIA_URLS) throw twilioErrors.tooManyMedia();
  const badMediaUrl = mediaUrls.find((url) => !isHttpUrl(url));
  if (badMediaUrl !== undefined) throw twilioErrors.invalidMediaUrl(badMediaUrl);

  const statusCallback = firstValue(form, 'StatusCallback') || undefined;
  if (statusCallback !== undefined && !isValidStatusCallback(statusCallback)) {
    throw twilioErrors.invalidStatusCallback(statusCallback);
  }

  const magicError = magicNumberError(to, from);
  if (magicError) throw magicError;

  return {
    to,
    body,
    mediaUrls,
    ...(from === undefined ? {} : { from }),
    ...(messagingServiceSid === undefined ? {} : { messagingServiceSid }),
    ...(statusCallback === undefined ? {} : { statusCallback }),
  };
}
