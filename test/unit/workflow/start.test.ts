import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import { runTurn } from '../../../lambdas/domain/workflow/engine';
import { startWorkflow } from '../../../lambdas/domain/workflow/start';

function example(name: string): Workflow {
  const parsed = parseWorkflow(JSON.parse(readFileSync(`examples/workflows/${name}.json`, 'utf8')));
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.workflow;
}

const now = new Date('2026-03-10T12:00:00Z');

describe('startWorkflow (business-initiated)', () => {
  it('opens with the greeting and the first missing prompt, and the reply continues it to completion', () => {
    const workflow = example('order-status');
    const started = startWorkflow({ workflow, variables: {}, now });
    expect(started).toMatchObject({ ok: true, completed: false });
    if (!started.ok) return;
    expect(started.replies).toEqual([
      `${workflow.greeting} I'd be happy to help! Can you provide your order number?`,
    ]);
    expect(started.state).toEqual({
      status: 'collecting',
      routeId: 'track-order',
      variables: {},
      attempts: {},
    });

    const answer = runTurn({ workflow, state: started.state, text: 'It is 123456', now });
    expect(answer.replies).toEqual(['Thank you! When did you place this order?']);
    const done = runTurn({ workflow, state: answer.state, text: 'March 2nd', now });
    expect(done.completed).toBe(true);
    expect(done.replies[0]).toContain('123456');
  });

  it('skips prefilled variables (read by their type) and renders the prompt with them', () => {
    const workflow = example('order-status');
    const started = startWorkflow({ workflow, variables: { order_number: 'order 654321' }, now });
    expect(started).toMatchObject({
      ok: true,
      replies: [`${workflow.greeting} Thank you! When did you place this order?`],
      state: { variables: { order_number: '654321' } },
    });
  });

  it('completes at once when every variable is given', () => {
    const workflow = example('order-status');
    const started = startWorkflow({
      workflow,
      variables: { order_number: '654321', order_date: '2026-03-01' },
      now,
    });
    expect(started).toMatchObject({ ok: true, completed: true, state: { status: 'completed' } });
  });

  it('refuses a prefilled value its type cannot read, with the reason', () => {
    const started = startWorkflow({
      workflow: example('order-status'),
      variables: { order_number: 'abc' },
      now,
    });
    expect(started).toMatchObject({ ok: false, reason: expect.stringMatching(/^variable order_number: /) });
  });

  it('refuses an unknown route and a first message with unfilled template variables', () => {
    const workflow = example('order-status');
    expect(startWorkflow({ workflow, routeId: 'nope', variables: {}, now })).toEqual({
      ok: false,
      reason: 'workflow order-status has no route nope',
    });
    const templated = { ...workflow, greeting: 'Hi {{first_name}}!' };
    expect(startWorkflow({ workflow: templated, variables: {}, now })).toEqual({
      ok: false,
      reason: 'the first message needs variable(s) first_name',
    });
    expect(startWorkflow({ workflow: templated, variables: { first_name: 'Ann' }, now })).toMatchObject({
      ok: true,
      replies: [expect.stringMatching(/^Hi Ann! /)],
    });
  });

  it('with several routes and none named, opens with the greeting and lets the reply pick the route', () => {
    const base = example('order-status');
    const route = base.routes[0];
    if (!route) throw new Error('no route');
    const workflow: Workflow = {
      ...base,
      routes: [route, { ...route, id: 'returns', match: { keywords: ['return'] } }],
    };
    const started = startWorkflow({ workflow, variables: {}, now });
    expect(started).toMatchObject({ ok: true, replies: [base.greeting], state: { status: 'collecting' } });
    if (!started.ok) return;
    expect(started.state.routeId).toBeUndefined();
    const reply = runTurn({ workflow, state: started.state, text: 'I want a return', now });
    expect(reply.state.routeId).toBe('returns');
    expect(reply.replies[0]).not.toContain(base.greeting);
    expect(
      startWorkflow({ workflow: { ...workflow, greeting: undefined }, variables: {}, now }),
    ).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/name the routeId/),
    });
  });
});
