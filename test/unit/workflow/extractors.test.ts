import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WorkflowVariable } from '../../../lambdas/domain/workflow/definition';
import {
  DATE_REASONS,
  extractDate,
  extractTime,
  extractVariable,
  extractYesNo,
} from '../../../lambdas/domain/workflow/extractors';

const now = new Date('2026-11-22T12:00:00Z');

function extract(variable: WorkflowVariable, text: string) {
  return extractVariable(variable, text, now);
}

describe('date extraction (direction past: the day an order was placed)', () => {
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
    expect(extractDate(text, now, { direction: 'past' })).toMatchObject({ found: true, value: expected });
  });

  it.each(['no idea', 'February 30', '13/45', 'may I ask'])('finds no date in "%s"', (text) => {
    expect(extractDate(text, now).found).toBe(false);
  });

  it('never returns a date after "now" when no year is given', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), (month, day) => {
        const result = extractDate(`${month}/${day}`, now, { direction: 'past' });
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
    ['next Friday', 'any', '2026-11-27'], // relative dates are not moved
    ['last Friday', 'future', undefined], // chrono's forwardDate would have made it next Friday
    ['tomorrow', 'any', '2026-11-23'],
    ['12/10/2024', 'any', '2024-12-10'], // an explicit year is kept
    // A bare weekday is the one on the side of today the direction names (now is a Sunday).
    ['on Friday', 'past', '2026-11-20'],
    ['on Friday', 'future', '2026-11-27'],
    ['Sunday', 'past', '2026-11-22'],
    ['Sunday', 'future', '2026-11-22'],
  ] as const)('reads "%s" (%s) as %s', (text, direction, expected) => {
    const result = extractDate(text, now, { direction });
    expect(result.found ? result.value : undefined).toBe(expected);
  });

  it('reads a bare weekday on the side of today the direction names, midweek too', () => {
    const wednesday = new Date('2026-11-18T12:00:00Z');
    expect(extractDate('friday', wednesday, { direction: 'past' })).toMatchObject({ value: '2026-11-13' });
    expect(extractDate('friday', wednesday, { direction: 'future' })).toMatchObject({ value: '2026-11-20' });
    expect(extractDate('monday', wednesday, { direction: 'past' })).toMatchObject({ value: '2026-11-16' });
    expect(extractDate('monday', wednesday, { direction: 'future' })).toMatchObject({ value: '2026-11-23' });
  });

  // Deliberate: `direction` also says where valid dates lie, so an order is not placed tomorrow
  // and an appointment is not booked yesterday; the reason names the fix.
  it.each([
    ['tomorrow', 'past', DATE_REASONS.future],
    ['next Friday', 'past', DATE_REASONS.future],
    ['12/10/2027', 'past', DATE_REASONS.future],
    ['yesterday', 'future', DATE_REASONS.past],
    ['12/10/2024', 'future', DATE_REASONS.past],
  ] as const)('refuses "%s" (%s): %s', (text, direction, reason) => {
    expect(extractDate(text, now, { direction })).toEqual({ found: false, reason, refused: true });
  });

  it('says it could not read a date when there is none (not a refusal)', () => {
    expect(extractDate('no idea', now, { direction: 'future' })).toEqual({
      found: false,
      reason: DATE_REASONS.unreadable,
    });
  });

  it('reads any "Month Day" of the past year as that date with direction past (property)', () => {
    const MONTHS = [
      'January',
      'February',
      'March',
      'April',
      'May',
      'June',
      'July',
      'August',
      'September',
      'October',
      'November',
      'December',
    ];
    const ordinal = (day: number) =>
      `${day}${day % 10 === 1 && day !== 11 ? 'st' : day % 10 === 2 && day !== 12 ? 'nd' : day % 10 === 3 && day !== 13 ? 'rd' : 'th'}`;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 364 }),
        fc.constantFrom('full', 'short', 'ordinal', 'dayFirst', 'numeric'),
        fc.constantFrom('', 'it was ', 'on ', 'I ordered on '),
        (daysAgo, style, prefix) => {
          const date = new Date(now.getTime() - daysAgo * 24 * 60 * 60 * 1000);
          const month = MONTHS[date.getUTCMonth()] as string;
          const day = date.getUTCDate();
          const written = {
            full: `${month} ${day}`,
            short: `${month.slice(0, 3)} ${day}`,
            ordinal: `${month} ${ordinal(day)}`,
            dayFirst: `${day} ${month}`,
            numeric: `${date.getUTCMonth() + 1}/${day}`,
          }[style];
          expect(extractDate(`${prefix}${written}`, now, { direction: 'past' })).toMatchObject({
            found: true,
            value: date.toISOString().slice(0, 10),
          });
        },
      ),
    );
  });

  it('gives the same answers whatever the time zone of the process (Lambda runs in UTC)', () => {
    // chrono reads local components; the reference is built from them, so only the workflow's
    // zone matters. Proven by running this file under TZ=Pacific/Kiritimati and TZ=America/Adak too.
    const late = new Date('2026-11-23T03:00:00Z');
    expect(extractDate('yesterday', late, { timeZone: 'America/New_York' })).toMatchObject({
      value: '2026-11-21',
    });
    expect(extractDate('Dec 10', late, { timeZone: 'Asia/Tokyo', direction: 'future' })).toMatchObject({
      value: '2026-12-10',
    });
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
    expect(
      extractDate('Nov 23', lateEvening, { timeZone: 'America/New_York', direction: 'past' }),
    ).toMatchObject({ found: true, value: '2025-11-23' });
    // Direction any (the default): the nearest Nov 23, tomorrow in New York.
    expect(extractDate('Nov 23', lateEvening, { timeZone: 'America/New_York' })).toMatchObject({
      found: true,
      value: '2026-11-23',
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

describe('extractor properties', () => {
  const number: WorkflowVariable = { name: 'n', type: 'number', prompt: 'p' };
  const email: WorkflowVariable = { name: 'e', type: 'email', prompt: 'p' };
  const phone: WorkflowVariable = { name: 'p', type: 'phone', prompt: 'p' };
  const around = fc.constantFrom(['', ''], ['about ', ' please'], ['it is ', '.'], ['(', ')']);

  it.each([
    ['1,234', '1234'],
    ['1,234,567.89', '1234567.89'],
    ['-12', '-12'],
    ['3,5', '3.5'],
    ['12,50', '12.50'],
    ['0.75', '0.75'],
  ])('reads the number "%s" as %s', (text, expected) => {
    expect(extract(number, text)).toMatchObject({ found: true, value: expected });
  });

  it('a number round-trips whether written plain or with US thousands separators', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
          fc.integer({ min: -10_000_000, max: 10_000_000 }).map((cents) => cents / 100),
        ),
        fc.boolean(),
        around,
        (value, grouped, [before, after]) => {
          const written = grouped
            ? value.toLocaleString('en-US', { maximumFractionDigits: 2 })
            : String(value);
          const result = extract(number, `${before}${written}${after}`);
          expect(result.found).toBe(true);
          if (result.found) expect(Number(result.value)).toBe(value);
        },
      ),
    );
  });

  const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
  const addresses = fc
    .tuple(
      fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,15}[A-Za-z0-9])?$/),
      fc.array(label, { minLength: 1, maxLength: 3 }),
      fc.stringMatching(/^[a-zA-Z]{2,6}$/),
    )
    .map(([local, labels, tld]) => `${local}@${labels.join('.')}.${tld}`);

  it('finds a generated email address in a sentence, lower-cased', () => {
    fc.assert(
      fc.property(addresses, around, (address, [before, after]) => {
        expect(extract(email, `${before}${address}${after}`)).toMatchObject({
          found: true,
          value: address.toLowerCase(),
        });
      }),
    );
  });

  it('reads a generated US number in any common format as E.164', () => {
    const nanp = fc.tuple(
      fc.integer({ min: 200, max: 999 }),
      fc.integer({ min: 200, max: 999 }),
      fc.integer({ min: 0, max: 9999 }),
    );
    const formats: ((area: string, exchange: string, line: string) => string)[] = [
      (a, e, l) => `(${a}) ${e}-${l}`,
      (a, e, l) => `${a}-${e}-${l}`,
      (a, e, l) => `${a}.${e}.${l}`,
      (a, e, l) => `${a} ${e} ${l}`,
      (a, e, l) => `${a}${e}${l}`,
      (a, e, l) => `+1 ${a} ${e} ${l}`,
      (a, e, l) => `+1 (${a}) ${e}-${l}`,
      (a, e, l) => `1-${a}-${e}-${l}`,
      (a, e, l) => `+1${a}${e}${l}`,
    ];
    fc.assert(
      fc.property(
        nanp,
        fc.constantFrom(...formats),
        around,
        ([area, exchange, line], format, [before, after]) => {
          const [a, e, l] = [String(area), String(exchange), String(line).padStart(4, '0')];
          expect(extract(phone, `${before}${format(a, e, l)}${after}`)).toMatchObject({
            found: true,
            value: `+1${a}${e}${l}`,
          });
        },
      ),
    );
  });

  it.each([
    ['Yes, no problem', 'yes'],
    ['I guess yes', 'yes'],
    ['sounds good', 'yes'],
    ['Y', 'yes'],
    ['n', 'no'],
    ["No, that doesn't work", 'no'],
    ['not sure', undefined],
    ["I don't know", undefined],
    ['yes no', undefined],
    ['no... ok yes', undefined],
  ])('yes/no reads "%s" as %s', (text, expected) => {
    const result = extractYesNo(text);
    expect(result.found ? result.value : undefined).toBe(expected);
  });

  it('yes/no never answers both: a message with yes and no words is asked again', () => {
    const yesWords = fc.constantFrom('yes', 'Yeah', 'yep', 'sure', 'OK', 'okay', 'correct', 'confirm');
    // Not "not": next to "sure" it makes the hedge "not sure", which answers neither.
    const noWords = fc.constantFrom('no', 'Nope', 'nah', 'wrong', 'cancel', "don't", 'never');
    const filler = fc.constantFrom('please', 'thanks', 'hmm', 'the', 'booking', 'it', 'that', '!', ',');
    fc.assert(
      fc.property(
        fc.array(yesWords, { maxLength: 2 }),
        fc.array(noWords, { maxLength: 2 }),
        fc.array(filler, { maxLength: 4 }),
        fc.infiniteStream(fc.nat()),
        (yes, no, rest, order) => {
          const tokens = [...yes, ...no, ...rest];
          const shuffled = tokens
            .map((token) => ({ token, key: order.next().value as number }))
            .sort((a, b) => a.key - b.key)
            .map(({ token }) => token);
          const result = extractYesNo(shuffled.join(' '));
          const expected =
            yes.length > 0 && no.length === 0 ? 'yes' : no.length > 0 && yes.length === 0 ? 'no' : undefined;
          expect(result.found ? result.value : undefined).toBe(expected);
        },
      ),
    );
  });
});
