import { type FormParams, singleParam } from './form-body';
import { isOutboundStatus, type OutboundStatus } from './message-status';

/** Twilio resource SIDs: two letters and 32 hex digits. */
const SID = (prefix: string) => new RegExp(`^${prefix}[0-9a-fA-F]{32}$`);
const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;
const ACCOUNT_SID = SID('AC');
const MAX_BODY_CHARS = 1600;
const MAX_MEDIA = 10;

export type Validation<T> = { ok: true; value: T } | { ok: false; reason: string };

/** An SMS/MMS a customer sent, as the conversation queue carries it. */
export interface InboundMessage {
  readonly messageSid: string;
  readonly accountSid: string;
  readonly from: string;
  readonly to: string;
  readonly body: string;
  readonly mediaUrls: string[];
  /** Twilio's own opt-out classification when Advanced Opt-Out is on (STOP, START, HELP). */
  readonly optOutType?: string;
}

export interface StatusCallback {
  readonly messageSid: string;
  readonly accountSid: string;
  readonly status: OutboundStatus;
  readonly errorCode?: string;
  readonly from?: string;
  readonly to?: string;
  readonly rawDlrDoneDate?: string;
}

function required(params: FormParams, key: string): Validation<string> {
  const value = params[key];
  if (value === undefined) return { ok: false, reason: `missing parameter ${key}` };
  if (Array.isArray(value)) return { ok: false, reason: `parameter ${key} is repeated` };
  return { ok: true, value };
}

function sid(params: FormParams, key: string, pattern: RegExp): Validation<string> {
  const value = required(params, key);
  if (!value.ok) return value;
  return pattern.test(value.value) ? value : { ok: false, reason: `parameter ${key} is not a valid SID` };
}

export function parseInboundMessage(params: FormParams): Validation<InboundMessage> {
  const messageSid = sid(params, 'MessageSid', MESSAGE_SID);
  if (!messageSid.ok) return messageSid;
  const accountSid = sid(params, 'AccountSid', ACCOUNT_SID);
  if (!accountSid.ok) return accountSid;
  const from = required(params, 'From');
  if (!from.ok) return from;
  const to = required(params, 'To');
  if (!to.ok) return to;
  if (from.value.length === 0 || to.value.length === 0)
    return { ok: false, reason: 'From and To must not be empty' };
  const body = params.Body === undefined ? '' : singleParam(params, 'Body');
  if (body === undefined) return { ok: false, reason: 'parameter Body is repeated' };
  if (body.length > MAX_BODY_CHARS) return { ok: false, reason: `Body exceeds ${MAX_BODY_CHARS} characters` };
  const numMediaRaw = singleParam(params, 'NumMedia') ?? '0';
  const numMedia = Number(numMediaRaw);
  if (!Number.isInteger(numMedia) || numMedia < 0 || numMedia > MAX_MEDIA) {
    return { ok: false, reason: `NumMedia must be an integer from 0 to ${MAX_MEDIA}` };
  }
  const mediaUrls: string[] = [];
  for (let index = 0; index < numMedia; index++) {
    const url = singleParam(params, `MediaUrl${index}`);
    if (url === undefined) return { ok: false, reason: `missing parameter MediaUrl${index}` };
    mediaUrls.push(url);
  }
  const optOutType = singleParam(params, 'OptOutType');
  return {
    ok: true,
    value: {
      messageSid: messageSid.value,
      accountSid: accountSid.value,
      from: from.value,
      to: to.value,
      body,
      mediaUrls,
      ...(optOutType ? { optOutType } : {}),
    },
  };
}

export function parseStatusCallback(params: FormParams): Validation<StatusCallback> {
  const messageSid = sid(params, 'MessageSid', MESSAGE_SID);
  if (!messageSid.ok) return messageSid;
  const accountSid = sid(params, 'AccountSid', ACCOUNT_SID);
  if (!accountSid.ok) return accountSid;
  const status = required(params, 'MessageStatus');
  if (!status.ok) return status;
  if (!isOutboundStatus(status.value)) {
    return { ok: false, reason: `MessageStatus "${status.value.slice(0, 20)}" is not an outbound status` };
  }
  const errorCode = singleParam(params, 'ErrorCode');
  if (errorCode !== undefined && errorCode !== '' && !/^\d{1,6}$/.test(errorCode)) {
    return { ok: false, reason: 'ErrorCode must be numeric' };
  }
  const from = singleParam(params, 'From');
  const to = singleParam(params, 'To');
  const rawDlrDoneDate = singleParam(params, 'RawDlrDoneDate');
  return {
    ok: true,
    value: {
      messageSid: messageSid.value,
      accountSid: accountSid.value,
      status: status.value,
      ...(errorCode ? { errorCode } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(rawDlrDoneDate ? { rawDlrDoneDate } : {}),
    },
  };
}
