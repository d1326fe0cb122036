import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { splitArgs } from '../../../cli/main';
import { readWorkflowFile, simulateCommand } from '../../../cli/workflow-commands';
import type { Workflow } from '../../../lambdas/domain/workflow/definition';
import { lintWorkflow } from '../../../lambdas/domain/workflow/lint';

const ORDER_STATUS = 'examples/workflows/order-status.json';

describe('smsctl workflow simulate', () => {
  it('runs the Cloom order-status conversation offline, one JSON object per line', async () => {
    const lines: string[] = [];
    await simulateCommand(
      ORDER_STATUS,
      Readable.from(['Where is my package?\n123456\nDecember 10th\n']),
      (line) => lines.push(line),
      () => new Date('2026-11-22T12:00:00Z'),
    );
    const turns = lines.map((line) => JSON.parse(line));
    expect(turns.map((turn) => turn.status)).toEqual(['collecting', 'collecting', 'completed']);
    expect(turns[0].replies).toEqual([
      "Thanks for reaching out! I can help track your order. I'd be happy to help! Can you provide your order number?",
    ]);
    expect(turns[1].replies).toEqual(['Thank you! When did you place this order?']);
    expect(turns[2]).toEqual({
      replies: ['Thanks! Checking order 123456 from Wednesday, December 10, 2025. - Elegi+'],
      variables: { order_number: '123456', order_date: '2025-12-10' },
      route: 'track-order',
      status: 'completed',
    });
  });

  it('is the `npx smsctl` binary, with a one-line reason and non-zero exit on failure', async () => {
    const run = promisify(execFile);
    const ok = await run('node', ['cli/smsctl.mjs', '--json', 'workflow', 'lint', '--file', ORDER_STATUS]);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, errors: [] });
    const failed = await run('node', ['cli/smsctl.mjs', 'workflow', 'lint', '--file', 'missing.json']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1, stderr: 'smsctl: cannot read missing.json: ENOENT\n' });
  });
});

