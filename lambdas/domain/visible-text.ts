/**
 * Customer text shown to operators (CLI lines, the console) with every character that could act on
 * the screen instead of being read made visible: C0 and C1 control characters (an SMS can carry
 * ESC [ ... sequences that recolour, move or clear an operator's terminal; U+009B is a one-byte
 * CSI) and the bidirectional overrides and isolates that reorder what follows them ("Trojan
 * Source"). Each becomes an escape a person can read: `\n`, `\t`, `\r`, or `\u{1b}`.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is this module's purpose
const ACTIVE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/** Does the text hold a character that visibleText would escape? */
export function hasActiveCharacters(text: string): boolean {
  return text.search(ACTIVE_CHARACTERS) >= 0;
}

export function visibleText(text: string, options: { keepLineBreaks?: boolean } = {}): string {
  return text.replace(ACTIVE_CHARACTERS, (character) => {
    if (options.keepLineBreaks && character === '\n') return character;
    return NAMED_ESCAPES[character] ?? `\\u{${(character.codePointAt(0) ?? 0).toString(16)}}`;
  });
}

/**
 * A JSON document with the characters that JSON.stringify leaves raw but a terminal may act on
 * (DEL, C1 controls, bidirectional controls) written as `\uXXXX` escapes: the same JSON value.
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (character) => `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}
