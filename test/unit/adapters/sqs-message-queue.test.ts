import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiJson } from '../../../lambdas/adapters/sqs-message-queue';

describe('queue payloads as ASCII JSON', () => {
  it('escapes emoji, ZWJ sequences, RTL overrides and control characters', () => {
    const body = { text: 'pkg 📦 👨‍👩‍👧 \u202Ex\u202C \u001b[31m é' };
    const encoded = asciiJson(body);
    expect(encoded).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(encoded)).toEqual(body);
  });

  it('round-trips any string exactly', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const encoded = asciiJson({ text });
        expect(encoded).toMatch(/^[\x20-\x7e]*$/);
        expect(JSON.parse(encoded).text).toBe(text);
      }),
    );
  });
});
