import { readFileSync } from 'node:fs';
import fc from 'fast-check';
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
    expect(third?.replies).toEqual([
      'Thanks! Checking order 123456 from Wednesday, December 10, 2025. - Elegi+',
    ]);
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
      'Thanks for reaching out! I can help track your order. Thanks! Checking order 123456 from Wednesday, December 10, 2025. - Elegi+',
    ]);
    expect(turn?.state.variables).toEqual({ order_number: '123456', order_date: '2025-12-10' });
  });

  it('re-prompts with the reason, then falls back after maxAttempts invalid answers', () => {
    const turns = converse(orderStatus, ['my order', 'no idea', 'still no idea', 'nope']);
    // Deliberate change: the default reason names the fix (was "That doesn't look right.").
    expect(turns[1]?.replies).toEqual([
      "That doesn't look like an order number (6 digits). I'd be happy to help! Can you provide your order number?",
    ]);
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

describe('corrections', () => {
  it('"actually it was 654321" replaces the order number while the date is asked', () => {
    const turns = converse(orderStatus, ['my order', '123456', 'actually it was 654321', 'Dec 10']);
    expect(turns[2]?.replies).toEqual(['Thank you! When did you place this order?']);
    expect(turns[2]?.state.variables).toEqual({ order_number: '654321' });
    expect(turns[2]?.state.attempts).toEqual({}); // a correction is not an invalid answer
    expect(turns[3]?.state.variables).toEqual({ order_number: '654321', order_date: '2025-12-10' });
  });

  it('"sorry, I meant Dec 11" replaces a filled date', () => {
    const base = converse(orderStatus, ['my order on Dec 10', 'sorry, I meant Dec 11', '123456']);
    expect(base[0]?.state.variables).toEqual({ order_date: '2025-12-10' });
    expect(base[1]?.state.variables).toEqual({ order_date: '2025-12-11' });
    expect(base[1]?.replies).toEqual(["I'd be happy to help! Can you provide your order number?"]);
    expect(base[2]?.state.variables).toEqual({ order_number: '123456', order_date: '2025-12-11' });
  });

  it('does not replace a filled slot without a correction cue', () => {
    const turns = converse(orderStatus, ['order 123456', 'it was 654321 on Dec 10']);
    expect(turns[1]?.state.variables).toEqual({ order_number: '123456', order_date: '2025-12-10' });
  });

  it('a number inside a date answer never overwrites a pattern slot it does not match', () => {
    const workflow = loadExample('order-status');
    const dates = fc.oneof(
      fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(([m, d]) => `${m}/${d}`),
      fc
        .tuple(
          fc.constantFrom('Dec', 'January', 'Mar', 'nov'),
          fc.integer({ min: 1, max: 28 }),
          fc.constantFrom('', 'th', ', 2025'),
        )
        .map(
          ([month, day, suffix]) =>
            `${month} ${day}${day > 3 && suffix === 'th' ? 'th' : suffix === 'th' ? '' : suffix}`,
        ),
      fc.integer({ min: 2020, max: 2026 }).map((year) => `${year}-03-04`),
    );
    const cues = fc.constantFrom('actually ', 'sorry, I meant ', 'oops, make it ', 'correction: ', '');
    fc.assert(
      fc.property(cues, dates, (cue, date) => {
        // Date still asked: the date fills, the order number stays.
        const asking = converse(workflow, ['order 123456', `${cue}${date}`]);
        expect(asking[1]?.state.variables.order_number).toBe('123456');
        // After an unanswered turn, a correction cue with a date still leaves the order number alone.
        const correcting = converse(workflow, ['order 123456', 'sorry wrong one', `${cue}${date}`]);
        expect(correcting[2]?.state.variables.order_number).toBe('123456');
      }),
    );
  });

  it('a correction of another slot while a confirmation is asked re-asks it instead of declining', () => {
    const appointment = loadExample('appointment-booking');
    const turns = converse(appointment, ['book Dec 10 at 3pm', 'no, I meant 4pm', 'yes']);
    expect(turns[0]?.replies).toEqual([
      'Hi from Elegi+ Clinic! Book Thursday, December 10 at 3:00 PM? Reply YES or NO.',
    ]);
    expect(turns[1]?.replies).toEqual(['Book Thursday, December 10 at 4:00 PM? Reply YES or NO.']);
    expect(turns[2]?.state).toMatchObject({
      status: 'completed',
      variables: { appointment_date: '2026-12-10', appointment_time: '16:00', confirm: 'yes' },
    });
  });

  it('a yes/no is only taken as the answer to its own question', () => {
    const appointment = loadExample('appointment-booking');
    const [turn] = converse(appointment, ['no rush, book me Dec 10']);
    expect(turn?.state.variables).toEqual({ appointment_date: '2026-12-10' });
  });
});

describe('invalidMessage', () => {
  it('replaces the type default in the re-prompt', () => {
    const route = orderStatus.routes[0] as Workflow['routes'][number];
    const workflow: Workflow = {
      ...orderStatus,
      routes: [
        {
          ...route,
          mandatoryVariables: route.mandatoryVariables.map((variable) =>
            variable.name === 'order_number'
              ? { ...variable, invalidMessage: 'Order numbers have 6 digits.' }
              : variable,
          ),
        },
      ],
    };
    const turns = converse(workflow, ['my order', '12345', 'no idea']);
    expect(turns[1]?.replies).toEqual([
      "Order numbers have 6 digits. I'd be happy to help! Can you provide your order number?",
    ]);
    // The date keeps the type's default reason.
    expect(converse(workflow, ['order 123456', 'no idea'])[1]?.replies[0]).toMatch(/^I couldn't read a date/);
  });
});

describe('workflow extensions in the schema', () => {
  it('validates timeZone as an IANA zone and defaults to UTC', () => {
    const raw = JSON.parse(readFileSync('examples/workflows/order-status.json', 'utf8')) as Record<
      string,
      unknown
    >;
    expect(parseWorkflow({ ...raw, timeZone: 'Europe/Berlin' }).ok).toBe(true);
    expect(parseWorkflow({ ...raw, timeZone: 'Mars/Olympus' })).toEqual({
      ok: false,
      errors: ['timeZone: timeZone must be an IANA time zone such as America/New_York'],
    });
    const parsed = parseWorkflow(raw);
    expect(parsed.ok && parsed.workflow.timeZone).toBeUndefined();
  });

  it('accepts direction only as past, future or any and onNo needs something to clear', () => {
    const variable = (extra: Record<string, unknown>) =>
      parseWorkflow({
        id: 'w',
        routes: [
          {
            id: 'r',
            mandatoryVariables: [{ name: 'v', prompt: 'p', ...extra }],
            onComplete: { reply: 'ok' },
          },
        ],
        fallback: { reply: 'f' },
        failureMessage: 'x',
      }).ok;
    expect(variable({ type: 'date', direction: 'future' })).toBe(true);
    expect(variable({ type: 'date', direction: 'later' })).toBe(false);
    expect(variable({ type: 'time', invalidMessage: 'Bad time.' })).toBe(true);
    expect(variable({ type: 'yesno', onNo: { reply: 'ok', clear: [] } })).toBe(false);
  });
});

describe('dates and times are masked before numbers and patterns', () => {
  const route = orderStatus.routes[0] as Workflow['routes'][number];
  const pin: Workflow = {
    ...orderStatus,
    routes: [
      {
        ...route,
        mandatoryVariables: [
          { name: 'pin', type: 'pattern', pattern: '\\b\\d{4}\\b', prompt: 'Your PIN?' },
          { name: 'order_date', type: 'date', prompt: 'When?' },
          { name: 'quantity', type: 'number', prompt: 'How many?' },
        ],
        onComplete: { reply: '{{pin}} {{order_date}} {{quantity}}' },
      },
    ],
  };

  it('a year inside a date correction does not replace a 4-digit PIN', () => {
    const turns = converse(pin, ['order, pin 4321', '12/10/2025', 'sorry, I meant 12/11/2024']);
    expect(turns[2]?.state.variables).toEqual({ pin: '4321', order_date: '2024-12-11' });
  });

  it('the day of a date does not fill a number', () => {
    const [turn] = converse(pin, ['order pin 4321 on Dec 11']);
    expect(turn?.state.variables).toEqual({ pin: '4321', order_date: '2026-12-11' });
  });
});

describe('known values are not read again', () => {
  it('a repeated PIN does not fill the quantity', () => {
    const route = orderStatus.routes[0] as Workflow['routes'][number];
    const workflow: Workflow = {
      ...orderStatus,
      routes: [
        {
          ...route,
          mandatoryVariables: [
            { name: 'pin', type: 'pattern', pattern: '\\b\\d{4}\\b', prompt: 'Your PIN?' },
            { name: 'quantity', type: 'number', prompt: 'How many?' },
          ],
          onComplete: { reply: '{{pin}} {{quantity}}' },
        },
      ],
    };
    const turns = converse(workflow, ['order', 'pin 4321', 'for pin 4321 I want 3']);
    expect(turns[1]?.state.variables).toEqual({ pin: '4321' });
    expect(turns[2]?.state.variables).toEqual({ pin: '4321', quantity: '3' });
  });
});

describe('typos in route keywords', () => {
  it.each([
    ['Where is my pakage?', 'track-order'],
    ['my delivry is late', 'track-order'],
    ['trakcing number please', undefined], // "trakcing" is two edits from "track"
    ['ordr status', undefined], // 4 letters: exact only
    ['ordr 123456', 'track-order'], // no keyword, but it answers the only route with an order number
    ['order 123456', 'track-order'],
  ])('"%s" routes to %s', (text, routeId) => {
    const [turn] = converse(orderStatus, [text]);
    expect(turn?.state.routeId).toBe(routeId);
  });

  it('an exact keyword of a later route wins over a typo match of an earlier one', () => {
    const route = orderStatus.routes[0] as Workflow['routes'][number];
    const workflow: Workflow = {
      ...orderStatus,
      routes: [
        { ...route, id: 'parcel', match: { keywords: ['parcel'] } },
        { ...route, id: 'parce', match: { keywords: ['parse'] } },
        { ...route, id: 'exact', match: { keywords: ['parcels'] } },
      ],
    };
    expect(converse(workflow, ['my parcels'])[0]?.state.routeId).toBe('parcel'); // plural form
    expect(converse(workflow, ['parse it'])[0]?.state.routeId).toBe('parce');
    expect(converse(workflow, ['my parsel'])[0]?.state.routeId).toBe('parcel'); // first typo match
  });
});

describe('a message that answers a route', () => {
  const route = orderStatus.routes[0] as Workflow['routes'][number];
  const twoRoutes: Workflow = {
    ...orderStatus,
    routes: [
      route,
      {
        id: 'returns',
        match: { keywords: ['return'] },
        mandatoryVariables: [
          { name: 'rma', type: 'pattern', pattern: '\\bRMA\\d{4}\\b', prompt: 'Your RMA?' },
        ],
        onComplete: { reply: 'Return {{rma}} noted.' },
      },
    ],
  };

  it('starts the one route whose question it answers, with that answer kept', () => {
    const [turn] = converse(twoRoutes, ['RMA1234']);
    expect(turn?.state).toMatchObject({
      routeId: 'returns',
      variables: { rma: 'RMA1234' },
      status: 'completed',
    });
  });

  it('starts no route when it answers questions of two (a date is asked by both)', () => {
    const dated: Workflow = {
      ...twoRoutes,
      routes: twoRoutes.routes.map((item) => ({
        ...item,
        mandatoryVariables: [{ name: 'day', type: 'date' as const, prompt: 'Which day?' }],
      })),
    };
    expect(converse(dated, ['Dec 1'])[0]?.state.routeId).toBeUndefined();
  });

  it('leaves a route with neither keywords nor patterns the default, before any answer', () => {
    const withDefault: Workflow = {
      ...twoRoutes,
      routes: [...twoRoutes.routes, { ...route, id: 'default', match: { keywords: [] } }],
    };
    expect(converse(withDefault, ['RMA1234'])[0]?.state.routeId).toBe('default');
  });
});

describe('maxAttempts (DESIGN.md section 3)', () => {
  it('with 2: invalid -> re-prompt, invalid -> fallback, and the state says fallback', () => {
    const workflow: Workflow = { ...orderStatus, fallback: { ...orderStatus.fallback, maxAttempts: 2 } };
    const turns = converse(workflow, ['my order', 'no idea', 'still no idea', 'where is my package']);
    expect(turns[1]?.state).toMatchObject({ status: 'collecting', attempts: { order_number: 1 } });
    expect(turns[1]?.replies[0]).toMatch(/^That doesn't look like an order number \(6 digits\)\./);
    expect(turns[2]?.state).toMatchObject({ status: 'fallback', attempts: { order_number: 2 } });
    expect(turns[2]?.replies).toEqual(["Sorry, I didn't get that. Reply HELP for help."]);
    // After a fallback, the next message starts a new conversation.
    expect(turns[3]?.state).toMatchObject({ status: 'collecting', variables: {}, attempts: {} });
  });

  it('a date refused for its direction counts as an invalid answer and says why', () => {
    const turns = converse(orderStatus, ['order 123456', 'tomorrow']);
    expect(turns[1]?.replies).toEqual([
      'That date is still to come. Thank you! When did you place this order?',
    ]);
    expect(turns[1]?.state.attempts).toEqual({ order_date: 1 });
  });
});

describe('refused dates', () => {
  it('keep their precise reason even when the variable has an invalidMessage', () => {
    const appointment = loadExample('appointment-booking');
    const turns = converse(appointment, ['book a visit', 'yesterday', 'whenever']);
    expect(turns[1]?.replies).toEqual(['That day has already passed. What day would you like to come in?']);
    expect(turns[2]?.replies).toEqual([
      "Sorry, I couldn't read that day (e.g. Dec 10 or next Friday). What day would you like to come in?",
    ]);
    expect(turns[2]?.state.attempts).toEqual({ appointment_date: 2 });
  });
});

describe('correction precedence', () => {
  const route = orderStatus.routes[0] as Workflow['routes'][number];
  const withVariables = (mandatoryVariables: Workflow['routes'][number]['mandatoryVariables']): Workflow => ({
    ...orderStatus,
    routes: [
      {
        ...route,
        mandatoryVariables,
        onComplete: { reply: mandatoryVariables.map((variable) => `{{${variable.name}}}`).join(' ') },
      },
    ],
  });

  it('"no, the order is 654321" corrects the order number while the date is asked', () => {
    const turns = converse(orderStatus, ['order 123456', 'no, the order is 654321']);
    expect(turns[1]?.state.variables).toEqual({ order_number: '654321' });
    expect(turns[1]?.state.attempts).toEqual({});
    expect(turns[1]?.replies).toEqual(['Thank you! When did you place this order?']);
  });

  it("the tenant's pattern reads before a number, whatever the order of the route", () => {
    const workflow = withVariables([
      { name: 'quantity', type: 'number', prompt: 'How many?' },
      { name: 'order_number', type: 'pattern', pattern: '\\b\\d{6}\\b', prompt: 'Order number?' },
      { name: 'order_date', type: 'date', prompt: 'When?' },
    ]);
    const turns = converse(workflow, ['order 123456, 3 of them', 'actually it was 654321']);
    expect(turns[0]?.state.variables).toEqual({ order_number: '123456', quantity: '3' });
    expect(turns[1]?.state.variables).toEqual({ order_number: '654321', quantity: '3' });
    expect(turns[1]?.replies).toEqual(['When?']);
  });

  it('the slot being asked reads first among slots of its type', () => {
    const workflow = withVariables([
      { name: 'quantity', type: 'number', prompt: 'How many?' },
      { name: 'budget', type: 'number', prompt: 'Budget?' },
    ]);
    const turns = converse(workflow, ['order 3', 'sorry, 500']);
    expect(turns[0]?.state.variables).toEqual({ quantity: '3' });
    expect(turns[1]?.state.variables).toEqual({ quantity: '3', budget: '500' });
  });

  it('a date said again keeps its day out of a number being asked', () => {
    const workflow = withVariables([
      { name: 'order_date', type: 'date', prompt: 'When?' },
      { name: 'quantity', type: 'number', prompt: 'How many?' },
    ]);
    const turns = converse(workflow, ['order from Dec 11', 'for Dec 11 I want 3']);
    expect(turns[1]?.state.variables).toEqual({ order_date: '2026-12-11', quantity: '3' });
  });

  it('an email is read before a pattern could take digits out of it', () => {
    const workflow = withVariables([
      { name: 'order_number', type: 'pattern', pattern: '\\d{6}', prompt: 'Order number?' },
      { name: 'email', type: 'email', prompt: 'Email?' },
    ]);
    const [turn] = converse(workflow, ['order for jo123456@example.com']);
    expect(turn?.state.variables).toEqual({ email: 'jo123456@example.com' });
  });

  it('a correction of the email while the description is asked does not become the description', () => {
    const support = loadExample('support-triage');
    const turns = converse(support, [
      'billing',
      'me@example.com',
      'sorry, it is me@example.org',
      'Charged twice',
    ]);
    expect(turns[2]?.state.variables).toEqual({ category: 'Billing', email: 'me@example.org' });
    expect(turns[2]?.replies).toEqual(["Thanks! Briefly, what's going on?"]);
    expect(turns[3]?.state).toMatchObject({
      status: 'completed',
      variables: { category: 'Billing', email: 'me@example.org', description: 'Charged twice' },
    });
  });

  it('after completion a correction starts a new conversation (corrections apply while collecting)', () => {
    const turns = converse(orderStatus, ['order 123456 from Dec 10', 'actually it was 654321']);
    expect(turns[0]?.completed).toBe(true);
    expect(turns[1]?.state).toMatchObject({ status: 'collecting', variables: {} });
  });
});

describe('answers as customers give them', () => {
  const appointment = loadExample('appointment-booking');
  const withCount: Workflow = {
    ...appointment,
    routes: [
      {
        id: 'table',
        match: { keywords: [] },
        mandatoryVariables: [
          { name: 'party', type: 'number', prompt: 'How many of you?' },
          { name: 'at', type: 'time', prompt: 'What time?' },
        ],
        onComplete: { reply: 'Table for {{party}} at {{at}}.' },
      },
    ],
  };

  it('takes a day and an approximate hour together while the day is asked', () => {
    const turns = converse(appointment, ['book', 'thurs next week around 2']);
    expect(turns[1]?.state.variables).toEqual({ appointment_date: '2026-11-26', appointment_time: '14:00' });
    expect(turns[1]?.replies).toEqual(['Book Thursday, November 26 at 2:00 PM? Reply YES or NO.']);
  });

  it('never reads a count being asked as a time', () => {
    const [turn] = converse(withCount, ['about 4']);
    expect(turn?.state.variables).toEqual({ party: '4' });
    expect(turn?.replies).toEqual(['Hi from Elegi+ Clinic! What time?']);
  });

  it('takes an answer given before its question, and the one asked, from one message', () => {
    const [, second] = converse(appointment, ['book an appointment', '3pm on the 28th please']);
    expect(second?.state.variables).toEqual({ appointment_date: '2026-11-28', appointment_time: '15:00' });
  });
});

describe('a correction that cannot be read', () => {
  it("answers with the corrected variable's reason, keeps the old value and does not count an attempt", () => {
    const turns = converse(orderStatus, ['track my order', '123456', 'actually my order is 555']);
    expect(turns[2]?.replies).toEqual([
      "That doesn't look like an order number (6 digits). Thank you! When did you place this order?",
    ]);
    expect(turns[2]?.state.variables).toEqual({ order_number: '123456' });
    expect(turns[2]?.state.attempts).toEqual({});
  });

  it('keeps the asked variable’s reason when the message names no answered variable', () => {
    const turns = converse(orderStatus, ['track my order', '123456', 'actually no idea']);
    expect(turns[2]?.replies[0]).toMatch(/^I couldn't read a date/);
  });
});
