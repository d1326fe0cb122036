import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import { runTurn, type SlotState, type TurnResult } from '../../../lambdas/domain/workflow/engine';
import {
  DEFAULT_HANDOFF_KEYWORDS,
  DEFAULT_HANDOFF_REPLY,
  isHandoffRequest,
  MAX_HANDOFF_REQUEST_WORDS,
  releaseHandoff,
} from '../../../lambdas/domain/workflow/handoff';
import { lintWorkflow } from '../../../lambdas/domain/workflow/lint';

const now = new Date('2026-11-22T12:00:00Z');
const example = JSON.parse(readFileSync('examples/workflows/order-status.json', 'utf8')) as Record<
  string,
  unknown
>;

function workflowWith(changes: Record<string, unknown>): Workflow {
  const parsed = parseWorkflow({ ...example, ...changes });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.workflow;
}

function converse(workflow: Workflow, messages: string[], start?: SlotState): TurnResult[] {
  let state = start;
  return messages.map((text) => {
    const turn = runTurn({ workflow, state, text, now });
    state = turn.state;
    return turn;
  });
}

const fallback = example.fallback as Record<string, unknown>;
const orderStatus = workflowWith({});
const handingOff = workflowWith({ fallback: { ...fallback, action: 'handoff', maxAttempts: 2 } });

describe('hand-off keywords', () => {
  it('are AGENT and HUMAN unless the workflow says otherwise', () => {
    expect(DEFAULT_HANDOFF_KEYWORDS).toEqual(['AGENT', 'HUMAN']);
    expect(isHandoffRequest(DEFAULT_HANDOFF_KEYWORDS, 'AGENT')).toBe(true);
    expect(isHandoffRequest(DEFAULT_HANDOFF_KEYWORDS, 'human')).toBe(true);
  });

  it.each([
    ' Agent ',
    'AGENT!',
    'agent please',
    'I want a human',
    'Can I talk to a human?',
    'agnet',
    'huamn',
    'HUMANS',
    '  human\n',
  ])('hands off on %j', (text) => {
    expect(isHandoffRequest(DEFAULT_HANDOFF_KEYWORDS, text)).toBe(true);
  });

  it.each([
    '',
    'agents of the store told me to text this number and wait',
    'no agent',
    "I don't want a human",
    'age',
    'again',
    'urgent',
    'order 123456',
    'humid',
  ])('does not hand off on %j', (text) => {
    expect(isHandoffRequest(DEFAULT_HANDOFF_KEYWORDS, text)).toBe(false);
  });

  it('reads phrases word by word and none at all when the list is empty', () => {
    expect(isHandoffRequest(['talk to someone'], 'Talk to   someone!')).toBe(true);
    expect(isHandoffRequest(['talk to someone'], 'talk someone')).toBe(false);
    expect(isHandoffRequest([], 'AGENT')).toBe(false);
  });

  it('match whatever the case, spacing and trailing punctuation (property)', () => {
    const decorated = fc.record({
      keyword: fc.constantFrom(...DEFAULT_HANDOFF_KEYWORDS, 'talk to someone', 'représentant'),
      upper: fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
      before: fc.stringMatching(/^[ \t\n]{0,3}$/),
      after: fc.stringMatching(/^[ \t\n.!?]{0,3}$/),
    });
    fc.assert(
      fc.property(decorated, ({ keyword, upper, before, after }) => {
        const cased = [...keyword].map((char, index) => (upper[index] ? char.toUpperCase() : char)).join('');
        expect(isHandoffRequest([keyword], `${before}${cased}${after}`)).toBe(true);
      }),
    );
  });

  it('never match a message without a word within one typo of the keyword (property)', () => {
    const word = fc.stringMatching(/^[a-z]{1,4}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 10 }), (words) => {
        // Words of at most four letters are never within one typo of AGENT or HUMAN and are not them.
        expect(isHandoffRequest(DEFAULT_HANDOFF_KEYWORDS, words.join(' '))).toBe(false);
      }),
    );
  });

  it(`never match a message of more than ${MAX_HANDOFF_REQUEST_WORDS} words (property)`, () => {
    const filler = fc.constantFrom('the', 'my', 'order', 'please', 'help', 'where');
    fc.assert(
      fc.property(
        fc.array(filler, { minLength: MAX_HANDOFF_REQUEST_WORDS, maxLength: 12 }),
        fc.nat(),
        (words, at) => {
          const message: string[] = [...words];
          message.splice(at % (words.length + 1), 0, 'agent');
          expect(isHandoffRequest(DEFAULT_HANDOFF_KEYWORDS, message.join(' '))).toBe(false);
        },
      ),
    );
  });
});

