import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFormBody } from '../../../lambdas/domain/form-body';

describe('parseFormBody', () => {
  it('decodes + as space and percent escapes, keeping every value of repeated keys', () => {
    const parsed = parseFormBody('Body=Hi+there%21+%F0%9F%98%80&MediaUrl=a&MediaUrl=b&Empty=&Flag');
    expect(parsed).toEqual({
      ok: true,
      params: { Body: 'Hi there! 😀', MediaUrl: ['a', 'b'], Empty: '', Flag: '' },
    });
  });

  it('keeps whitespace exactly as sent (the signature covers it)', () => {
    expect(parseFormBody('Body=%20padded%20')).toEqual({ ok: true, params: { Body: ' padded ' } });
  });

  it.each([
    ['an invalid percent escape', 'Body=%ZZ'],
    ['a truncated percent escape', 'Body=abc%2'],
    ['invalid UTF-8', 'Body=%C3%28'],
    ['a NUL byte', 'Body=a%00b'],
    ['an empty key', '=value'],
  ])('rejects %s', (_name, body) => {
    expect(parseFormBody(body).ok).toBe(false);
  });

  it('treats prototype member names as ordinary parameters', () => {
    const parsed = parseFormBody('__proto__=x&valueOf=y&constructor=z');
    expect(parsed.ok && { ...parsed.params }).toEqual({ ['__proto__']: 'x', valueOf: 'y', constructor: 'z' });
  });

  it('rejects too many parameters', () => {
    const body = Array.from({ length: 501 }, (_, index) => `p${index}=1`).join('&');
    expect(parseFormBody(body)).toEqual({ ok: false, reason: 'too many form parameters (501 > 500)' });
  });

  it('round-trips anything URLSearchParams encodes', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1 }).filter((key) => !key.includes('\0')),
          fc.string().filter((value) => !value.includes('\0')),
          { maxKeys: 20 },
        ),
        (params) => {
          const encoded = new URLSearchParams(params).toString();
          const parsed = parseFormBody(encoded);
          expect(parsed.ok).toBe(true);
          if (parsed.ok) expect(parsed.params).toEqual({ ...params });
        },
      ),
    );
  });
});
