import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isE164, maskPhone } from '../../../lambdas/domain/phone';

describe('phone numbers', () => {
  it.each([
    ['+15005550006', true],
    ['+442071838750', true],
    ['15005550006', false],
    ['+0123456789', false],
    ['+1234567890123456', false],
    ['+1 500 555 0006', false],
  ])('isE164(%s) = %s', (value, expected) => {
    expect(isE164(value)).toBe(expected);
  });

  it('masks all but the last four digits', () => {
    expect(maskPhone('+15005550006')).toBe('+*******0006');
    expect(maskPhone('whatsapp:+15005550006')).toBe('whatsapp:+*******0006');
    expect(maskPhone('123')).toBe('***');
  });

  it('never reveals more than four digits of any E.164 number', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+[1-9]\d{6,14}$/), (number) => {
        const masked = maskPhone(number);
        expect(masked.replace(/\D/g, '')).toBe(number.slice(-4));
        expect(masked).toHaveLength(number.length);
      }),
    );
  });
});
