import fc from 'fast-check';
import { SegmentedMessage } from 'sms-segments-calculator';
import { describe, expect, it } from 'vitest';
import { countSegments, splitForSms } from '../../../lambdas/domain/segments';

/**
 * countSegments against Twilio's own calculator (sms-segments-calculator, default options: no
 * smart encoding). No deliberate disagreement: segment count and encoding agree on every case
 * below and on random strings. (Our `units` counts septets / UTF-16 units; the calculator has no
 * directly comparable field, so only segments and encoding are compared.)
 */
function twilio(body: string): { segments: number; encoding: string } {
  const message = new SegmentedMessage(body);
  return { segments: message.segmentsCount, encoding: message.encodingName };
}

function ours(body: string): { segments: number; encoding: string } {
  const { segments, encoding } = countSegments(body);
  return { segments, encoding };
}

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';
const NON_GSM = [
  'ж',
  'ç',
  'ñ',
  '你',
  'é\u0301',
  '\u00a0',
  '😀',
  '👨‍👩‍👧',
  '🇺🇸',
  '‘',
  '’',
  '“',
  '…',
  '\u200d',
  '\u0301',
];

const a = (n: number) => 'a'.repeat(n);

describe('countSegments agrees with Twilio sms-segments-calculator', () => {
  it.each([
    ['empty', ''],
    ['GSM-7 160', a(160)],
    ['GSM-7 161', a(161)],
    ['GSM-7 306', a(306)],
    ['GSM-7 307', a(307)],
    ['GSM-7 459', a(459)],
    ['GSM-7 460', a(460)],
    ...[...'{}[]~\\|^€'].flatMap((ext): [string, string][] => [
      [`extension ${ext} ending at 160`, a(158) + ext],
      [`extension ${ext} pushing past 160`, a(159) + ext],
      [`extension ${ext} straddling the 153 boundary`, `${a(152)}${ext}${a(152)}`],
      [`extension ${ext} just before the 153 boundary`, `${a(151)}${ext}${a(153)}`],
    ]),
    ['80 extension chars', '{'.repeat(80)],
    ['81 extension chars', '€'.repeat(81)],
    ['UCS-2 70', 'ж'.repeat(70)],
    ['UCS-2 71', 'ж'.repeat(71)],
    ['UCS-2 134', 'ж'.repeat(134)],
    ['UCS-2 135', 'ж'.repeat(135)],
    ['UCS-2 201', 'ж'.repeat(201)],
    ['UCS-2 202', 'ж'.repeat(202)],
    ['one non-GSM char at 70', `${a(69)}ç`],
    ['one non-GSM char at 71', `${a(70)}ç`],
    ['35 emoji', '😀'.repeat(35)],
    ['36 emoji', '😀'.repeat(36)],
    ['emoji ending at 70 units', `${a(68)}😀`],
    ['emoji pushing past 70 units', `${a(69)}😀`],
    ['emoji straddling the 67 boundary', `${'ж'.repeat(66)}😀${'ж'.repeat(66)}`],
    ['emoji just before the 67 boundary', `${'ж'.repeat(65)}😀${'ж'.repeat(67)}`],
    ['combining marks, 70 units', 'e\u0301'.repeat(35)],
    ['combining marks, 72 units', 'e\u0301'.repeat(36)],
    ['ZWJ family x7 (56 units)', '👨‍👩‍👧'.repeat(7)],
    ['ZWJ family x9 (72 units)', '👨‍👩‍👧'.repeat(9)],
    ['ZWJ sequence at the 67 boundary', `${'ж'.repeat(63)}👨‍👩‍👧${'ж'.repeat(63)}`],
    ['flags', '🇺🇸'.repeat(18)],
    ['no-break space', `${a(100)}\u00a0`],
    ['smart quotes', `‘${a(60)}’`],
    ['form feed', '\f'.repeat(80)],
  ])('%s', (_name, body) => {
    expect(ours(body)).toEqual(twilio(body));
  });

  it('agrees on random GSM-7 strings', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.constantFrom(...GSM_BASIC, ...GSM_EXTENSION), { maxLength: 500 })
          .map((chars) => chars.join('')),
        (body) => {
          expect(ours(body)).toEqual(twilio(body));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees on random mixed-alphabet strings', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.oneof(fc.constantFrom(...GSM_BASIC, ...GSM_EXTENSION), fc.constantFrom(...NON_GSM)), {
            maxLength: 250,
          })
          .map((chars) => chars.join('')),
        (body) => {
          expect(ours(body)).toEqual(twilio(body));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees on arbitrary unicode strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (body) => {
        expect(ours(body)).toEqual(twilio(body));
      }),
      { numRuns: 300 },
    );
  });
});

