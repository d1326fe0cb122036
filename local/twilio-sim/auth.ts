import { timingSafeEqual } from 'node:crypto';
import type { SimAccount } from './directory';

/** Who authenticated an API request: the account itself (SID + auth token) or one of its API keys. */
export type AuthPrincipal = { kind: 'account'; sid: string } | { kind: 'api-key'; sid: string };

export interface BasicCredentials {
  username: string;
  password: string;
}

export function parseBasicAuth(header: string | undefined): BasicCredentials | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator === -1) return undefined;
  return { username: decoded.slice(0, separator), password: decoded.slice(separator + 1) };
}

function secretsEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The principal the credentials prove for `account`, or undefined (Twilio answers 401 / 20003). */
export function authenticate(
  account: SimAccount | undefined,
  credentials: BasicCredentials | undefined,
): AuthPrincipal | undefined {
  if (!account || !credentials) return undefined;
  if (credentials.username === account.accountSid) {
    return secretsEqual(credentials.password, account.authToken)
      ? { kind: 'account', sid: account.accountSid }
      : undefined;
  }
  const apiKey = account.apiKeys?.find((key) => key.sid === credentials.username);
  if (apiKey && secretsEqual(credentials.password, apiKey.secret))
    return { kind: 'api-key', sid: apiKey.sid };
  return undefined;
}
