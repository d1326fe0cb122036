/**
 * Where a completion webhook may be sent. HTTPS, with one development affordance: plain HTTP to a
 * loopback host (127.0.0.1, [::1], localhost), so a receiver on the developer's machine works with
 * the local stack. In Lambda a loopback URL reaches nothing but the function's own sandbox, and the
 * notifier never follows redirects, so neither rule opens a way to plain HTTP elsewhere.
 */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost']);
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Why `raw` cannot be a webhook URL, phrased as the fix; undefined when it can. */
export function webhookUrlProblem(raw: string): string | undefined {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL such as https://example.com/sms/completed';
  }
  if (url.username || url.password) {
    return 'must not carry credentials (user:password@); the request is signed instead';
  }
  if (url.hash) return 'must not have a #fragment';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return 'must use https:// (http:// only for 127.0.0.1, [::1] or localhost during development)';
}
