/**
 * The languages the extractors read answers in and give their reasons in. Any other language
 * (or none) reads and answers as English; dates are also read in Dutch (chrono-node's `nl`).
 */
export const EXTRACT_LANGUAGES = ['en', 'es', 'fr', 'pt', 'de'] as const;
export type ExtractLanguage = (typeof EXTRACT_LANGUAGES)[number];

/** Languages chrono-node reads dates in, beyond those above. */
export const DATE_ONLY_LANGUAGES = ['nl'] as const;
export type DateLanguage = ExtractLanguage | (typeof DATE_ONLY_LANGUAGES)[number];

/** The primary subtag of a BCP 47 tag, lower case: "es-MX" -> "es", "pt_BR" -> "pt". */
export function primarySubtag(tag: string | undefined): string {
  return (tag ?? 'en').trim().toLowerCase().split(/[-_]/)[0] ?? 'en';
}

/** The language answers are read in: a supported one, else English. */
export function extractLanguage(tag: string | undefined): ExtractLanguage {
  const primary = primarySubtag(tag);
  return (EXTRACT_LANGUAGES as readonly string[]).includes(primary) ? (primary as ExtractLanguage) : 'en';
}

/** The language dates are read in: one chrono-node has a locale for among ours, else English. */
export function dateLanguage(tag: string | undefined): DateLanguage {
  const primary = primarySubtag(tag);
  return ([...EXTRACT_LANGUAGES, ...DATE_ONLY_LANGUAGES] as readonly string[]).includes(primary)
    ? (primary as DateLanguage)
    : 'en';
}

/**
 * Lower case without accents, straight apostrophes, single spaces, "ß" as "ss": how answers in
 * languages other than English are compared with word lists ("Sí" and "si", "não" and "nao").
 */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/** Folded text (as `fold`, without trimming or joining spaces) and, per folded character, where it came from. */
export interface FoldedText {
  readonly text: string;
  readonly from: readonly number[];
}

export function foldMapped(original: string): FoldedText {
  let text = '';
  const from: number[] = [];
  let index = 0;
  for (const char of original) {
    const folded = /\s/.test(char) ? ' ' : fold(char) || (char.trim() === '' ? ' ' : '');
    for (let k = 0; k < folded.length; k++) from.push(index);
    text += folded;
    index += char.length;
  }
  from.push(index);
  return { text, from };
}

/** The words of the original message a match in its folded text was read from. */
export function originalSpan(original: string, folded: FoldedText, start: number, end: number): string {
  const from = folded.from[start] ?? 0;
  const last = folded.from[Math.max(start, end - 1)] ?? from;
  const lastChar = String.fromCodePoint(original.codePointAt(last) ?? 0);
  return original.slice(from, last + (end > start ? lastChar.length : 0));
}
