import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WorkflowVariable } from '../../../lambdas/domain/workflow/definition';
import { extractDate, extractTime, extractVariable } from '../../../lambdas/domain/workflow/extractors';

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
    expect(extractDate(text, now)).toMatchObject({ found: true, value: expected });
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

describe('time extraction', () => {
  it.each([
    ['3pm', '15:00'],
    ['3 PM', '15:00'],
    ['3:30 pm', '15:30'],
    ['3.30p.m.', '15:30'],
    ['9am', '09:00'],
    ['12am', '00:00'],
    ['12pm', '12:00'],
    ['15:30', '15:30'],
    ['09:05', '09:05'],
    ['3:30', '15:30'], // 1 to 6 without am/pm: afternoon
    ['10:15', '10:15'],
    ['noon', '12:00'],
    ['around midday', '12:00'],
    ['midnight', '00:00'],
    ['half past two', '14:30'],
    ['quarter past 11', '11:15'],
    ['a quarter to four', '15:45'],
    ['ten to one', '12:50'],
    ['half past seven am', '07:30'],
    ["4 o'clock", '16:00'],
    ['Dec 10 at 3', '15:00'],
    ['at 11', '11:00'],
  ])('reads "%s" as %s', (text, expected) => {
    expect(extractTime(text)).toMatchObject({ found: true, value: expected });
  });

  it.each(['no idea', '123456', '12/10', 'Dec 10', '25:00', '13pm', 'at 10/12'])(
    'finds no time in "%s"',
    (text) => {
      expect(extractTime(text).found).toBe(false);
    },
  );

  it('always stores HH:MM on a 24-hour clock', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 59 }),
        fc.constantFrom('am', 'pm', ' a.m.', ' PM', ''),
        (hour, minute, meridiem) => {
          const result = extractTime(`${hour}:${String(minute).padStart(2, '0')}${meridiem}`);
          expect(result.found).toBe(true);
          if (result.found) expect(result.value).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
        },
      ),
    );
  });

  it('is a variable type', () => {
    expect(extract({ name: 't', type: 'time', prompt: 'p' }, 'see you at 3:30 pm')).toMatchObject({
      found: true,
      value: '15:30',
    });
  });
});

describe('dates with chrono-node, a time zone and a direction', () => {
  it.each([
    ['December 10th', 'past', '2025-12-10'],
    ['December 10th', 'future', '2026-12-10'],
    ['December 10th', 'any', '2026-12-10'],
    ['Nov 3', 'future', '2027-11-03'],
    ['Jan 5', 'any', '2027-01-05'],
    ['Jan 5', 'past', '2026-01-05'],
    ['10/12', 'future', '2027-10-12'],
    ['next Friday', 'future', '2026-11-27'],
    ['next Friday', 'past', '2026-11-27'], // relative dates are not moved
    ['tomorrow', 'past', '2026-11-23'],
    ['12/10/2024', 'future', '2024-12-10'], // an explicit year is kept
  ] as const)('reads "%s" (%s) as %s', (text, direction, expected) => {
    expect(extractDate(text, now, { direction })).toMatchObject({ found: true, value: expected });
  });

  it('reads relative dates against the date in the workflow time zone', () => {
    const lateEvening = new Date('2026-11-23T03:00:00Z'); // still Nov 22 in New York
    expect(extractDate('yesterday', lateEvening)).toMatchObject({ found: true, value: '2026-11-22' });
    expect(extractDate('yesterday', lateEvening, { timeZone: 'America/New_York' })).toMatchObject({
      found: true,
      value: '2026-11-21',
    });
    expect(extractDate('today', lateEvening, { timeZone: 'America/New_York' })).toMatchObject({
      found: true,
      value: '2026-11-22',
    });
    expect(extractDate('Nov 23', lateEvening, { timeZone: 'America/New_York' })).toMatchObject({
      found: true,
      value: '2025-11-23',
    });
  });

  it('needs a day: a time alone is not a date', () => {
    expect(extractDate('3pm', now).found).toBe(false);
    expect(extractDate('654321', now).found).toBe(false);
  });

  it('never returns a date before today for future dates without a year', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), (month, day) => {
        const result = extractDate(`${month}/${day}`, now, { direction: 'future' });
        expect(result.found).toBe(true);
        if (result.found) expect(result.value >= '2026-11-22').toBe(true);
      }),
    );
  });
});