async function simulate(file: string, messages: string[], at = '2026-11-22T12:00:00Z') {
  const lines: string[] = [];
  await simulateCommand(
    file,
    Readable.from([`${messages.join('\n')}\n`]),
    (line) => lines.push(line),
    () => new Date(at),
  );
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

const APPOINTMENT = 'examples/workflows/appointment-booking.json';
const SUPPORT = 'examples/workflows/support-triage.json';

describe('smsctl workflow simulate: order-status, unhappy path', () => {
  it('re-prompts with a reason naming the fix, takes a correction, then completes', async () => {
    const turns = await simulate(ORDER_STATUS, [
      'where is my pakage', // one typo in a keyword of 5+ letters
      'no idea',
      'actually it is 654321',
      'next Friday', // an order is not placed in the future
      'sorry, I meant Dec 11',
    ]);
    expect(turns.map((turn) => turn.replies)).toEqual([
      [
        "Thanks for reaching out! I can help track your order. I'd be happy to help! Can you provide your order number?",
      ],
      [
        "That doesn't look like an order number (6 digits). I'd be happy to help! Can you provide your order number?",
      ],
      ['Thank you! When did you place this order?'],
      ['That date is still to come. Thank you! When did you place this order?'],
      ['Thanks! Checking order 654321 from Thursday, December 11, 2025. - Elegi+'],
    ]);
    expect(turns.map((turn) => turn.status)).toEqual([
      'collecting',
      'collecting',
      'collecting',
      'collecting',
      'completed',
    ]);
  });

  it('ends in fallback after maxAttempts invalid answers; every line keeps the contract shape', async () => {
    const turns = await simulate(ORDER_STATUS, ['order', 'no', 'nope', 'still no', 'hello']);
    expect(turns.map((turn) => turn.status)).toEqual([
      'collecting',
      'collecting',
      'collecting',
      'fallback',
      'collecting', // after a fallback "hello" starts a new conversation; it matches no route
    ]);
    expect(turns[4]).toMatchObject({ route: null, variables: {} });
    expect(turns[3]).toEqual({
      replies: ["Sorry, I didn't get that. Reply HELP for help."],
      variables: {},
      route: 'track-order',
      status: 'fallback',
    });
    for (const turn of turns) expect(Object.keys(turn)).toEqual(['replies', 'variables', 'route', 'status']);
  });
});

describe('smsctl workflow simulate: appointment-booking', () => {
  it('books a date and time after a YES', async () => {
    const turns = await simulate(APPOINTMENT, [
      "I'd like to book an appointment",
      'next Friday',
      '3pm',
      'yes',
    ]);
    expect(turns.map((turn) => turn.replies)).toEqual([
      ['Hi from Elegi+ Clinic! What day would you like to come in?'],
      ['What time suits you on Friday, November 27?'],
      ['Book Friday, November 27 at 3:00 PM? Reply YES or NO.'],
      ["You're booked for Friday, November 27 at 3:00 PM. See you then! - Elegi+"],
    ]);
    expect(turns[3]).toMatchObject({
      variables: { appointment_date: '2026-11-27', appointment_time: '15:00', confirm: 'yes' },
      route: 'book',
      status: 'completed',
    });
  });

  it('asks for another slot after a NO, and re-prompts with the invalid message', async () => {
    const turns = await simulate(APPOINTMENT, [
      'book a visit',
      'whenever',
      'Dec 10 at half past two',
      'no',
      'Dec 11 at 10am',
      'yes',
    ]);
    expect(turns.map((turn) => turn.replies)).toEqual([
      ['Hi from Elegi+ Clinic! What day would you like to come in?'],
      ["Sorry, I couldn't read that day (e.g. Dec 10 or next Friday). What day would you like to come in?"],
      ['Book Thursday, December 10 at 2:30 PM? Reply YES or NO.'],
      ["No problem, let's find another slot. What day would you like to come in?"],
      ['Book Friday, December 11 at 10:00 AM? Reply YES or NO.'],
      ["You're booked for Friday, December 11 at 10:00 AM. See you then! - Elegi+"],
    ]);
    expect(turns[3]).toMatchObject({ variables: {}, status: 'collecting' });
    expect(turns.map((turn) => turn.status)).toEqual([
      'collecting',
      'collecting',
      'collecting',
      'collecting',
      'collecting',
      'completed',
    ]);
  });

  it('reads dates in the workflow time zone (still Nov 22 in New York at 03:00 UTC on Nov 23)', async () => {
    const turns = await simulate(APPOINTMENT, ['book for tomorrow at noon'], '2026-11-23T03:00:00Z');
    expect(turns[0]?.variables).toEqual({ appointment_date: '2026-11-23', appointment_time: '12:00' });
  });
});

describe('smsctl workflow simulate: support-triage', () => {
  it('collects a category, an email and a description', async () => {
    const turns = await simulate(SUPPORT, [
      'Hi, I need some help',
      '2',
      'Me@Example.com',
      'The app crashes on login',
    ]);
    expect(turns.map((turn) => turn.replies)).toEqual([
      ['Hi, this is Elegi+ Support. What do you need help with? Reply 1 Billing, 2 Technical or 3 Account.'],
      ['Got it: Technical. What email is your account under?'],
      ["Thanks! Briefly, what's going on?"],
      ["Thanks! Your Technical request is logged. We'll email me@example.com within 1 business day."],
    ]);
    expect(turns[3]).toMatchObject({
      variables: { category: 'Technical', email: 'me@example.com', description: 'The app crashes on login' },
      route: 'triage',
      status: 'completed',
    });
  });

  it('re-prompts invalid answers with the invalid message and falls back after three', async () => {
    const turns = await simulate(SUPPORT, ['I have a billing question', 'not sure', 'my email', 'dunno']);
    expect(turns[0]?.replies).toEqual([
      'Hi, this is Elegi+ Support. Got it: Billing. What email is your account under?',
    ]);
    expect(turns[1]?.replies).toEqual([
      "That doesn't look like an email address (e.g. name@example.com). Got it: Billing. What email is your account under?",
    ]);
    expect(turns.map((turn) => turn.status)).toEqual(['collecting', 'collecting', 'collecting', 'fallback']);
    expect(turns[3]?.replies).toEqual(["Sorry, I didn't get that. Reply HELP for help."]);
  });
});

describe('smsctl workflow lint', () => {
  it.each([APPOINTMENT, SUPPORT])('lints %s clean, every reply one GSM-7 segment', async (file) => {
    const report = lintWorkflow(await readWorkflowFile(file));
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.replies.every((reply) => reply.segments === 1 && reply.encoding === 'GSM-7')).toBe(true);
  });

  it('checks onNo (clear names earlier variables; reply + prompt fits) and re-prompts with invalidMessage', async () => {
    const base = await readWorkflowFile(APPOINTMENT);
    const route = base.routes[0] as Workflow['routes'][number];
    const broken: Workflow = {
      ...base,
      routes: [
        {
          ...route,
          mandatoryVariables: [
            { name: 'when', type: 'time', prompt: 'When?', invalidMessage: 'x'.repeat(160) },
            { name: 'ok', type: 'yesno', prompt: 'At {{when}}?', onNo: { reply: 'Fine.', clear: ['later'] } },
          ],
          onComplete: { reply: 'At {{when}}, {{ok}}' },
        },
      ],
    };
    const report = lintWorkflow(broken);
    expect(report.errors).toEqual([
      'routes.book.mandatoryVariables.ok.onNo.clear: "later" is not a variable asked before ok',
    ]);
    expect(report.warnings).toEqual([
      expect.stringMatching(/^routes\.book\.mandatoryVariables\.when\.invalidMessage: 2 segments/),
    ]);
    expect(report.replies.find((reply) => reply.where === 'routes.book.onComplete.reply')?.characters).toBe(
      // A time is shown as people read it: "12:30 PM" is the longest en-US rendering.
      'At 12:30 PM, yes'.length,
    );
  });

  it('reports every reply of the example in one GSM-7 segment', async () => {
    const report = lintWorkflow(await readWorkflowFile(ORDER_STATUS));
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.replies.every((reply) => reply.segments === 1 && reply.encoding === 'GSM-7')).toBe(true);
  });

  it('rejects unknown template variables and prompts that use what is not collected yet', async () => {
    const base = await readWorkflowFile(ORDER_STATUS);
    const route = base.routes[0] as Workflow['routes'][number];
    const broken: Workflow = {
      ...base,
      greeting: 'Hi {{name}}',
      routes: [
        {
          ...route,
          mandatoryVariables: [
            { name: 'order_number', type: 'pattern', pattern: '\\d{6}', prompt: 'Order for {{order_date}}?' },
            { name: 'order_date', type: 'date', prompt: 'When?' },
          ],
          onComplete: { reply: 'Done {{vrbl:order_number}} {{entity:missing}}' },
        },
      ],
    };
    expect(lintWorkflow(broken).errors).toEqual([
      'greeting: unknown template variable "name" (known here: none)',
      'routes.track-order.mandatoryVariables.order_number.prompt: unknown template variable "order_date" (known here: none)',
      'routes.track-order.onComplete.reply: unknown template variable "missing" (known here: order_number, order_date)',
    ]);
  });

  it('warns when a reply needs more than one segment at worst-case lengths', async () => {
    const base = await readWorkflowFile(ORDER_STATUS);
    const report = lintWorkflow({ ...base, greeting: `${'Hello there! '.repeat(12)}😀` });
    // Deliberate change: the first reply carries the greeting, so its combinations are measured too.
    expect(report.warnings).toEqual([
      expect.stringMatching(/^greeting: 3 segments \(UCS-2/),
      expect.stringMatching(/^greeting \+ fallback\.reply: 4 segments/),
      expect.stringMatching(
        /^greeting \+ routes\.track-order\.mandatoryVariables\.order_number\.prompt: 4 segments/,
      ),
      expect.stringMatching(
        /^greeting \+ routes\.track-order\.mandatoryVariables\.order_date\.prompt: 3 segments/,
      ),
      expect.stringMatching(/^greeting \+ routes\.track-order\.onComplete\.reply: 4 segments/),
    ]);
  });

  it('measures the first reply (greeting + prompt) and the re-prompt with the default reason', async () => {
    const base = await readWorkflowFile(ORDER_STATUS);
    const route = base.routes[0] as Workflow['routes'][number];
    const report = lintWorkflow({
      ...base,
      greeting:
        'Hi! Thanks for texting Elegi+ Support, the fastest way to reach our team outside office hours.',
      routes: [
        {
          ...route,
          mandatoryVariables: [
            {
              name: 'topic',
              type: 'choice',
              options: [
                'Billing and invoices',
                'Technical problems',
                'Account and login',
                'Something else',
                'Orders, deliveries and returns',
              ],
              prompt: 'What is it about? Reply 1, 2, 3 or 4.',
            },
            {
              name: 'details',
              type: 'text',
              prompt: 'Tell us more about {{topic}} in a few words, please. Thanks.',
            },
          ],
          onComplete: { reply: 'Thanks, {{topic}}.' },
        },
      ],
    });
    expect(report.errors).toEqual([]);
    // Each part fits on its own; what is sent together does not.
    expect(report.warnings).toEqual([
      // "Please reply with one of: Billing and invoices, ..." and the prompt.
      expect.stringMatching(/^routes\.track-order\.mandatoryVariables\.topic\.reprompt: 2 segments \(GSM-7/),
      // A first message can choose the topic, so the details prompt can follow the greeting.
      expect.stringMatching(
        /^greeting \+ routes\.track-order\.mandatoryVariables\.details\.prompt: 2 segments \(GSM-7/,
      ),
    ]);
  });
});

describe('smsctl argument parsing', () => {
  it('accepts global flags anywhere', () => {
    expect(splitArgs(['workflow', '--json', 'lint', '--file', 'f.json', '--stack', 'S'])).toEqual({
      flags: { json: true, local: false, help: false, stack: 'S' },
      command: 'workflow',
      action: 'lint',
      commandArgs: ['--file', 'f.json'],
    });
  });
});

describe('smsctl workflow simulate: the conversation function’s own turn', () => {
  it('runs keywords with opt-out state: YES answers a question, STOP silences, YES re-subscribes', async () => {
    const turns = await simulate(APPOINTMENT, [
      'book',
      'Dec 10',
      '3pm',
      'YES',
      'STOP',
      'book',
      'YES',
      'HELP',
    ]);
    expect(turns[3]).toMatchObject({
      status: 'completed',
      replies: [expect.stringMatching(/^You're booked/)],
    });
    expect(turns[4]).toMatchObject({ replies: [], note: 'optOut' });
    // Opted out: the turn runs, but the sender sends nothing to the customer.
    expect(turns[5]?.replies).toEqual([]);
    expect(turns[6]).toMatchObject({ replies: [], note: 'optIn' });
    expect(turns[7]).toMatchObject({
      replies: ['Elegi+ Clinic bookings. Text BOOK to make an appointment. Reply STOP to opt out.'],
      note: 'help',
    });
  });

  it('moves the clock with :wait, so a conversation expires after 24 h of silence', async () => {
    const turns = await simulate(ORDER_STATUS, [
      'track my order',
      ':wait 23h',
      '123456',
      ':wait 25h',
      '654321',
    ]);
    expect(turns).toHaveLength(3);
    expect(turns[1]?.replies).toEqual(['Thank you! When did you place this order?']);
    // A new conversation: greeted again, the earlier order number forgotten, the new one taken.
    expect(turns[2]).toMatchObject({
      replies: [
        'Thanks for reaching out! I can help track your order. Thank you! When did you place this order?',
      ],
      variables: { order_number: '654321' },
    });
  });

  it('refuses a :wait it cannot read, with the forms it takes', async () => {
    await expect(simulate(ORDER_STATUS, [':wait soon'])).rejects.toThrow(/30s, 90m, 25h or 2d/);
  });
});
