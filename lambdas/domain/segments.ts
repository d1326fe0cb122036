/**
 * SMS segment count as carriers (and Twilio's `num_segments`) compute it.
 *
 * A body that fits the GSM 03.38 alphabet is sent as GSM-7: 160 septets in one SMS, 153 per part
 * once a user-data header is needed; characters of the extension table (`{ } [ ] ~ \ | ^ €` and
 * form feed) take an escape septet, i.e. two. Anything else forces UCS-2: 70 UTF-16 code units in
 * one SMS, 67 per part; characters outside the BMP (most emoji) are surrogate pairs, i.e. two.
 * Neither an escape sequence nor a surrogate pair is split across two parts, so a part can carry
 * one unit less than its capacity (as in Twilio's message-segment-calculator).
 */
export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the body occupies. */
  units: number;
  segments: number;
}

const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENSION = new Set('\f^{}\\[~]|€');

const LIMITS: Record<SmsEncoding, { single: number; perPart: number }> = {
  'GSM-7': { single: 160, perPart: 153 },
  'UCS-2': { single: 70, perPart: 67 },
};

function isGsm7(text: string): boolean {
  for (const char of text) {
    if (!GSM7_BASIC.has(char) && !GSM7_EXTENSION.has(char)) return false;
  }
  return true;
}

/** Size of each character in units of the encoding, in order (iteration is by code point). */
function unitSizes(text: string, encoding: SmsEncoding): number[] {
  const sizes: number[] = [];
  for (const char of text) {
    if (encoding === 'GSM-7') sizes.push(GSM7_EXTENSION.has(char) ? 2 : 1);
    else sizes.push(char.length); // UTF-16 code units: 2 for a surrogate pair
  }
  return sizes;
}

export function countSegments(body: string): SegmentCount {
  const encoding: SmsEncoding = isGsm7(body) ? 'GSM-7' : 'UCS-2';
  const sizes = unitSizes(body, encoding);
  const units = sizes.reduce((sum, size) => sum + size, 0);
  const { single, perPart } = LIMITS[encoding];
  // An empty body still travels as one (empty) SMS.
  if (units <= single) return { encoding, units, segments: 1 };

  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > perPart) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return { encoding, units, segments };
}

/**
 * Splits a body into ordered parts of at most `maxChars` characters (code points; Twilio refuses
 * bodies over 1,600 characters), breaking at whitespace where possible and hard-splitting words
 * longer than the limit. Whitespace inside a part is kept as written; whitespace at a break and at
 * either end is dropped, so no part is empty and none starts or ends with whitespace. An empty or
 * all-whitespace body gives no parts.
 */
export function splitForSms(body: string, maxChars = 1600): string[] {
  if (!Number.isInteger(maxChars) || maxChars < 1)
    throw new RangeError('maxChars must be a positive integer');
  const parts: string[] = [];
  let current: string[] = [];
  for (const token of body.match(/\s*\S+/gu) ?? []) {
    const word = token.trimStart();
    const separator = [...token.slice(0, token.length - word.length)];
    const chars = [...word];
    if (current.length > 0 && current.length + separator.length + chars.length <= maxChars) {
      current.push(...separator, ...chars);
      continue;
    }
    if (current.length > 0) parts.push(current.join(''));
    current = [];
    for (let start = 0; start < chars.length; start += maxChars) {
      const piece = chars.slice(start, start + maxChars);
      if (piece.length === maxChars && start + maxChars < chars.length) parts.push(piece.join(''));
      else current = piece;
    }
  }
  if (current.length > 0) parts.push(current.join(''));
  return parts;
}
