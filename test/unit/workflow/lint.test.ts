import { describe, expect, it } from 'vitest';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import { lintWorkflow } from '../../../lambdas/domain/workflow/lint';

function workflow(routes: unknown[]): Workflow {
  const parsed = parseWorkflow({ id: 'w', routes, fallback: { reply: 'Sorry?' }, failureMessage: 'Oops.' });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.workflow;
}

const booking = (reply: string) =>
  workflow([
    {
      id: 'book',
      match: { keywords: ['book'] },
      mandatoryVariables: [
        { name: 'day', type: 'date', prompt: 'Which day?' },
        { name: 'at', type: 'time', prompt: 'What time?' },
        { name: 'ref', type: 'pattern', pattern: '\\b\\d{6}\\b', prompt: 'Reference?' },
      ],
      onComplete: { reply },
    },
  ]);

function completionCharacters(reply: string): number | undefined {
  return lintWorkflow(booking(reply)).replies.find((r) => r.where === 'routes.book.onComplete.reply')
    ?.characters;
}

describe('workflow lint measures values as customers see them', () => {
  it('a date at its longest for people, "Wednesday, September 30, 2026" (29); a time "12:30 PM" (8)', () => {
    expect(completionCharacters('{{day}}')).toBe('Wednesday, September 30, 2026'.length);
    expect(completionCharacters('{{at}}')).toBe('12:30 PM'.length);
    expect(completionCharacters('On {{day}} at {{at}}.')).toBe(
      'On Wednesday, September 30, 2026 at 12:30 PM.'.length,
    );
  });

  it('{{name:iso}} as stored: YYYY-MM-DD (10), HH:MM (5), in every token form', () => {
    expect(completionCharacters('{{day:iso}}')).toBe(10);
    expect(completionCharacters('{{ at:iso }}')).toBe(5);
    expect(completionCharacters('{{entity:day:iso}}T{{vrbl:at:iso}}')).toBe('2026-09-30T23:59'.length);
    // The other types have one form: the stored value.
    expect(completionCharacters('#{{ref:iso}} #{{ref}} ${ref}')).toBe('#999999 #999999 999999'.length);
  });

  it('an unknown name renders empty and is reported', () => {
    const report = lintWorkflow(booking('Hi {{who}}.'));
    expect(report.replies.find((r) => r.where === 'routes.book.onComplete.reply')?.characters).toBe(
      'Hi .'.length,
    );
    expect(report.errors).toEqual([
      'routes.book.onComplete.reply: unknown template variable "who" (known here: day, at, ref)',
    ]);
  });

  it('warns when a reply with dates for people needs two segments', () => {
    const reply = `${'x'.repeat(100)} {{day}} at {{at}}`; // 100 + 1 + 29 + 4 + 8 = 142: fits
    expect(lintWorkflow(booking(reply)).warnings).toEqual([]);
    expect(lintWorkflow(booking(`${reply} and {{day}}`)).warnings).toEqual([
      expect.stringMatching(/^routes\.book\.onComplete\.reply: 2 segments/),
    ]);
  });
});

describe('workflow lint: routes', () => {
  it('a route with patterns is not a default route', () => {
    const routes = [
      { id: 'a', match: { patterns: ['\\b\\d{6}\\b'] }, onComplete: { reply: 'a' } },
      { id: 'b', onComplete: { reply: 'b' } },
    ];
    expect(lintWorkflow(workflow(routes)).errors).toEqual([]);
    expect(lintWorkflow(workflow([...routes, { id: 'c', onComplete: { reply: 'c' } }])).errors).toEqual([
      'routes: b, c have no keywords or patterns; only one default route is allowed',
    ]);
  });
});
