import type { TenantTwilioCredentials } from './tenant';

/**
 * Rotating a tenant's auth token without losing webhooks (DESIGN.md section 9): for a grace
 * period the token being replaced is still accepted, as Twilio accepts its secondary auth token
 * until it is promoted or deleted. Pure: the clock and the signature check are arguments.
 */
const SECOND_MS = 1000;
const UNIT_MS = { s: SECOND_MS, m: 60 * SECOND_MS, h: 3600 * SECOND_MS, d: 86_400 * SECOND_MS } as const;

/** How long a replaced token stays valid unless the operator says otherwise. */
export const DEFAULT_PREVIOUS_TOKEN_GRACE_MS = 24 * UNIT_MS.h;

/**
 * A replaced token is a credential someone may still hold; a week is ample for Twilio's requests
 * in flight and for every warm function to refresh, and caps a typo such as `24d`.
 */
export const MAX_PREVIOUS_TOKEN_GRACE_MS = 7 * UNIT_MS.d;

/** Which of the tenant's tokens a webhook's signature was made with. */
export type AcceptedToken = 'current' | 'previous';

/**
 * A zone is required: `Date.parse` reads an ISO string without one as local time, which would move
 * the deadline by the function's time zone.
 */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** The deadline of the previous token in epoch ms, or undefined when absent or unreadable. */
function validUntilMs(credentials: TenantTwilioCredentials): number | undefined {
  const until = credentials.previousAuthTokenValidUntil;
  if (until === undefined || !ISO_INSTANT.test(until)) return undefined;
  const ms = Date.parse(until);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The previous token if it may still be used at `now`: strictly before its deadline (at the
 * deadline it has expired). Fails closed: no deadline, an unreadable one, or a previous token equal
 * to the current one (nothing to fall back to) give undefined.
 */
export function usablePreviousToken(credentials: TenantTwilioCredentials, now: Date): string | undefined {
  const previous = credentials.previousAuthToken;
  if (!previous || previous === credentials.authToken) return undefined;
  const until = validUntilMs(credentials);
  return until !== undefined && now.getTime() < until ? previous : undefined;
}

/**
 * Which token `verify` accepts: the current one first (the common case costs one check), then
 * the previous one while it is within its grace. Undefined: neither, the request is rejected.
 */
export function acceptedToken(
  credentials: TenantTwilioCredentials,
  now: Date,
  verify: (authToken: string) => boolean,
): AcceptedToken | undefined {
  if (verify(credentials.authToken)) return 'current';
  const previous = usablePreviousToken(credentials, now);
  return previous !== undefined && verify(previous) ? 'previous' : undefined;
}

export interface RotationOptions {
  readonly now: Date;
  /**
   * How long a token replaced by this put stays valid. Undefined: the default for a replaced token,
   * and an earlier rotation's previous token keeps its deadline. 0: no previous token at all, also
   * an earlier one (the old token leaked).
   */
  readonly graceMs?: number;
}

/**
 * The secret to store when an operator puts `next` over `existing`. A token that replaces a
 * different one of the same account becomes the previous token for the grace; a new account keeps
 * no previous token (it would verify another account's webhooks); only one previous token is
 * kept, like Twilio's one secondary token; an expired one is dropped.
 */
export function withRotation(
  existing: TenantTwilioCredentials | undefined,
  next: TenantTwilioCredentials,
  options: RotationOptions,
): TenantTwilioCredentials {
  // The caller's own previous-token fields never pass through: only this function decides them.
  const { previousAuthToken: _previous, previousAuthTokenValidUntil: _until, ...current } = next;
  if (!existing || existing.accountSid !== next.accountSid || options.graceMs === 0) return current;
  if (existing.authToken !== next.authToken) {
    const graceMs = options.graceMs ?? DEFAULT_PREVIOUS_TOKEN_GRACE_MS;
    return {
      ...current,
      previousAuthToken: existing.authToken,
      previousAuthTokenValidUntil: new Date(options.now.getTime() + graceMs).toISOString(),
    };
  }
  const kept = usablePreviousToken(existing, options.now);
  return kept !== undefined && kept !== next.authToken
    ? {
        ...current,
        previousAuthToken: kept,
        previousAuthTokenValidUntil: existing.previousAuthTokenValidUntil,
      }
    : current;
}

/**
 * `--previous-token-grace`: `0`, or a whole number of seconds, minutes, hours or days (`90s`,
 * `30m`, `24h`, `2d`) up to MAX_PREVIOUS_TOKEN_GRACE_MS. Returns a reason instead when unreadable.
 */
export function parseGraceDuration(text: string): { ok: true; ms: number } | { ok: false; reason: string } {
  const match = /^(\d{1,7})([smhd])?$/.exec(text.trim());
  const amount = match ? Number(match[1]) : Number.NaN;
  const unit = match?.[2] as keyof typeof UNIT_MS | undefined;
  if (!match || (unit === undefined && amount !== 0))
    return { ok: false, reason: 'expected 0 or a duration such as 90s, 30m, 24h or 2d' };
  const ms = unit === undefined ? 0 : amount * UNIT_MS[unit];
  if (ms > MAX_PREVIOUS_TOKEN_GRACE_MS) return { ok: false, reason: 'at most 7d' };
  return { ok: true, ms };
}
