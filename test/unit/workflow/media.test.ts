import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import { runTurn, type SlotState } from '../../../lambdas/domain/workflow/engine';
import { lintWorkflow } from '../../../lambdas/domain/workflow/lint';
import { mmsRoutingProblems, workflowMediaFields } from '../../../lambdas/domain/workflow/media';
import { startWorkflow } from '../../../lambdas/domain/workflow/start';
import { readStoredWorkflow, StoredWorkflowError } from '../../../lambdas/domain/workflow/stored';

const picture = (name: string) => `https://example.com/${name}.jpg`;
const now = new Date('2026-11-22T12:00:00Z');

/** Pictures on every text a customer can be sent. */
const DEFINITION = {
  id: 'photo-order',
  greeting: 'Hi from Elegi+!',
  greetingMedia: [picture('logo')],
  routes: [
    {
      id: 'track',
      match: { keywords: ['track'] },
      mandatoryVariables: [
        {
          name: 'order_number',
          type: 'pattern',
          pattern: '\\b\\d{6}\\b',
          prompt: 'Your order number?',
          promptMedia: [picture('receipt'), picture('logo')],
          invalidMessage: 'Order numbers have 6 digits.',
          invalidMessageMedia: [picture('where-to-find')],
        },
        {
          name: 'confirm',
          type: 'yesno',
          prompt: 'Is {{order_number}} right?',
          promptMedia: [picture('check')],
          onNo: { reply: 'Let us start again.', media: [picture('oops')], clear: ['order_number'] },
        },
      ],
      onComplete: { reply: 'On its way!', media: [picture('parcel'), picture('map')] },
    },
  ],
  fallback: { reply: 'Sorry, text TRACK.', media: [picture('help')], maxAttempts: 2 },
  failureMessage: 'Something went wrong.',
  failureMessageMedia: [picture('sorry')],
  help: 'Text TRACK to track an order.',
  helpMedia: [picture('help')],
};

function parsed(input: unknown = DEFINITION): Workflow {
  const result = parseWorkflow(input);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.workflow;
}

function errorsOf(input: unknown): string[] {
  const result = parseWorkflow(input);
  return result.ok ? [] : result.errors;
}

function converse(workflow: Workflow, messages: string[]) {
  let state: SlotState | undefined;
  return messages.map((text) => {
    const turn = runTurn({ workflow, state, text, now });
    state = turn.state;
    return turn;
  });
}

function loadExample(name: string): Workflow {
  return parsed(JSON.parse(readFileSync(`examples/workflows/${name}.json`, 'utf8')));
}

describe('workflow schema: pictures beside any text', () => {
  it('takes media on every text, and the stored form reads back the same', () => {
    const workflow = parsed();
    expect(workflow.routes[0]?.onComplete.media).toEqual([picture('parcel'), picture('map')]);
    expect(readStoredWorkflow(JSON.stringify(workflow))).toEqual(workflow);
  });

  it('refuses more than 10 pictures, URLs no stage takes, and media where no text is', () => {
    const eleven = Array.from({ length: 11 }, (_, index) => picture(String(index)));
    expect(errorsOf({ ...DEFINITION, helpMedia: eleven })).toEqual([
      "helpMedia: at most 10 pictures per message (Twilio's limit)",
    ]);
    expect(errorsOf({ ...DEFINITION, greetingMedia: ['http://example.com/logo.jpg'] })).toEqual([
      'greetingMedia.0: media URL must use https:// (http:// only for 127.0.0.1, [::1] or localhost during development)',
    ]);
    expect(
      errorsOf({ ...DEFINITION, fallback: { ...DEFINITION.fallback, media: ['https://10.1.2.3/a.jpg'] } }),
    ).toEqual(['fallback.media.0: media URL endpoint not allowed']);
    expect(errorsOf({ ...DEFINITION, failureMessageMedia: 'https://example.com/a.jpg' })[0]).toMatch(
      /^failureMessageMedia: /,
    );
    // `media` is the sibling of a `reply`; a variable's pictures are named after its text.
    const [route] = DEFINITION.routes;
    const variable = { ...route?.mandatoryVariables[0], media: [picture('x')] };
    expect(
      errorsOf({ ...DEFINITION, routes: [{ ...route, mandatoryVariables: [variable] }] }).join('\n'),
    ).toContain('routes.0.mandatoryVariables.0.media: unrecognized key');
  });

  it('takes the local stack loopback pictures in the schema (each stage narrows it at put)', () => {
    expect(
      errorsOf({ ...DEFINITION, greetingMedia: ['http://127.0.0.1:3000/console/media/parcel.svg'] }),
    ).toEqual([]);
  });

  it('refuses a stored list of pictures that is not a list of texts', () => {
    const stored = JSON.parse(JSON.stringify(parsed())) as Record<string, unknown>;
    expect(() => readStoredWorkflow(JSON.stringify({ ...stored, helpMedia: [1] }))).toThrow(
      StoredWorkflowError,
    );
    expect(() => readStoredWorkflow(JSON.stringify({ ...stored, greetingMedia: 'x' }))).toThrow(
      'greetingMedia: expected a list',
    );
  });
});

