import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasActiveCharacters, terminalSafeJson, visibleText } from '../../../lambdas/domain/visible-text';

describe('visibleText', () => {
  it('writes control and bidirectional characters as escapes a person can read', () => {
    expect(visibleText('a\u001b[31mb\tc\r\nd\u202ee\u2066')).toBe(
      'a\\u{1b}[31mb\\tc\\r\\nd\\u{202e}e\\u{2066}',
    );
    expect(visibleText('line one\nline two', { keepLineBreaks: true })).toBe('line one\nline two');
  });

  it('leaves ordinary text, accents and emoji as they are', () => {
    expect(visibleText('Café 👍🏽 — ¿sí?')).toBe('Café 👍🏽 — ¿sí?');
  });

  it('never lets an active character through, whatever the text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(hasActiveCharacters(text) || visibleText(text) === text).toBe(true);
        expect(hasActiveCharacters(visibleText(text))).toBe(false);
        expect(hasActiveCharacters(terminalSafeJson({ text }))).toBe(false);
        expect(JSON.parse(terminalSafeJson({ text }))).toEqual({ text });
      }),
    );
  });
});