describe('hand-off in the engine', () => {
  it('a keyword hands off a conversation in the middle of a route, keeping what was collected', () => {
    const [first, second, third] = converse(orderStatus, ['Where is my package?', '123456', 'AGENT']);
    expect(first?.state.status).toBe('collecting');
    expect(second?.state.status).toBe('collecting');
    expect(third).toMatchObject({
      replies: [DEFAULT_HANDOFF_REPLY],
      media: [[]],
      completed: false,
      handoff: 'keyword',
      state: { status: 'handed-off', routeId: 'track-order', variables: { order_number: '123456' } },
    });
  });

  it('a keyword as the first message hands off without a greeting', () => {
    const [turn] = converse(orderStatus, ['I want a human']);
    expect(turn).toMatchObject({ replies: [DEFAULT_HANDOFF_REPLY], handoff: 'keyword' });
    expect(turn?.state).toMatchObject({ status: 'handed-off', variables: {} });
    expect(turn?.state.routeId).toBeUndefined();
  });

  it('the bot stays silent while handed off, whatever the customer says (property)', () => {
    const [handed] = converse(orderStatus, ['AGENT']);
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const turn = runTurn({ workflow: orderStatus, state: handed?.state, text, now });
        expect(turn.replies).toEqual([]);
        expect(turn.state).toEqual(handed?.state);
        expect(turn.handoff).toBeUndefined();
      }),
    );
  });

  it('sends the workflow own acknowledgement and pictures', () => {
    const workflow = workflowWith({
      handoff: { reply: 'A person will text you back.', media: ['https://example.com/team.png'] },
    });
    const [turn] = converse(workflow, ['human']);
    expect(turn).toMatchObject({
      replies: ['A person will text you back.'],
      media: [['https://example.com/team.png']],
    });
  });

  it('handoffKeywords replace the defaults; [] turns keywords off', () => {
    const custom = workflowWith({ handoffKeywords: ['PERSON'] });
    expect(converse(custom, ['person'])[0]?.state.status).toBe('handed-off');
    expect(converse(custom, ['agent'])[0]?.state.status).not.toBe('handed-off');
    const off = workflowWith({ handoffKeywords: [] });
    expect(converse(off, ['AGENT'])[0]?.state.status).not.toBe('handed-off');
  });

  it('fallback.action handoff: too many invalid answers hand off instead of the fallback reply', () => {
    const turns = converse(handingOff, ['track my order', 'no idea', 'still no idea']);
    expect(turns[1]?.state.status).toBe('collecting');
    expect(turns[2]).toMatchObject({
      replies: [DEFAULT_HANDOFF_REPLY],
      handoff: 'fallback',
      state: { status: 'handed-off', routeId: 'track-order' },
    });
  });

  it('fallback.action handoff: unmatched messages hand off too (greeted when it is the first)', () => {
    const once = workflowWith({ fallback: { ...fallback, action: 'handoff', maxAttempts: 1 } });
    const [turn] = converse(once, ['blah']);
    expect(turn?.replies).toEqual([
      `Thanks for reaching out! I can help track your order. ${DEFAULT_HANDOFF_REPLY}`,
    ]);
    expect(turn?.handoff).toBe('fallback');
  });

  it('fallback.action end (the default) ends the conversation: the next message starts over, greeted', () => {
    const ending = workflowWith({ fallback: { ...fallback, maxAttempts: 2 } });
    const turns = converse(ending, ['track my order', 'no idea', 'still no idea', 'order']);
    expect(turns[2]?.state.status).toBe('fallback');
    expect(turns[2]?.replies).toEqual([fallback.reply]);
    expect(turns[3]?.replies[0]).toMatch(/^Thanks for reaching out!/);
  });

  it('fallback.action restart: the fallback reply, then the workflow from its start without a greeting', () => {
    const restarting = workflowWith({ fallback: { ...fallback, action: 'restart', maxAttempts: 2 } });
    const turns = converse(restarting, ['track my order', '123456', 'no idea', 'nope', 'order']);
    expect(turns[3]?.replies).toEqual([fallback.reply]);
    expect(turns[3]?.state).toMatchObject({ status: 'collecting', variables: {}, attempts: {} });
    expect(turns[3]?.state.routeId).toBeUndefined();
    expect(turns[4]?.replies).toEqual(["I'd be happy to help! Can you provide your order number?"]);
  });
});

