import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import { runTurn, type SlotState } from '../../../lambdas/domain/workflow/engine';

function loadExample(name: string): Workflow {
  const parsed = parseWorkflow(JSON.parse(readFileSync(`examples/workflows/${name}.json`, 'utf8')));
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.workflow;
}

const orderStatus = loadExample('order-status');
const now = new Date('2026-11-22T12:00:00Z');

function converse(workflow: Workflow, messages: string[]) {
  let state: SlotState | undefined;
  return messages.map((text) => {
    const turn = runTurn({ workflow, state, text, now });
    state = turn.state;
    return turn;
  });
}

describe('workflow engine: the order-status example', () => {
  it('asks for the order number, then the date, then completes', () => {
    const [first, second, third] = converse(orderStatus, ['Where is my package?', '123456', 'December 10th']);
    expect(first?.replies).toEqual([
      "Thanks for reaching out! I can help track your order. I'd be happy to help! Can you provide your order number?",
    ]);
    expect(second?.replies).toEqual(['Thank you! When did you place this order?']);
    expect(third?.replies).toEqual(['Thanks! Checking order 123456 from 2025-12-10. - Elegi+']);
    expect(third?.completed).toBe(true);
    expect(third?.state).toMatchObject({
      status: 'completed',
      routeId: 'track-order',
      variables: { order_number: '123456', order_date: '2025-12-10' },
    });
  });

  it('fills several variables from one message', () => {
    const [turn] = converse(orderStatus, ['Track order 123456 placed Dec 10']);
    expect(turn?.completed).toBe(true);
    expect(turn?.replies).toEqual([
      'Thanks for reaching out! I can help track your order. Thanks! Checking order 123456 from 2025-12-10. - Elegi+',
    ]);
    expect(turn?.state.variables).toEqual({ order_number: '123456', order_date: '2025-12-10' });
  });

  it('re-prompts with the reason, then falls back after maxAttempts invalid answers', () => {
    const turns = converse(orderStatus, ['my order', 'no idea', 'still no idea', 'nope']);
    expect(turns[1]?.replies[0]).toContain("That doesn't look right.");
    expect(turns[1]?.replies[0]).toContain('order number');
    expect(turns[2]?.state.status).toBe('collecting');
    expect(turns[3]?.replies).toEqual(["Sorry, I didn't get that. Reply HELP for help."]);
    expect(turns[3]?.state.status).toBe('fallback');
  });

  it('answers an unmatched first message with the fallback reply', () => {
    const [turn] = converse(orderStatus, ['hello']);
    expect(turn?.replies).toEqual([
      "Thanks for reaching out! I can help track your order. Sorry, I didn't get that. Reply HELP for help.",
    ]);
    expect(turn?.state.routeId).toBeUndefined();
  });

  it('starts over after a completed conversation', () => {
    const turns = converse(orderStatus, ['order 123456 from yesterday', 'where is my delivery']);
    expect(turns[0]?.completed).toBe(true);
    expect(turns[1]?.state).toMatchObject({ status: 'collecting', variables: {} });
  });

  it('never expands template syntax that a customer typed', () => {
    const workflow = loadExample('order-status');
    const route = workflow.routes[0];
    if (!route) throw new Error('example has a route');
    const echo: Workflow = {
      ...workflow,
      routes: [
        {
          ...route,
          mandatoryVariables: [{ name: 'note', type: 'text', prompt: 'Any note?' }],
          onComplete: { reply: 'Noted: {{note}} for {{order_number}}' },
        },
      ],
    };
    const turns = converse(echo, ['order', '{{order_number}} ${secret}']);
    expect(turns[1]?.replies).toEqual(['Noted: {{order_number}} ${secret} for {{order_number}}']);
  });
});

describe('workflow definitions', () => {
  it('names the field and the fix for invalid definitions', () => {
    const result = parseWorkflow({ id: 'Bad Id', routes: [], fallback: { reply: '' }, failureMessage: 'x' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual(
        expect.arrayContaining([
          'id: workflow ids are lowercase letters, digits and dashes',
          'routes: a workflow needs at least one route',
        ]),
      );
    }
  });
});