describe('splitForSms', () => {
  it('splits at word boundaries', () => {
    expect(splitForSms('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(splitForSms('keep  double\nspaces', 100)).toEqual(['keep  double\nspaces']);
  });

  it('hard-splits words longer than the limit', () => {
    expect(splitForSms('ab abcdefghij c', 4)).toEqual(['ab', 'abcd', 'efgh', 'ij c']);
  });

  it('keeps short bodies whole, gives nothing for blank ones and defaults to 1600', () => {
    expect(splitForSms('hello')).toEqual(['hello']);
    expect(splitForSms('   \n ')).toEqual([]);
    expect(splitForSms(a(1600))).toEqual([a(1600)]);
    expect(splitForSms(a(1601))).toEqual([a(1600), 'a']);
  });

  it('never splits a surrogate pair', () => {
    expect(splitForSms('😀😀😀', 2)).toEqual(['😀😀', '😀']);
  });

  const bodies = fc
    .array(
      fc.oneof(
        fc.constantFrom(' ', ' ', '\n', '  '),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
      ),
      {
        maxLength: 60,
      },
    )
    .map((pieces) => pieces.join(''));

  it('gives ordered, non-empty parts within the limit that keep every word', () => {
    fc.assert(
      fc.property(bodies, fc.integer({ min: 1, max: 50 }), (body, max) => {
        const parts = splitForSms(body, max);
        for (const part of parts) {
          expect(part.length).toBeGreaterThan(0);
          expect([...part].length).toBeLessThanOrEqual(max);
          expect(part).toBe(part.trim());
        }
        const squash = (text: string) => text.replace(/\s+/gu, '');
        expect(parts.map(squash).join('')).toBe(squash(body));
      }),
    );
  });

  it('joining the parts with single spaces gives back the normalized text', () => {
    // "Normalized": whitespace runs collapsed to one space, ends trimmed. Parts keep the body's own
    // whitespace (a newline inside a part stays a newline), so both sides are normalized.
    const normalize = (text: string) => text.replace(/\s+/gu, ' ').trim();
    const words = fc.stringMatching(/^[^\s]{1,12}$/u);
    const separators = fc.constantFrom(' ', '  ', '\n', ' \n\n', '\t');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(words, separators), { maxLength: 200 }),
        fc.integer({ min: 12, max: 200 }),
        (pieces, max) => {
          const body = pieces.map(([word, separator]) => word + separator).join('');
          const parts = splitForSms(body, max);
          expect(normalize(parts.join(' '))).toBe(normalize(body));
          for (const part of parts) {
            expect(part.length).toBeGreaterThan(0);
            expect([...part].length).toBeLessThanOrEqual(max);
          }
        },
      ),
    );
  });

  it('splits a too-long reply into parts of at most 1600 characters', () => {
    const body = Array.from({ length: 700 }, (_, index) => `word${index}`).join(' ');
    const parts = splitForSms(body);
    expect(parts.length).toBe(Math.ceil(body.length / 1600));
    expect(parts.every((part) => part.length <= 1600)).toBe(true);
    expect(parts.join(' ')).toBe(body);
  });

  it('only breaks inside a word when the word alone exceeds the limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z]{1,10}$/), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 10, max: 60 }),
        (words, max) => {
          const parts = splitForSms(words.join(' '), max);
          expect(parts.flatMap((part) => part.split(' '))).toEqual(words);
        },
      ),
    );
  });
});
