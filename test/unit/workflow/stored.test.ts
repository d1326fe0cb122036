import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWorkflow } from '../../../lambdas/domain/workflow/definition';
import { readStoredWorkflow } from '../../../lambdas/domain/workflow/stored';

const examples = readdirSync('examples/workflows').filter((file) => file.endsWith('.json'));

describe('readStoredWorkflow (the handlers read what workflow put stored, without zod)', () => {
  it.each(examples)('%s reads back exactly as parseWorkflow gave it to workflow put', (file) => {
    const parsed = parseWorkflow(JSON.parse(readFileSync(`examples/workflows/${file}`, 'utf8')));
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(readStoredWorkflow(JSON.stringify(parsed.workflow))).toEqual(parsed.workflow);
  });

  it("applies parseWorkflow's defaults to a definition stored without them", () => {
    const minimal = {
      id: 'w',
      routes: [{ id: 'r', onComplete: { reply: 'ok' } }],
      fallback: { reply: 'f' },
      failureMessage: 'x',
    };
    const parsed = parseWorkflow(minimal);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(readStoredWorkflow(JSON.stringify(minimal))).toEqual(parsed.workflow);
  });

  it('names the field of a definition damaged in the table', () => {
    const damaged = {
      id: 'w',
      routes: [{ id: 'r', onComplete: {} }],
      fallback: { reply: 'f' },
      failureMessage: 'x',
    };
    expect(() => readStoredWorkflow(JSON.stringify(damaged))).toThrow(
      'routes.0.onComplete.reply: expected text',
    );
    expect(() => readStoredWorkflow(JSON.stringify({ ...damaged, routes: [] }))).toThrow(
      'routes: expected at least one route',
    );
  });
});
