import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  messageColumns,
  workflowColumns,
  workflowRowCheck,
} from '../../../../lambdas/domain/campaign/workflow-columns';
import { parseWorkflow, type Workflow } from '../../../../lambdas/domain/workflow/definition';
import { startWorkflow } from '../../../../lambdas/domain/workflow/start';

function workflowOf(input: unknown): Workflow {
  const parsed = parseWorkflow(input);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.workflow;
}

const route = (id: string, variables: { name: string; prompt: string }[], reply: string) => ({
  id,
  match: { keywords: [id] },
  mandatoryVariables: variables.map((variable) => ({ ...variable, type: 'text' })),
  onComplete: { reply },
});

const BOOKING = workflowOf({
  id: 'booking',
  greeting: 'Hi {{First_Name}}, this is {{vrbl:clinic}}.',
  routes: [
    route(
      'book',
      [
        { name: 'service', prompt: 'Which service, {{First_Name}}?' },
        { name: 'day', prompt: 'Which day for your {{service}}?' },
      ],
      'Booked {{service}} on {{day}}.',
    ),
  ],
  fallback: { reply: 'Sorry {{first_name}}?' },
  failureMessage: 'Oops.',
});

const TWO_ROUTES = workflowOf({
  id: 'two',
  routes: [
    route('a', [{ name: 'x', prompt: 'x?' }], 'done {{x}}'),
    route('b', [{ name: 'y', prompt: 'y?' }], 'done {{y}}'),
  ],
  fallback: { reply: 'Sorry' },
  failureMessage: 'Oops.',
});

describe('workflowColumns', () => {
  it('allows the start route’s variables and every variable the texts use (and their lowercase form)', () => {
    expect(workflowColumns(BOOKING).allowedVariables).toEqual([
      'First_Name',
      'clinic',
      'day',
      'first_name',
      'service',
    ]);
    expect(workflowColumns(TWO_ROUTES, 'a').allowedVariables).toEqual(['x', 'y']);
  });

  it('requires what the first message needs, given the columns', () => {
    const { startRequirement } = workflowColumns(BOOKING);
    // Nothing prefilled: greeting + the service prompt.
    expect(startRequirement(['first_name', 'clinic'])).toEqual({
      ok: true,
      required: ['first_name', 'clinic'],
    });
    // The service prefilled: greeting + the day prompt, which names the service.
    expect(startRequirement(['First_Name', 'clinic', 'service'])).toEqual({
      ok: true,
      required: ['First_Name', 'clinic', 'service'],
    });
    // Everything prefilled: greeting + the completion reply.
    expect(startRequirement(['first_name', 'clinic', 'service', 'day'])).toEqual({
      ok: true,
      required: ['first_name', 'clinic', 'service', 'day'],
    });
    expect(startRequirement(['first_name'])).toEqual({
      ok: false,
      reason: 'the first message needs variable(s) clinic: add a column for each',
    });
  });

  it('follows startWorkflow on routes: the named one, the only one, or the greeting alone', () => {
    expect(workflowColumns(TWO_ROUTES).startRequirement([])).toEqual({
      ok: false,
      reason: 'workflow two has several routes and no greeting: name the route to start in',
    });
    expect(workflowColumns(TWO_ROUTES, 'b').startRequirement([])).toEqual({ ok: true, required: [] });
    expect(workflowColumns(TWO_ROUTES, 'c').startRequirement([])).toEqual({
      ok: false,
      reason: 'workflow two has no route c',
    });
    const greeted = workflowOf({ ...TWO_ROUTES, greeting: 'Hello {{name}}' });
    expect(workflowColumns(greeted).startRequirement(['name'])).toEqual({ ok: true, required: ['name'] });
  });

  it('agrees with startWorkflow whenever every column is filled', () => {
    const names = ['first_name', 'First_Name', 'clinic', 'service', 'day'];
    fc.assert(
      fc.property(fc.subarray(names), (columns) => {
        const variables = Object.fromEntries(columns.map((name) => [name, `v-${name}`]));
        const requirement = workflowColumns(BOOKING).startRequirement(columns);
        const opened = startWorkflow({ workflow: BOOKING, variables, now: new Date('2026-06-10T12:00:00Z') });
        expect(requirement.ok).toBe(opened.ok);
      }),
    );
  });
});

describe('workflowRowCheck', () => {
  it('refuses a row with the reason startWorkflow gives', () => {
    const workflow = workflowOf({
      id: 'orders',
      routes: [
        {
          id: 'track',
          mandatoryVariables: [
            { name: 'order_number', type: 'pattern', pattern: '\\b\\d{6}\\b', prompt: 'Number?' },
          ],
          onComplete: { reply: 'Checking {{order_number}}.' },
        },
      ],
      fallback: { reply: 'Sorry' },
      failureMessage: 'Oops.',
    });
    const check = workflowRowCheck(workflow, undefined, new Date('2026-06-10T12:00:00Z'));
    expect(check({ order_number: '123456' })).toBeUndefined();
    expect(check({})).toBeUndefined();
    expect(check({ order_number: '12' })).toMatch(/^variable order_number: /);
  });
});

describe('messageColumns', () => {
  it('takes exactly the text’s tokens, each required', () => {
    const columns = messageColumns('Hi {{Name}}, your code is ${code}.');
    expect(columns.allowedVariables).toEqual(['Name', 'name', 'code']);
    expect(columns.startRequirement(['name', 'code'])).toEqual({ ok: true, required: ['name', 'code'] });
    expect(columns.startRequirement(['code'])).toEqual({
      ok: false,
      reason: 'the text needs variable(s) Name: add a column for each',
    });
    expect(messageColumns('Hello!').allowedVariables).toEqual([]);
  });
});
