import { RE2JS } from 're2js';

/**
 * Regular expressions written by tenants (`pattern` variables, `match.patterns`) run on customers'
 * messages inside the conversation function, so they run in RE2 (the `re2js` port): matching
 * takes time linear in the input, whatever the pattern. `^(a+)+$` on 1,600 characters takes
 * milliseconds there, where a backtracking engine (JavaScript's RegExp) takes seconds on 28. The
 * price is RE2's syntax: no backreferences, no lookaround, no possessive quantifiers or atomic
 * groups. Authors keep their own semantics: no flag is added (`(?i)` makes a pattern
 * case-insensitive); `\d`, `\w` and `\b` are ASCII, as in JavaScript; `.` and classes match whole
 * code points (emoji included), as with JavaScript's `u` flag.
 */

/** Longest pattern accepted, in UTF-16 code units. */
export const MAX_PATTERN_LENGTH = 200;
/** Twilio's body limit: longer input is cut to this many UTF-16 code units before matching. */
export const MAX_MATCH_INPUT = 1600;
/**
 * RE2's program size (instructions) bounds the work per input character; above this, a 1,600
 * character message could take tens of milliseconds (`[\p{L}\d]{1000}` is ~1,000 and ~100 ms).
 */
export const MAX_PROGRAM_SIZE = 500;
const CACHE_ENTRIES = 256;

export interface TenantRegex {
  /** The leftmost match (RE2 leftmost-first, as JavaScript) and its UTF-16 index, if any. */
  find(text: string): { match: string; index: number } | undefined;
  test(text: string): boolean;
}

export type TenantRegexCompilation = { ok: true; regex: TenantRegex } | { ok: false; reason: string };

const LINEAR = 'patterns run in a linear-time engine (RE2)';

/** JavaScript syntax RE2 refuses, found before RE2 gives a terser reason. */
const UNSUPPORTED_GROUPS: readonly (readonly [string, string])[] = [
  ['(?<=', 'lookbehind (?<=...)'],
  ['(?<!', 'negative lookbehind (?<!...)'],
  ['(?=', 'lookahead (?=...)'],
  ['(?!', 'negative lookahead (?!...)'],
  ['(?>', 'atomic group (?>...)'],
];

class Re2TenantRegex implements TenantRegex {
  constructor(readonly re: RE2JS) {}

  find(text: string): { match: string; index: number } | undefined {
    const matcher = this.re.matcher(bounded(text));
    if (!matcher.find()) return undefined;
    return { match: matcher.group() ?? '', index: matcher.start() };
  }

  test(text: string): boolean {
    return this.re.test(bounded(text));
  }
}

/** The input cut to `MAX_MATCH_INPUT`, never between the two halves of a surrogate pair. */
function bounded(text: string): string {
  if (text.length <= MAX_MATCH_INPUT) return text;
  const last = text.charCodeAt(MAX_MATCH_INPUT - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? MAX_MATCH_INPUT - 1 : MAX_MATCH_INPUT);
}

/**
 * Rewrites JavaScript's `\uXXXX` and `\u{X…}` (accepted when patterns were JavaScript RegExps) to
 * RE2's `\x{…}`, and names the first construct RE2 lacks. Everything else is left to RE2's parser.
 */
function translate(source: string): { ok: true; source: string } | { ok: false; reason: string } {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    if (ch === '\\') {
      const next = source[i + 1] ?? '';
      const unicode = /^u(?:([0-9A-Fa-f]{4})|\{([0-9A-Fa-f]{1,6})\})/.exec(source.slice(i + 1));
      if (unicode) {
        out += `\\x{${unicode[1] ?? unicode[2]}}`;
        i += unicode[0].length;
        continue;
      }
      if (!inClass && /[1-9]/.test(next))
        return { ok: false, reason: `backreference \\${next} is not supported: ${LINEAR}` };
      if (next === 'k' && source[i + 2] === '<')
        return { ok: false, reason: `named backreference \\k<...> is not supported: ${LINEAR}` };
      out += ch + next;
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
    } else if (ch === '[') {
      // A `]` first in a class (`[]a]`, `[^]a]`) is a literal in RE2.
      const first = source[i + 1] === '^' ? i + 2 : i + 1;
      const end = source[first] === ']' ? first + 1 : first;
      out += source.slice(i, end);
      i = end - 1;
      inClass = true;
      continue;
    } else if (ch === '(') {
      const group = UNSUPPORTED_GROUPS.find(([start]) => source.startsWith(start, i));
      if (group) return { ok: false, reason: `${group[1]} is not supported: ${LINEAR}` };
    } else if ('+*?'.includes(ch) && source[i + 1] === '+') {
      return { ok: false, reason: `possessive quantifier ${ch}+ is not supported: ${LINEAR}` };
    }
    out += ch;
  }
  return { ok: true, source: out };
}

function compileUncached(source: string): TenantRegexCompilation {
  if (source.length > MAX_PATTERN_LENGTH)
    return { ok: false, reason: `pattern is longer than ${MAX_PATTERN_LENGTH} characters` };
  const translated = translate(source);
  if (!translated.ok) return translated;
  let re: RE2JS;
  try {
    re = RE2JS.compile(translated.source);
  } catch (error) {
    const message = (error as Error).message.replace(/^error parsing regexp: /, '');
    return { ok: false, reason: `not a regular expression RE2 accepts (${message}): ${LINEAR}` };
  }
  const size = re.programSize();
  if (size > MAX_PROGRAM_SIZE) {
    return {
      ok: false,
      reason: `pattern is too large for RE2 (program size ${size}, at most ${MAX_PROGRAM_SIZE}): use smaller repeat counts`,
    };
  }
  return { ok: true, regex: new Re2TenantRegex(re) };
}

/** Compiled patterns by source, least recently used first. */
const cache = new Map<string, TenantRegexCompilation>();

/**
 * Compiles a tenant's pattern for RE2, or says why it cannot (syntax RE2 lacks, too long, too
 * large). Results are cached by source (the last 256), so a warm function compiles each once.
 */
export function compileTenantRegex(source: string): TenantRegexCompilation {
  const cached = cache.get(source);
  if (cached) {
    cache.delete(source);
    cache.set(source, cached);
    return cached;
  }
  const compiled = compileUncached(source);
  cache.set(source, compiled);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  return compiled;
}

/**
 * Texts whose positions cover every context an empty match depends on: start or end of the text
 * or a line, after and before a word character, a space, a line break.
 */
const EMPTY_MATCH_PROBES = ['', 'a', ' ', '\n', 'aa', 'a ', ' a', '  ', 'a\n', '\na', ' \n', '\n ', '\n\n'];

/**
 * Whether the pattern can match the empty string (`\d*`, `(abc)?`, `\b`, `^`): a variable with
 * such a pattern would be "filled" from any message. Found by matching probe texts, so an empty
 * match hidden behind a preferred non-empty one (`a|\B`) can escape it; the extractor never takes
 * an empty match as a value either way.
 */
export function matchesEmptyString(regex: TenantRegex): boolean {
  if (!(regex instanceof Re2TenantRegex)) return regex.find('')?.match === '';
  for (const probe of EMPTY_MATCH_PROBES) {
    const matcher = regex.re.matcher(probe);
    while (matcher.find()) if (matcher.start() === matcher.end()) return true;
  }
  return false;
}