describe('releasing a handed-off conversation', () => {
  const [, , handed] = converse(orderStatus, ['Where is my package?', '123456', 'AGENT']);
  const state = handed?.state as SlotState;

  it('resume asks the prompt it was at again, keeping the answers', () => {
    const release = releaseHandoff({ workflow: orderStatus, state, mode: 'resume', now });
    expect(release.replies).toEqual(['Thank you! When did you place this order?']);
    expect(release.state).toMatchObject({
      status: 'collecting',
      routeId: 'track-order',
      variables: { order_number: '123456' },
      attempts: {},
    });
    const next = runTurn({ workflow: orderStatus, state: release.state, text: 'December 10th', now });
    expect(next.completed).toBe(true);
  });

  it('restart forgets everything and sends nothing: the next message picks a route', () => {
    const release = releaseHandoff({ workflow: orderStatus, state, mode: 'restart', now });
    expect(release).toMatchObject({ replies: [], state: { status: 'collecting', variables: {} } });
    expect(release.state.routeId).toBeUndefined();
    const next = runTurn({ workflow: orderStatus, state: release.state, text: 'track my order', now });
    expect(next.replies).toEqual(["I'd be happy to help! Can you provide your order number?"]);
  });

  it('resume without a route chosen (or a route gone) sends nothing', () => {
    const [first] = converse(orderStatus, ['AGENT']);
    expect(
      releaseHandoff({ workflow: orderStatus, state: first!.state, mode: 'resume', now }).replies,
    ).toEqual([]);
    const gone = { ...state, routeId: 'no-such-route' };
    expect(releaseHandoff({ workflow: orderStatus, state: gone, mode: 'resume', now })).toMatchObject({
      replies: [],
      state: { variables: {} },
    });
  });
});

describe('hand-off in the schema and lint', () => {
  it('refuses an unknown fallback action and bad keywords', () => {
    const bad = parseWorkflow({
      ...example,
      fallback: { ...fallback, action: 'transfer' },
      handoffKeywords: [''],
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors.some((error) => error.startsWith('fallback.action:'))).toBe(true);
      expect(bad.errors.some((error) => error.startsWith('handoffKeywords.0:'))).toBe(true);
    }
    const typo = parseWorkflow({ ...example, handof: { reply: 'x' } });
    expect(typo.ok ? [] : typo.errors).toEqual(['handof: unrecognized key (did you mean handoff?)']);
  });

  it('lint errs on a carrier keyword among handoffKeywords and measures the acknowledgement', () => {
    const report = lintWorkflow(workflowWith({ handoffKeywords: ['HELP', 'Agent'] }));
    expect(report.errors).toContain(
      'handoffKeywords: "HELP" is a carrier keyword (STOP, START, HELP and their kin are read first), so it never hands off',
    );
    expect(report.replies.map((reply) => reply.where)).toContain('handoff.reply');
    const never = lintWorkflow(workflowWith({ handoffKeywords: ['no agent', '!!!'] }));
    expect(never.errors).toEqual([
      'handoffKeywords: "no agent" never hands off (more than 8 words, a negation such as "no", or no letter or digit)',
      'handoffKeywords: "!!!" never hands off (more than 8 words, a negation such as "no", or no letter or digit)',
    ]);
  });

  it('lint warns about a handoff text nothing sends and a keyword a route also uses', () => {
    const report = lintWorkflow(
      workflowWith({ handoffKeywords: ['track'], handoff: { reply: 'A person will answer.' } }),
    );
    expect(report.warnings).toContain(
      'handoffKeywords: "track" is also a keyword of route track-order; a short message with it goes to a person, not the route',
    );
    const silent = lintWorkflow(
      workflowWith({ handoffKeywords: [], handoff: { reply: 'A person will answer.' } }),
    );
    expect(silent.warnings).toContain(
      'handoff.reply: never sent (no handoffKeywords and fallback.action is not handoff)',
    );
  });
});
