/** E.164: a plus, a non-zero country digit, at most 15 digits in all. */
const E164_PATTERN = /^\+[1-9]\d{1,14}$/;

export function isE164(value: string): boolean {
  return E164_PATTERN.test(value);
}

/**
 * Masks a phone number for logs and operator views: only the last four digits survive.
 * Non-phone addresses (whatsapp:, short codes) are masked the same way, keeping their prefix.
 */
export function maskPhone(value: string): string {
  const channel = value.match(/^[a-z]+:/)?.[0] ?? '';
  const address = value.slice(channel.length);
  if (address.length <= 4) return `${channel}${'*'.repeat(address.length)}`;
  const visible = address.slice(-4);
  const hidden = address.slice(0, -4).replace(/[0-9A-Za-z]/g, '*');
  return `${channel}${hidden}${visible}`;
}
