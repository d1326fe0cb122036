import { describe, expect, it } from 'vitest';
import { countSegments } from '../../../lambdas/domain/segments';

const CYRILLIC = 'ж';
const EMOJI = '😀'; // outside the BMP: a surrogate pair, two UCS-2 units

describe('countSegments', () => {
  it.each([
    { name: 'empty body', body: '', encoding: 'GSM-7', units: 0, segments: 1 },
    { name: '160 GSM-7 characters', body: 'a'.repeat(160), encoding: 'GSM-7', units: 160, segments: 1 },
    { name: '161 GSM-7 characters', body: 'a'.repeat(161), encoding: 'GSM-7', units: 161, segments: 2 },
    { name: '306 GSM-7 characters', body: 'a'.repeat(306), encoding: 'GSM-7', units: 306, segments: 2 },
    { name: '307 GSM-7 characters', body: 'a'.repeat(307), encoding: 'GSM-7', units: 307, segments: 3 },
    {
      name: 'GSM-7 accents and Greek',
      body: 'èéùìòÇØøÅåΔΦΓ£¥§¿¡',
      encoding: 'GSM-7',
      units: 18,
      segments: 1,
    },
    {
      name: '80 extension characters = 160 septets',
      body: '{'.repeat(80),
      encoding: 'GSM-7',
      units: 160,
      segments: 1,
    },
    // 162 septets; a part holds 76 escape pairs (152 septets) since a pair is never split.
    { name: '81 extension characters', body: '€'.repeat(81), encoding: 'GSM-7', units: 162, segments: 2 },
    // 306 septets would fit 2 parts of 153, but the escape pair cannot straddle the boundary.
    {
      name: 'escape pair at a part boundary',
      body: `${'a'.repeat(152)}^${'a'.repeat(152)}`,
      encoding: 'GSM-7',
      units: 306,
      segments: 3,
    },
    { name: '70 UCS-2 characters', body: CYRILLIC.repeat(70), encoding: 'UCS-2', units: 70, segments: 1 },
    { name: '71 UCS-2 characters', body: CYRILLIC.repeat(71), encoding: 'UCS-2', units: 71, segments: 2 },
    { name: '134 UCS-2 characters', body: CYRILLIC.repeat(134), encoding: 'UCS-2', units: 134, segments: 2 },
    { name: '135 UCS-2 characters', body: CYRILLIC.repeat(135), encoding: 'UCS-2', units: 135, segments: 3 },
    { name: '35 emoji = 70 units', body: EMOJI.repeat(35), encoding: 'UCS-2', units: 70, segments: 1 },
    // 72 units; a part holds 33 emoji (66 units), a pair is never split across parts.
    { name: '36 emoji', body: EMOJI.repeat(36), encoding: 'UCS-2', units: 72, segments: 2 },
    {
      name: 'one non-GSM character switches the whole body',
      body: `${'a'.repeat(69)}ç`,
      encoding: 'UCS-2',
      units: 70,
      segments: 1,
    },
    {
      name: '71 characters with one non-GSM',
      body: `${'a'.repeat(70)}ç`,
      encoding: 'UCS-2',
      units: 71,
      segments: 2,
    },
  ])('$name -> $encoding, $segments segment(s)', ({ body, encoding, units, segments }) => {
    expect(countSegments(body)).toEqual({ encoding, units, segments });
  });
});
