import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../../lambdas/domain/templates';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import { renderDate, renderForCustomer, renderTime } from '../../../lambdas/domain/workflow/render';

function booking(extra: Record<string, unknown> = {}): Workflow {
  const parsed = parseWorkflow({
    id: 'booking',
    timeZone: 'America/New_York',
    ...extra,
    routes: [
      {
        id: 'book',
        mandatoryVariables: [
          { name: 'day', type: 'date', prompt: 'Which day?' },
          { name: 'at', type: 'time', prompt: 'What time?' },
          { name: 'note', type: 'text', prompt: 'Anything else?' },
        ],
        onComplete: { reply: 'Booked {{day}} at {{at}} ({{day:iso}} {{at:iso}}), {{note}}.' },
      },
    ],
    fallback: { reply: 'Sorry?' },
    failureMessage: 'Oops.',
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.workflow;
}

const NOW = new Date('2026-12-03T15:00:00Z');
const VALUES = { day: '2026-12-04', at: '15:00', note: 'window seat' };

describe('values rendered for people', () => {
  it('shows dates and times in the workflow locale, and the stored value behind :iso', () => {
    const workflow = booking();
    const reply = String(workflow.routes[0]?.onComplete.reply ?? '');
    expect(renderForCustomer(reply, VALUES, { workflow, route: workflow.routes[0], now: NOW })).toBe(
      'Booked Friday, December 4 at 3:00 PM (2026-12-04 15:00), window seat.',
    );
  });

  it('names the year only when it is not this year (in the workflow time zone)', () => {
    expect(renderDate('2027-01-04', 'en-US', 2026)).toBe('Monday, January 4, 2027');
    expect(renderDate('2026-01-04', 'en-US', 2026)).toBe('Sunday, January 4');
    // 2026-12-31T23:30 in New York is already 2027 in UTC: the customer's year counts.
    const workflow = booking();
    const newYearsEve = new Date('2027-01-01T04:30:00Z');
    expect(
      renderForCustomer(
        '{{day}}',
        { day: '2027-01-02' },
        { workflow, route: workflow.routes[0], now: newYearsEve },
      ),
    ).toBe('Saturday, January 2, 2027');
  });

  it('follows the locale: a 24-hour clock and day-first dates where people write them', () => {
    const workflow = booking({ locale: 'de-DE' });
    expect(
      renderForCustomer('{{day}} {{at}}', VALUES, { workflow, route: workflow.routes[0], now: NOW }),
    ).toBe('Freitag, 4. Dezember 15:00');
    expect(renderTime('21:05', 'en-GB')).toBe('21:05');
    expect(renderTime('00:30', 'en-US')).toBe('12:30 AM');
  });

  it('leaves what is not a stored date or time as it is', () => {
    expect(renderDate('next week', 'en-US', 2026)).toBe('next week');
    expect(renderTime('25:00', 'en-US')).toBe('25:00');
  });

  it('renders every calendar day as its own weekday and day of month (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        (date) => {
          const iso = date.toISOString().slice(0, 10);
          const rendered = renderDate(iso, 'en-US', 1999);
          const weekday = new Intl.DateTimeFormat('en-US', { weekday: 'long', timeZone: 'UTC' }).format(date);
          expect(rendered.startsWith(`${weekday}, `)).toBe(true);
          expect(rendered).toContain(` ${date.getUTCDate()}, ${date.getUTCFullYear()}`);
        },
      ),
    );
  });
});

describe('templates', () => {
  it('never reads a value off Object.prototype', () => {
    expect(renderTemplate('{{constructor}} {{toString}}', {})).toBe('{{constructor}} {{toString}}');
    expect(
      renderTemplate('{{constructor}}', Object.assign(Object.create(null), { constructor: 'Ana' })),
    ).toBe('Ana');
  });

  it('keeps the seed systems forms and inserts values in one pass', () => {
    expect(
      renderTemplate('${a} {{entity:b}} {{vrbl:c}} {{ d }}', { a: '{{b}}', b: '2', c: '3', d: '4' }),
    ).toBe('{{b}} 2 3 4');
  });
});
