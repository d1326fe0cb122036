import { describe, expect, it } from 'vitest';
import {
  MAX_MATCH_INPUT,
  MAX_PATTERN_LENGTH,
  compileTenantRegex,
  matchesEmptyString,
  type TenantRegex,
} from '../../../lambdas/domain/workflow/tenant-regex';

function compiled(source: string): TenantRegex {
  const result = compileTenantRegex(source);
  if (!result.ok) throw new Error(result.reason);
  return result.regex;
}

function refusal(source: string): string {
  const result = compileTenantRegex(source);
  if (result.ok) throw new Error(`${source} was accepted`);
  return result.reason;
}

describe('compileTenantRegex (RE2: linear time whatever the tenant wrote)', () => {
  it('finds the leftmost match and its UTF-16 index, as JavaScript does', () => {
    expect(compiled('\\b\\d{6}\\b').find('order 1234567 or 123456 please')).toEqual({
      match: '123456',
      index: 17,
    });
    expect(compiled('\\d+').find('no digits')).toBeUndefined();
    expect(compiled('[A-Z]{2}-\\d{3}').test('ref AB-123')).toBe(true);
    expect(compiled('[A-Z]{2}-\\d{3}').test('ref ab-123')).toBe(false);
  });

  it("keeps the author's semantics: case-sensitive unless (?i), ASCII \\d and \\b, whole code points", () => {
    expect(compiled('order').test('ORDER')).toBe(false);
    expect(compiled('(?i)order').find('My ORDER')).toEqual({ match: 'ORDER', index: 3 });
    expect(compiled('\\d').test('٣')).toBe(false); // Arabic-Indic three: \d is ASCII, as in JavaScript
    expect(compiled('\\bcat\\b').test('concatenate')).toBe(false);
    expect(compiled('\\bcat\\b').test('a cat!')).toBe(true);
    expect(compiled('\\p{L}+').find('42 café')).toEqual({ match: 'café', index: 3 });
    expect(compiled('.').find('😀')).toEqual({ match: '😀', index: 0 }); // one code point, two UTF-16 units
    expect(compiled('x').find('😀x')).toEqual({ match: 'x', index: 2 });
  });

  it("accepts JavaScript's \\u escapes and named groups", () => {
    expect(compiled('caf\\u00e9').test('café')).toBe(true);
    expect(compiled('[\\u{1F600}-\\u{1F64F}]').test('hi 😀')).toBe(true);
    expect(compiled('\\x{e9}').test('é')).toBe(true);
    expect(compiled('(?<order>\\d{6})').find('#123456')).toEqual({ match: '123456', index: 1 });
  });

  it.each([
    ['(a)\\1', 'backreference \\1 is not supported: patterns run in a linear-time engine (RE2)'],
    ['(?<n>a)\\k<n>', 'named backreference \\k<...> is not supported'],
    ['\\d+(?=kg)', 'lookahead (?=...) is not supported: patterns run in a linear-time engine (RE2)'],
    ['\\d+(?!kg)', 'negative lookahead (?!...) is not supported'],
    ['(?<=#)\\d+', 'lookbehind (?<=...) is not supported'],
    ['(?<!#)\\d+', 'negative lookbehind (?<!...) is not supported'],
    ['(?>a+)b', 'atomic group (?>...) is not supported'],
    ['a++b', 'possessive quantifier ++ is not supported'],
    ['a*+b', 'possessive quantifier *+ is not supported'],
    ['x{2}+', 'invalid nested repetition operator'],
    ['(abc', 'missing closing )'],
    ['\\Z', 'invalid escape sequence'],
    ['a{1001}', 'invalid repeat count'],
    ['[\\p{L}\\d]{1000}', 'pattern is too large for RE2 (program size 1002, at most 500)'],
    ['(?:\\w{1,100}){1,100}', 'invalid repeat count'], // RE2 caps nested repeats at 1000 in all
  ])('refuses %s with a reason', (source, reason) => {
    expect(refusal(source)).toContain(reason);
  });

  it('reads brackets and escapes before refusing: (?= in a class or \\\\1 is literal', () => {
    expect(compiled('[(?=]').test('=')).toBe(true);
    expect(compiled('\\\\1').test('\\1')).toBe(true);
    expect(compiled('[]a]+').find('x]a')).toEqual({ match: ']a', index: 1 });
  });

  it(`refuses patterns longer than ${MAX_PATTERN_LENGTH} characters`, () => {
    expect(compileTenantRegex('a'.repeat(MAX_PATTERN_LENGTH)).ok).toBe(true);
    expect(refusal('a'.repeat(MAX_PATTERN_LENGTH + 1))).toBe(
      `pattern is longer than ${MAX_PATTERN_LENGTH} characters`,
    );
  });

  it('returns at once on inputs that take a backtracking engine seconds (no timing asserted)', () => {
    const adversarial = `${'a'.repeat(MAX_MATCH_INPUT - 1)}!`;
    expect(compiled('^(a+)+$').test(adversarial)).toBe(false);
    expect(compiled('^(a+)+$').find(adversarial)).toBeUndefined();
    expect(compiled('^(a|aa)+$').find(adversarial)).toBeUndefined();
    expect(compiled('^(a|aa)+$').find('a'.repeat(MAX_MATCH_INPUT))?.match).toHaveLength(MAX_MATCH_INPUT);
    expect(compiled('(x+x+)+y').test('x'.repeat(MAX_MATCH_INPUT))).toBe(false);
    expect(compiled('^(\\w+\\s?)+$').find(`${'word '.repeat(300)}!`)).toBeUndefined();
  });

  it(`matches only the first ${MAX_MATCH_INPUT} characters of a longer input`, () => {
    const long = `${'a'.repeat(MAX_MATCH_INPUT)}123456`;
    expect(compiled('\\d{6}').find(long)).toBeUndefined();
    expect(compiled('a$').test(long)).toBe(true); // the input ends where it was cut
    // Never between the halves of a surrogate pair.
    const emoji = `${'a'.repeat(MAX_MATCH_INPUT - 1)}😀`;
    expect(compiled('\\x{FFFD}').test(emoji)).toBe(false);
    expect(compiled('a$').test(emoji)).toBe(true);
  });

  it('caches compiled patterns by source', () => {
    expect(compileTenantRegex('\\d{6}')).toBe(compileTenantRegex('\\d{6}'));
    expect(compileTenantRegex('(?=x)')).toBe(compileTenantRegex('(?=x)'));
    // A bounded cache: 300 other patterns later, the same source compiles again, to an equal regex.
    const first = compileTenantRegex('cached-\\d');
    for (let index = 0; index < 300; index++) compileTenantRegex(`other-${index}`);
    const again = compileTenantRegex('cached-\\d');
    expect(again).not.toBe(first);
    expect(again.ok && again.regex.test('cached-1')).toBe(true);
  });
});

describe('matchesEmptyString', () => {
  it.each(['\\d*', '(abc)?', 'x?', '\\b', '^', '$', '(?m)^$', 'a|\\B', '(?:)', '\\d{0,3}'])(
    '%s can match the empty string',
    (source) => expect(matchesEmptyString(compiled(source))).toBe(true),
  );

  it.each(['\\d+', '\\b\\d{6}\\b', '^yes$', '(?i)order', '[A-Z]{2}\\d{8}', 'x'])('%s cannot', (source) =>
    expect(matchesEmptyString(compiled(source))).toBe(false),
  );
});
