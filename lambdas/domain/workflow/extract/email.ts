import type { ExtractOptions, Extraction } from './types';

export const EMAIL_REASON = "That doesn't look like an email address (e.g. name@example.com).";

const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
const WHOLE_EMAIL = new RegExp(`^${EMAIL_PATTERN.source}$`);

const AT = String.raw`\s*(?:@|[([]\s*at\s*[)\]])\s*|\s+at\s+`;
const DOT = String.raw`\s*(?:\.|[([]\s*dot\s*[)\]])\s*|\s+dot\s+`;
/** "bob at gmail dot com", "bob(at)gmail.com", "bob @ gmail.com", "sam dot jones at gmail dot com". */
const SPOKEN_EMAIL = new RegExp(
  String.raw`[a-z0-9_%+-]+(?:(?:\.|\s+dot\s+)[a-z0-9_%+-]+)*(?:${AT})[a-z0-9-]+(?:(?:${DOT})[a-z0-9-]+)*?(?:${DOT})[a-z]{2,}\b`,
  'i',
);

/** "arroba", "arobase", "punto", "point", "ponto", "Punkt": "at" and "dot" in the other languages read. */
const SPOKEN_AT = /(?<=\s)(?:arroba|arobase|arobas)(?=\s)/gi;
const SPOKEN_DOT = /(?<=\s)(?:punto|point|ponto|punkt)(?=\s)/gi;

/**
 * An email address, lower-cased, also when spelt out ("bob at gmail dot com", "ana arroba gmail
 * punto com") or spaced ("bob @ gmail.com").
 */
export function extractEmail(text: string, options: Pick<ExtractOptions, 'language'> = {}): Extraction {
  const read = readEmail(text);
  if (read.found || options.language === undefined || /^en\b/i.test(options.language)) return read;
  const spoken = text.replace(SPOKEN_AT, 'at').replace(SPOKEN_DOT, 'dot');
  const spelt = spoken === text ? read : readEmail(spoken);
  // The words were rewritten: the address is not a part of the message as written.
  return spelt.found ? { found: true, value: spelt.value } : read;
}

function readEmail(text: string): Extraction {
  const written = text.match(EMAIL_PATTERN);
  if (written) return { found: true, value: written[0].toLowerCase(), matched: written[0] };
  const spoken = text.match(SPOKEN_EMAIL);
  if (spoken) {
    const value = spoken[0]
      .toLowerCase()
      .replace(new RegExp(AT, 'g'), '@')
      .replace(new RegExp(DOT, 'g'), '.');
    if (WHOLE_EMAIL.test(value)) return { found: true, value, matched: spoken[0] };
  }
  return { found: false, reason: EMAIL_REASON };
}
