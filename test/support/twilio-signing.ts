import { createHmac } from 'node:crypto';

/** Signs a webhook the way Twilio does: HMAC-SHA1 over the URL and the sorted parameters. */
export function twilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string | string[]>,
): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => {
      const value = params[key];
      const values = Array.isArray(value) ? [...value].sort() : [value ?? ''];
      return acc + values.map((item) => key + item).join('');
    }, url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

export function formBody(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}
