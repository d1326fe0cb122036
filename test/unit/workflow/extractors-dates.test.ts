import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WorkflowVariable } from '../../../lambdas/domain/workflow/definition';
import {
  DATE_REASONS,
  defaultReasons,
  extractDate,
  extractVariable,
  refusalReasons,
} from '../../../lambdas/domain/workflow/extractors';

/** Thursday 3 December 2026, noon in New York. */
const now = new Date('2026-12-03T17:00:00Z');
const timeZone = 'America/New_York';
const DAY_MS = 24 * 60 * 60 * 1000;

function read(text: string, options: Parameters<typeof extractDate>[2] = {}) {
  const result = extractDate(text, now, { timeZone, ...options });
  return result.found ? result.value : undefined;
}

describe('dates: direction any (the default) reads the nearest day', () => {
  it.each([
    ['Dec 12', '2026-12-12'],
    ['Nov 30', '2026-11-30'],
    ['Jan 5', '2027-01-05'],
    ['12/25', '2026-12-25'],
    ['oct 1', '2026-10-01'],
    ['feb 14', '2027-02-14'],
    ['the 28th', '2026-11-28'],
    ['28th', '2026-11-28'],
    ['on the 3rd', '2026-12-03'],
    ['the 10th', '2026-12-10'],
    ['Monday', '2026-11-30'], // 3 days back beats 4 ahead
    ['Saturday', '2026-12-05'],
  ])('"%s" is %s', (text, expected) => {
    expect(read(text)).toBe(expected);
  });

  it.each([
    ['next Tuesday', '2026-12-08'],
    ['yesterday', '2026-12-02'],
    ['last Friday', '2026-11-27'],
    ['tomorrow', '2026-12-04'],
    ['in 3 days', '2026-12-06'],
    ['3 days ago', '2026-11-30'],
    ['12/10/2024', '2024-12-10'],
  ])('relative or complete "%s" resolves as written: %s', (text, expected) => {
    expect(read(text)).toBe(expected);
    expect(read(text, { direction: 'any' })).toBe(expected);
  });

  it('is the default of a date variable without a direction', () => {
    const variable: WorkflowVariable = { name: 'd', type: 'date', prompt: 'p' };
    expect(extractVariable(variable, 'Dec 12', now, { timeZone })).toMatchObject({ value: '2026-12-12' });
    expect(refusalReasons(variable)).toEqual([]);
  });

  it('reads any date written "Mon D" within half a year either side as that date (property)', () => {
    const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    fc.assert(
      fc.property(
        fc.integer({ min: -182, max: 182 }),
        fc.constantFrom('', 'on ', 'umm ', 'it was '),
        (offset, prefix) => {
          const date = new Date(Date.UTC(2026, 11, 3) + offset * DAY_MS);
          const written = `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}`;
          expect(read(`${prefix}${written}`)).toBe(date.toISOString().slice(0, 10));
        },
      ),
    );
  });
});

describe('dates: ambiguous days go toward the direction', () => {
  it.each([
    ['the 28th', 'past', '2026-11-28'],
    ['the 28th', 'future', '2026-12-28'],
    ['the 2nd', 'future', '2027-01-02'],
    ['the 3rd', 'past', '2026-12-03'],
    ['the 3rd', 'future', '2026-12-03'],
    ['the 31st', 'past', '2026-10-31'], // November has no 31st
    ['Monday', 'future', '2026-12-07'],
    ['Monday', 'past', '2026-11-30'],
    ['Dec 12', 'past', '2025-12-12'],
    ['Nov 30', 'future', '2027-11-30'],
    ['Monday the 14th', 'future', '2026-12-14'],
    ['the 18th at 3pm', 'future', '2026-12-18'],
  ] as const)('"%s" (%s) is %s', (text, direction, expected) => {
    expect(read(text, { direction })).toBe(expected);
  });

  it.each([
    ['tomorrow', 'past', DATE_REASONS.future],
    ['yesterday', 'future', DATE_REASONS.past],
    ['last monday', 'future', DATE_REASONS.past],
  ] as const)('refuses "%s" on the wrong side (%s)', (text, direction, reason) => {
    expect(extractDate(text, now, { timeZone, direction })).toEqual({ found: false, reason, refused: true });
  });
});

