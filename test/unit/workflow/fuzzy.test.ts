import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editDistance, sameWord } from '../../../lambdas/domain/workflow/fuzzy';

describe('keyword typos', () => {
  it.each([
    ['pakage', 'package', true],
    ['packgae', 'package', true],
    ['delivry', 'delivery', true],
    ['trakc', 'track', true],
    // The typed word needs 5 letters too (issue: "ordr is 4 letters so exact only").
    ['ordr', 'order', false],
    ['ordre', 'order', true],
    ['odr', 'order', false],
    ['trak', 'track', false],
    ['tack', 'track', false],
    ['trakcs', 'tracks', true],
    ['car', 'cart', false],
    ['hello', 'order', false],
    ['shipping', 'shopping', true],
  ])('"%s" ~ "%s": %s', (said, keyword, expected) => {
    expect(sameWord(said, keyword)).toBe(expected);
  });

  it('distance is symmetric, zero only for equal words, and one for any single edit', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,10}$/), fc.stringMatching(/^[a-z]{1,10}$/), (a, b) => {
        expect(editDistance(a, b, 20)).toBe(editDistance(b, a, 20));
        expect(editDistance(a, b, 20) === 0).toBe(a === b);
      }),
    );
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z]{2,10}$/),
        fc.nat(),
        fc.constantFrom('x', 'q'),
        (word, at, letter) => {
          const index = at % word.length;
          const substituted = word.slice(0, index) + letter + word.slice(index + 1);
          const deleted = word.slice(0, index) + word.slice(index + 1);
          expect(editDistance(word, substituted)).toBeLessThanOrEqual(1);
          expect(editDistance(word, deleted)).toBe(1);
        },
      ),
    );
  });
});
