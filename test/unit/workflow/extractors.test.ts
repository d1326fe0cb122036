import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WorkflowVariable } from '../../../lambdas/domain/workflow/definition';
import { extractDate, extractVariable } from '../../../lambdas/domain/workflow/extractors';

const now = new Date('2026-11-22T12:00:00Z');

function extract(variable: WorkflowVariable, text: string) {
  return extractVariable(variable, text, now);
}

describe('date extraction', () => {
  it.each([
    ['December 10th', '2025-12-10'],
    ['dec 10', '2025-12-10'],
    ['Nov 3', '2026-11-03'],
    ['on the 3rd of November', '2026-11-03'],
    ['10/12', '2026-10-12'],
    ['12/10/2024', '2024-12-10'],
    ['2026-01-31', '2026-01-31'],
    ['yesterday', '2026-11-21'],
    ['today', '2026-11-22'],
    ['March 5, 2025', '2025-03-05'],
  ])('reads "%s" as %s', (text, expected) => {
    expect(extractDate(text, now)).toEqual({ found: true, value: expected });
  });

  it.each(['no idea', 'February 30', '13/45', 'may I ask'])('finds no date in "%s"', (text) => {
    expect(extractDate(text, now).found).toBe(false);
  });

  it('never returns a date after "now" when no year is given', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), (month, day) => {
        const result = extractDate(`${month}/${day}`, now);
        expect(result.found).toBe(true);
        if (result.found) expect(result.value <= '2026-11-22').toBe(true);
      }),
    );
  });
});

describe('typed variables', () => {
  const cases: [WorkflowVariable, string, string | undefined][] = [
    [{ name: 'n', type: 'pattern', pattern: '\\b\\d{6}\\b', prompt: 'p' }, 'it is 123456 thanks', '123456'],
    [{ name: 'n', type: 'pattern', pattern: '\\b\\d{6}\\b', prompt: 'p' }, '12345', undefined],
    [{ name: 'n', type: 'number', prompt: 'p' }, 'about 3,5 kg', '3.5'],
    [{ name: 'e', type: 'email', prompt: 'p' }, 'mail Me@Example.COM please', 'me@example.com'],
    [{ name: 'e', type: 'email', prompt: 'p' }, 'me at example', undefined],
    [{ name: 'p', type: 'phone', prompt: 'p' }, 'call (415) 555-0100', '+14155550100'],
    [{ name: 'p', type: 'phone', prompt: 'p' }, '+44 20 7183 8750', '+442071838750'],
    [{ name: 'y', type: 'yesno', prompt: 'p' }, 'Yes please', 'yes'],
    [{ name: 'y', type: 'yesno', prompt: 'p' }, 'nope', 'no'],
    [{ name: 'y', type: 'yesno', prompt: 'p' }, 'maybe', undefined],
    [{ name: 'c', type: 'choice', options: ['Billing', 'Technical'], prompt: 'p' }, '2', 'Technical'],
    [
      { name: 'c', type: 'choice', options: ['Billing', 'Technical'], prompt: 'p' },
      'a billing issue',
      'Billing',
    ],
    [{ name: 't', type: 'text', prompt: 'p' }, '  hello  ', 'hello'],
    [{ name: 't', type: 'text', prompt: 'p' }, '   ', undefined],
  ];
  it.each(cases)('%o extracts from "%s": %s', (variable, text, expected) => {
    const result = extract(variable, text);
    expect(result.found ? result.value : undefined).toBe(expected);
    if (!result.found) expect(result.reason.length).toBeGreaterThan(0);
  });
});
