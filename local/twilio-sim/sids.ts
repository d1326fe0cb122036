import { randomBytes } from 'node:crypto';

/** A Twilio resource SID: two-letter type prefix and 32 lowercase hex digits (e.g. `SM…`). */
export function newSid(prefix: 'SM' | 'MM'): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

export const MESSAGE_SID_PATTERN = /^(SM|MM)[0-9a-fA-F]{32}$/;
export const ACCOUNT_SID_PATTERN = /^AC[0-9a-fA-F]{32}$/;
export const MESSAGING_SERVICE_SID_PATTERN = /^MG[0-9a-fA-F]{32}$/;
