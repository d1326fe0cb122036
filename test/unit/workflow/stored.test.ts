import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWorkflow } from '../../../lambdas/domain/workflow/definition';
import { readStoredWorkflow, StoredWorkflowError } from '../../../lambdas/domain/workflow/stored';

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

  it('reads every optional field, match.patterns included, exactly as parseWorkflow gave it', () => {
    const full = {
      id: 'w',
      routes: [
        {
          id: 'r',
          match: { keywords: ['order'], patterns: ['(?i)\\border\\b'] },
          mandatoryVariables: [
            { name: 'n', type: 'pattern', pattern: '\\d{6}', prompt: 'n?', invalidMessage: '6 digits.' },
            { name: 'd', type: 'date', direction: 'future', min: 0, max: 60, prompt: 'd?' },
            { name: 'c', type: 'choice', options: ['a', 'b'], prompt: 'c?' },
            { name: 'ok', type: 'yesno', prompt: 'ok?', onNo: { reply: 'again', clear: ['d'] } },
          ],
          onComplete: { reply: 'ok', webhook: { url: 'https://example.com/h' } },
        },
      ],
      fallback: { reply: 'f' },
      failureMessage: 'x',
      help: 'h',
      timeZone: 'Europe/Paris',
      locale: 'fr-FR',
      defaultCountry: 'FR',
    };
    const parsed = parseWorkflow(full);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(readStoredWorkflow(JSON.stringify(full))).toEqual(parsed.workflow);
  });

  describe('refuses, whatever was stored, what would hurt the platform', () => {
    const stored = (variables: unknown[], patterns?: unknown[]) =>
      JSON.stringify({
        id: 'w',
        routes: [
          {
            id: 'r',
            match: { keywords: [], patterns },
            mandatoryVariables: variables,
            onComplete: { reply: 'ok' },
          },
        ],
        fallback: { reply: 'f' },
        failureMessage: 'x',
      });

    it.each(['constructor', '__proto__', 'toString', 'HasOwnProperty', 'prototype'])(
      'a variable named %s',
      (name) => {
        const read = () => readStoredWorkflow(stored([{ name, type: 'text', prompt: '?' }]));
        expect(read).toThrow(StoredWorkflowError);
        expect(read).toThrow(`routes.0.mandatoryVariables.0.name: "${name}" is reserved`);
      },
    );

    it('a pattern the linear-time engine cannot run, in a variable or in match.patterns', () => {
      expect(() =>
        readStoredWorkflow(stored([{ name: 'n', type: 'pattern', pattern: '(\\d)\\1', prompt: '?' }])),
      ).toThrow('routes.0.mandatoryVariables.0.pattern: backreference \\1 is not supported');
      expect(() => readStoredWorkflow(stored([], ['order', 'a(?=b)']))).toThrow(
        'routes.0.match.patterns.1: lookahead (?=...) is not supported',
      );
      expect(() => readStoredWorkflow(stored([], ['order', 7]))).toThrow(
        'routes.0.match.patterns.1: expected text',
      );
    });

    it('fields of the wrong type, named', () => {
      expect(() =>
        readStoredWorkflow(stored([{ name: 'd', type: 'date', direction: 'soon', prompt: '?' }])),
      ).toThrow('routes.0.mandatoryVariables.0.direction: expected past, future or any');
      expect(() =>
        readStoredWorkflow(stored([{ name: 'c', type: 'choice', options: 'a,b', prompt: '?' }])),
      ).toThrow('routes.0.mandatoryVariables.0.options: expected a list');
      const minimal = JSON.parse(stored([])) as Record<string, unknown>;
      expect(() => readStoredWorkflow(JSON.stringify({ ...minimal, expiresAfterHours: -1 }))).toThrow(
        'expiresAfterHours: expected a number of hours from 1 to 720',
      );
      // Past the last date JavaScript holds: every turn would fail on the expiry, so the read fails first.
      expect(() => readStoredWorkflow(JSON.stringify({ ...minimal, expiresAfterHours: 1e10 }))).toThrow(
        'expiresAfterHours: expected a number of hours from 1 to 720',
      );
      expect(() =>
        readStoredWorkflow(JSON.stringify({ ...minimal, fallback: { reply: 'x', maxAttempts: 2.5 } })),
      ).toThrow('fallback.maxAttempts: expected a whole number from 1 to 10');
      expect(() => readStoredWorkflow(JSON.stringify({ ...minimal, locale: 7 }))).toThrow(
        'locale: expected text',
      );
    });
  });
});