describe('workflow engine: each reply carries the pictures of its texts', () => {
  const workflow = parsed();

  it('sends the greeting and prompt pictures, each once, then the prompt, onNo and completion pictures', () => {
    const turns = converse(workflow, ['track', 'my order is 12', '123456', 'no', '654321', 'yes']);
    expect(turns.map((turn) => turn.replies.length)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(turns.map((turn) => turn.media)).toEqual([
      [[picture('logo'), picture('receipt')]],
      // The invalidMessage's pictures, then the prompt's again.
      [[picture('where-to-find'), picture('receipt'), picture('logo')]],
      [[picture('check')]],
      // onNo: its pictures, then those of the prompt asked again.
      [[picture('oops'), picture('receipt'), picture('logo')]],
      [[picture('check')]],
      [[picture('parcel'), picture('map')]],
    ]);
    expect(turns[5]?.completed).toBe(true);
  });

  it('sends the fallback pictures (with the greeting on a first message that matches nothing)', () => {
    const [unmatched] = converse(workflow, ['hello?']);
    expect(unmatched?.media).toEqual([[picture('logo'), picture('help')]]);
    const turns = converse(workflow, ['track', 'no idea', 'still no idea']);
    expect(turns[2]?.state.status).toBe('fallback');
    expect(turns[2]?.media).toEqual([[picture('help')]]);
  });

  it("keeps a type's own reason free of the invalidMessage's pictures", () => {
    const { invalidMessage: _invalidMessage, ...variable } =
      DEFINITION.routes[0]?.mandatoryVariables[0] ?? {};
    const plain = parsed({
      ...DEFINITION,
      routes: [{ ...DEFINITION.routes[0], mandatoryVariables: [variable] }],
    });
    const [, invalid] = converse(plain, ['track', 'no idea']);
    expect(invalid?.media).toEqual([[picture('receipt'), picture('logo')]]);
  });

  it('gives the example workflows (no pictures) one empty list per reply', () => {
    const examples = ['order-status', 'appointment-booking', 'support-triage'].map(loadExample);
    fc.assert(
      fc.property(
        fc.constantFrom(...examples),
        fc.array(
          fc.constantFrom(
            'Where is my package?',
            '123456',
            'Dec 10',
            'book',
            'tomorrow',
            '3pm',
            'yes',
            'no',
            '?',
          ),
          { minLength: 1, maxLength: 5 },
        ),
        (example, messages) => {
          for (const turn of converse(example, messages)) {
            expect(turn.media).toEqual(turn.replies.map(() => []));
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('opens a business-started conversation with the greeting and first prompt pictures', () => {
    const started = startWorkflow({ workflow, variables: {}, now });
    expect(started).toMatchObject({ ok: true, media: [[picture('logo'), picture('receipt')]] });
    const prefilled = startWorkflow({ workflow, variables: { order_number: '123456' }, now });
    expect(prefilled).toMatchObject({ ok: true, media: [[picture('logo'), picture('check')]] });
  });
});

describe('workflow lint: pictures', () => {
  it('reports the pictures of each reply and no segment warning for an MMS', () => {
    const long = parsed({
      ...DEFINITION,
      routes: [
        { ...DEFINITION.routes[0], onComplete: { reply: `${'x'.repeat(400)}`, media: [picture('parcel')] } },
      ],
    });
    const report = lintWorkflow(long);
    expect(report.errors).toEqual([]);
    expect(report.replies.find((reply) => reply.where === 'routes.track.onComplete.reply')).toMatchObject({
      segments: 3,
      media: 1,
    });
    expect(report.warnings.some((warning) => warning.startsWith('routes.track.onComplete.reply'))).toBe(
      false,
    );
    const sms = report.replies.find((reply) => reply.where === 'failureMessage');
    expect(sms).toMatchObject({ media: 1 });
  });

  it('refuses a message whose texts together carry more than 10 pictures', () => {
    const six = (prefix: string) => Array.from({ length: 6 }, (_, index) => picture(`${prefix}${index}`));
    const report = lintWorkflow(
      parsed({
        ...DEFINITION,
        greetingMedia: six('g'),
        fallback: { ...DEFINITION.fallback, media: six('f') },
      }),
    );
    expect(report.errors).toEqual(['greeting + fallback.reply: 12 pictures in one message (at most 10)']);
  });

  it('warns about loopback pictures and pictures that are never sent', () => {
    const { help: _help, ...withoutHelp } = DEFINITION;
    const report = lintWorkflow(
      parsed({ ...withoutHelp, greetingMedia: ['http://127.0.0.1:3000/console/media/parcel.svg'] }),
    );
    expect(report.warnings).toEqual(
      expect.arrayContaining([
        'greetingMedia: plain http:// reaches only this machine (local stack); use https:// before deploying',
        'helpMedia: the workflow has no help text (HELP gets a generic one), so these are never sent',
      ]),
    );
  });
});

describe('workflowMediaFields and mmsRoutingProblems', () => {
  const workflow = parsed();

  it('lists every list of pictures by where lint names it', () => {
    expect(workflowMediaFields(workflow).map((field) => field.where)).toEqual([
      'greetingMedia',
      'routes.track.mandatoryVariables.order_number.promptMedia',
      'routes.track.mandatoryVariables.order_number.invalidMessageMedia',
      'routes.track.mandatoryVariables.confirm.promptMedia',
      'routes.track.mandatoryVariables.confirm.onNo.media',
      'routes.track.onComplete.media',
      'fallback.media',
      'failureMessageMedia',
      'helpMedia',
    ]);
    expect(workflowMediaFields(loadExample('order-status'))).toEqual([]);
  });

  it('names each routed number that cannot send the pictures, and none when it can or there are none', () => {
    const numbers = [
      { number: '+15005550006' },
      { number: '+447700900123' },
      { number: '+447700900124', mms: true },
      { number: '+15005550007', mms: false },
    ];
    const problems = mmsRoutingProblems(workflow, numbers);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /^\+447700900123 cannot send the pictures of workflow photo-order \(greetingMedia, .*helpMedia\): Twilio sends MMS only from US and Canadian numbers/,
    );
    expect(problems[1]).toMatch(/^\+15005550007 cannot send .*: the number is set not to send MMS/);
    expect(mmsRoutingProblems(loadExample('order-status'), numbers)).toEqual([]);
  });
});