describe('dates: texting spellings and non-days', () => {
  it.each([
    ['yday', '2026-12-02'],
    ['tmrw', '2026-12-04'],
    ['2moro', '2026-12-04'],
    ['this morning', '2026-12-03'],
    ['tonight', '2026-12-03'],
    ['umm i think it was the 30th', '2026-11-30'],
    ['last tues', '2026-12-01'],
    ['next weds', '2026-12-09'],
    ['last thurs', '2026-11-26'],
  ])('"%s" is %s', (text, expected) => {
    expect(read(text)).toBe(expected);
  });

  it.each([
    'next week',
    'last week sometime',
    'this weekend',
    'the 3rd one',
    'my 2nd order',
    'asap',
    'whenever',
    'idk',
  ])('"%s" is not a day', (text) => {
    expect(read(text)).toBeUndefined();
  });

  it('keeps the words it read a date from, for the engine to mask', () => {
    expect(extractDate('I need it on the 14th please', now, { timeZone })).toMatchObject({
      matched: 'the 14th',
    });
  });
});

describe('dates: min and max bounds, in days from today', () => {
  const appointment: WorkflowVariable = {
    name: 'd',
    type: 'date',
    direction: 'future',
    min: 0,
    max: 60,
    prompt: 'p',
  };
  const recent: WorkflowVariable = { name: 'd', type: 'date', min: -30, max: 30, prompt: 'p' };
  const extract = (variable: WorkflowVariable, text: string) =>
    extractVariable(variable, text, now, { timeZone });

  it('accepts days within the bounds, the bounds included', () => {
    expect(extract(appointment, 'today')).toMatchObject({ value: '2026-12-03' });
    expect(extract(appointment, 'feb 1')).toMatchObject({ value: '2027-02-01' }); // 60 days
    expect(extract(recent, 'nov 3')).toMatchObject({ value: '2026-11-03' }); // 30 days ago
    expect(extract(recent, 'jan 2')).toMatchObject({ value: '2027-01-02' }); // 30 days ahead
  });

  it('refuses a day outside them with a reason naming the bound', () => {
    expect(extract(appointment, 'feb 2')).toEqual({
      found: false,
      reason: 'Please pick a day within the next 60 days.',
      refused: true,
    });
    expect(extract(recent, 'oct 15')).toEqual({
      found: false,
      reason: "That's too far back: please pick a day in the last 30 days.",
      refused: true,
    });
    expect(extract({ ...recent, direction: 'any', min: 0 }, 'yesterday')).toEqual({
      found: false,
      reason: 'Please pick a day from today on.',
      refused: true,
    });
    expect(extract({ ...recent, min: 2 }, 'tomorrow')).toMatchObject({
      reason: 'Please pick a day at least 2 days from now.',
    });
    expect(extract({ ...recent, max: -1 }, 'today')).toMatchObject({
      reason: "That's too recent: please pick a day at least 1 day ago.",
    });
  });

  it('prefers the reading within the bounds for a day without a year', () => {
    // Direction any, bounds either side: "dec 20" is this December, not last.
    expect(extract(recent, 'dec 20')).toMatchObject({ value: '2026-12-20' });
    expect(extract({ ...recent, min: -400, max: -1 }, 'dec 20')).toMatchObject({ value: '2025-12-20' });
  });

  it('lists the bound reasons for lint, every one short enough to go with a prompt in one SMS', () => {
    expect(refusalReasons(appointment)).toEqual([
      DATE_REASONS.past,
      'Please pick a day from today on.',
      'Please pick a day within the next 60 days.',
    ]);
    expect(defaultReasons(recent)).toEqual([
      DATE_REASONS.unreadable,
      "That's too far back: please pick a day in the last 30 days.",
      'Please pick a day within the next 30 days.',
    ]);
  });

  it('never returns a day outside the bounds (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -400, max: 400 }),
        fc.integer({ min: -90, max: 0 }),
        fc.integer({ min: 0, max: 90 }),
        fc.constantFrom('past', 'future', 'any'),
        (offset, min, max, direction) => {
          const date = new Date(Date.UTC(2026, 11, 3) + offset * DAY_MS);
          const variable: WorkflowVariable = { name: 'd', type: 'date', direction, min, max, prompt: 'p' };
          const result = extractVariable(variable, `${date.getUTCMonth() + 1}/${date.getUTCDate()}`, now, {
            timeZone,
          });
          if (result.found) {
            const days = Math.round((Date.parse(result.value) - Date.UTC(2026, 11, 3)) / DAY_MS);
            expect(days).toBeGreaterThanOrEqual(direction === 'future' ? Math.max(min, 0) : min);
            expect(days).toBeLessThanOrEqual(direction === 'past' ? Math.min(max, 0) : max);
          } else {
            expect(result).toMatchObject({ refused: true });
          }
        },
      ),
    );
  });
});
