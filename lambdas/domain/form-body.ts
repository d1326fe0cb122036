/**
 * Strict parsing of application/x-www-form-urlencoded bodies as Twilio sends them.
 * Twilio signs every parameter it sends, so nothing is trimmed, normalised or dropped here;
 * repeated keys keep every value in order. Malformed input is rejected rather than guessed at.
 */
export type FormParams = Record<string, string | string[]>;

export type FormParseResult = { ok: true; params: FormParams } | { ok: false; reason: string };

const PERCENT_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

function decodeComponent(raw: string): string | undefined {
  if (PERCENT_ESCAPE.test(raw)) return undefined;
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    // decodeURIComponent throws on escapes that are not valid UTF-8.
    return undefined;
  }
}

export interface FormLimits {
  readonly maxParams: number;
}

export const DEFAULT_FORM_LIMITS: FormLimits = { maxParams: 500 };

export function parseFormBody(body: string, limits: FormLimits = DEFAULT_FORM_LIMITS): FormParseResult {
  // No prototype: parameter names like `__proto__` or `valueOf` are data, not inherited members.
  const params: FormParams = Object.create(null);
  if (body.length === 0) return { ok: true, params };
  const pairs = body.split('&');
  if (pairs.length > limits.maxParams) {
    return { ok: false, reason: `too many form parameters (${pairs.length} > ${limits.maxParams})` };
  }
  for (const pair of pairs) {
    if (pair.length === 0) continue;
    const separator = pair.indexOf('=');
    const rawKey = separator === -1 ? pair : pair.slice(0, separator);
    const rawValue = separator === -1 ? '' : pair.slice(separator + 1);
    const key = decodeComponent(rawKey);
    const value = decodeComponent(rawValue);
    if (key === undefined || value === undefined) {
      return { ok: false, reason: 'form body has an invalid percent-encoding or invalid UTF-8' };
    }
    if (key.length === 0) return { ok: false, reason: 'form body has a parameter with an empty name' };
    if (key.includes('\0') || value.includes('\0')) {
      return { ok: false, reason: 'form body contains a NUL character' };
    }
    const existing = params[key];
    if (existing === undefined) params[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[key] = [existing, value];
  }
  return { ok: true, params };
}

/** The single value of a parameter; repeated values of a single-valued parameter are an error. */
export function singleParam(params: FormParams, key: string): string | undefined {
  const value = params[key];
  return Array.isArray(value) ? undefined : value;
}
