import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulateLines } from '../../cli/workflow-simulate';
import { DEFAULT_FAILURE_MESSAGE } from '../../lambdas/conversation/turn';
import { DynamoOptOutStore } from '../../lambdas/adapters/dynamodb/opt-out-store';
import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import type { Workflow } from '../../lambdas/domain/workflow/definition';
import { DEMO_TENANT, loadWorkflowFile } from '../../local/seed';
import { repliesTo, text, useLocalStack, waitForReplies } from '../support/local-stack';
import { useSmsctl } from '../support/smsctl';
import { sleep, waitFor } from '../support/wait';

/**
 * Conversations as customers hold them, through the local pipeline: the simulator's phone texts
 * the demo tenant's numbers, the platform answers through the simulator's Messages API.
 */
const stack = useLocalStack();
const { smsctl } = useSmsctl(stack);

const TENANT = DEMO_TENANT.tenantId;
const NUMBERS = {
  orders: DEMO_TENANT.number,
  appointments: '+15017122661',
  triage: '+15017122662',
  booking: '+15017122663',
  patterns: '+15017122664',
  misconfigured: '+15017122665',
  callback: '+15017122666',
} as const;

let customerSeq = 0;
const nextCustomer = () => `+1555333${String(customerSeq++).padStart(4, '0')}`;

/** The appointment example without `direction`: most SMS workflows ask about the future. */
async function bookingWithoutDirection(): Promise<Workflow> {
  const example = await loadWorkflowFile('examples/workflows/appointment-booking.json');
  return {
    ...example,
    id: 'booking-any',
    routes: example.routes.map((route) => ({
      ...route,
      mandatoryVariables: route.mandatoryVariables.map((variable) => {
        if (variable.type !== 'date') return variable;
        const { direction: _direction, ...rest } = variable;
        return rest;
      }),
    })),
  };
}

const patternWorkflow: Workflow = {
  id: 'coupon',
  routes: [
    {
      id: 'coupon',
      match: { keywords: [] },
      mandatoryVariables: [
        { name: 'code', type: 'pattern', pattern: '^(a+)+$', prompt: 'Your coupon code (letters a)?' },
      ],
      onComplete: { reply: 'Coupon {{code}} noted.' },
    },
  ],
  fallback: { reply: 'Sorry, no.', maxAttempts: 3 },
  failureMessage: 'Sorry, something went wrong on our side.',
  expiresAfterHours: 24,
};

/** Reads phone numbers: the conversation function loads its phone reader for it (prepareReaders). */
const callbackWorkflow: Workflow = {
  id: 'callback',
  defaultCountry: 'GB',
  routes: [
    {
      id: 'callback',
      match: { keywords: [] },
      mandatoryVariables: [{ name: 'phone', type: 'phone', prompt: 'Which number should we call?' }],
      onComplete: { reply: "We'll call {{phone}} today." },
    },
  ],
  fallback: { reply: 'Sorry, no.', maxAttempts: 3 },
  failureMessage: 'Sorry, something went wrong on our side.',
  expiresAfterHours: 24,
};

beforeAll(async () => {
  const admin = new DynamoTenantAdmin(stack().clients.dynamo, stack().tableName);
  const workflows: Record<Exclude<keyof typeof NUMBERS, 'orders' | 'misconfigured'>, Workflow> = {
    appointments: await loadWorkflowFile('examples/workflows/appointment-booking.json'),
    triage: await loadWorkflowFile('examples/workflows/support-triage.json'),
    booking: await bookingWithoutDirection(),
    patterns: patternWorkflow,
    callback: callbackWorkflow,
  };
  for (const [key, workflow] of Object.entries(workflows)) {
    await admin.putWorkflow(TENANT, workflow);
    await admin.putNumber({
      tenantId: TENANT,
      number: NUMBERS[key as keyof typeof workflows],
      workflowId: workflow.id,
      allowInboundStart: true,
      segmentsPerSecond: 10,
    });
  }
  await admin.putNumber({
    tenantId: TENANT,
    number: NUMBERS.misconfigured,
    workflowId: 'not-put-yet',
    allowInboundStart: true,
  });
});

/** Texts one message and waits for the reply it must get. */
async function say(customer: string, to: string, body: string): Promise<string> {
  const before = repliesTo(stack(), customer).length;
  await text(stack(), { tenantId: TENANT, from: customer, to, body });
  const replies = await waitForReplies(stack(), customer, before + 1);
  return replies[before]?.resource.body ?? '';
}

describe('keywords as Twilio means them', () => {
  it('takes YES as the answer to "Reply YES or NO" from a customer who never opted out', async () => {
    const customer = nextCustomer();
    await say(customer, NUMBERS.appointments, 'I want to book an appointment');
    await say(customer, NUMBERS.appointments, 'next friday');
    expect(await say(customer, NUMBERS.appointments, '3pm')).toMatch(
      /^Book Friday, [A-Z][a-z]+ \d{1,2}(, \d{4})? at 3:00 PM\? Reply YES or NO\.$/,
    );
    expect(await say(customer, NUMBERS.appointments, 'YES')).toMatch(
      /^You're booked for Friday, [A-Z][a-z]+ \d{1,2}(, \d{4})? at 3:00 PM\. See you then! - Elegi\+$/,
    );
  });

  it('re-subscribes an opted-out customer on YES, silently, and answers them again after', async () => {
    const customer = nextCustomer();
    const optOuts = new DynamoOptOutStore(stack().clients.dynamo, stack().tableName);
    await text(stack(), { tenantId: TENANT, from: customer, to: NUMBERS.orders, body: 'STOP' });
    await waitFor('opt-out', async () => ((await optOuts.isOptedOut(TENANT, customer)) ? true : undefined));
    await text(stack(), { tenantId: TENANT, from: customer, to: NUMBERS.orders, body: 'YES' });
    await waitFor('opt-in', async () => ((await optOuts.isOptedOut(TENANT, customer)) ? undefined : true));
    // Twilio confirms STOP and START itself: the platform stays silent on both.
    await sleep(300);
    expect(repliesTo(stack(), customer)).toEqual([]);
    expect(await say(customer, NUMBERS.orders, 'where is my package')).toContain('order number');
  });
});

describe('one customer, two numbers of one tenant', () => {
  it('holds two conversations side by side, each answered from its own number', async () => {
    const customer = nextCustomer();
    expect(await say(customer, NUMBERS.orders, 'Where is my package?')).toContain('order number');
    expect(await say(customer, NUMBERS.appointments, 'book a visit')).toContain('What day would you like');
    expect(await say(customer, NUMBERS.orders, '123456')).toBe('Thank you! When did you place this order?');
    expect(await say(customer, NUMBERS.appointments, 'tomorrow')).toMatch(/^What time suits you on /);
    const froms = repliesTo(stack(), customer).map((reply) => reply.resource.from);
    expect(froms).toEqual([NUMBERS.orders, NUMBERS.appointments, NUMBERS.orders, NUMBERS.appointments]);

    const shown = await smsctl(
      '--json',
      'conversation',
      'show',
      '--tenant',
      TENANT,
      '--customer',
      customer,
      '--number',
      NUMBERS.appointments,
    );
    const entries = (JSON.parse(shown.stdout) as { entries: { direction: string; body: string }[] }).entries;
    expect(entries.map((entry) => entry.body)).toEqual([
      'book a visit',
      expect.stringContaining('What day would you like'),
      'tomorrow',
      expect.stringMatching(/^What time suits you on /),
    ]);
  });
});

describe('tenant regular expressions', () => {
  // Catastrophic for a backtracking engine, and not runnable in linear time: a backreference, and
  // counted repeats nested so deep that the compiled program alone would be huge.
  it.each([
    ['a backreference', '^(a+)+\\1$', 'backreference'],
    ['nested counted repeats', '((a{1,100}){1,100})', 'RE2'],
  ])('refuses %s at put, naming the field, storing nothing', async (_what, pattern, reason) => {
    const tmp = await mkdtemp(path.join(tmpdir(), 'workflow-'));
    try {
      const file = path.join(tmp, 'refused.json');
      const refused = {
        ...patternWorkflow,
        id: 'refused',
        routes: [
          {
            ...patternWorkflow.routes[0],
            mandatoryVariables: [{ name: 'code', type: 'pattern', pattern, prompt: 'Code?' }],
          },
        ],
      };
      await writeFile(file, JSON.stringify(refused));
      const put = await smsctl('workflow', 'put', '--tenant', TENANT, '--file', file);
      expect(put.code).not.toBe(0);
      expect(put.error).toContain('routes.0.mandatoryVariables.0.pattern');
      expect(put.error).toContain(reason);
      const admin = new DynamoTenantAdmin(stack().clients.dynamo, stack().tableName);
      expect(await admin.getWorkflowItem(TENANT, 'refused')).toBeUndefined();
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('answers an adversarial 1,600-character message on a pattern variable at once', async () => {
    const customer = nextCustomer();
    await say(customer, NUMBERS.patterns, 'hi');
    const timed = async (body: string) => {
      const started = Date.now();
      const reply = await say(customer, NUMBERS.patterns, body);
      return { reply, ms: Date.now() - started };
    };
    // The same re-prompt for a short wrong answer: the pipeline's own time on this machine.
    const usual = await timed('bb');
    // `^(a+)+$` takes a backtracking engine hours on this; RE2 reads it in linear time.
    const adversarial = await timed(`${'a'.repeat(1599)}!`);
    expect(adversarial.reply).toBe(usual.reply);
    expect(adversarial.reply).toContain('Your coupon code');
    // Answered within 1 s, beyond what any answer takes end to end (ingest, two queues, the turn, the sender).
    expect(adversarial.ms - usual.ms).toBeLessThan(1000);
    expect(await say(customer, NUMBERS.patterns, 'aaaa')).toBe('Coupon aaaa noted.');
  });
});

describe('phone numbers', () => {
  it("reads a number in the workflow's country into E.164", async () => {
    const customer = nextCustomer();
    expect(await say(customer, NUMBERS.callback, 'call me back pls')).toBe('Which number should we call?');
    expect(await say(customer, NUMBERS.callback, 'my mobile is 07700 900123')).toBe(
      "We'll call +447700900123 today.",
    );
  });
});

describe('dates people mean', () => {
  it('books "next Tuesday" with a workflow that sets no direction, and shows it as people write it', async () => {
    const customer = nextCustomer();
    await say(customer, NUMBERS.booking, 'book an appointment please');
    expect(await say(customer, NUMBERS.booking, 'next Tuesday')).toMatch(
      /^What time suits you on Tuesday, [A-Z][a-z]+ \d{1,2}(, \d{4})?\?$/,
    );
  });
});

/** Each example workflow, as a customer holds it. */
const SCRIPTS: readonly { number: string; file: string; messages: string[] }[] = [
  {
    number: NUMBERS.orders,
    file: 'examples/workflows/order-status.json',
    messages: ['hey where is my package??', 'its 123456', 'dec 1st'],
  },
  {
    number: NUMBERS.appointments,
    file: 'examples/workflows/appointment-booking.json',
    messages: [
      'can i book a checkup',
      'next wed',
      '9 in the morning',
      'no',
      'friday next week',
      '2:30pm',
      'yes 👍',
    ],
  },
  {
    number: NUMBERS.triage,
    file: 'examples/workflows/support-triage.json',
    messages: ['hi', 'billing', 'sam@example.com', 'i was charged twice this month'],
  },
];

describe('a turn that can never succeed', () => {
  it('answers with the failure message at once and keeps the message in the inbound DLQ for a redrive', async () => {
    const customer = nextCustomer();
    const started = Date.now();
    expect(await say(customer, NUMBERS.misconfigured, 'hello?')).toBe(DEFAULT_FAILURE_MESSAGE);
    // Not after the inbound queue's 5 receives of 3 minutes each: the first attempt dead-letters it.
    expect(Date.now() - started).toBeLessThan(10_000);
    const listed = await waitFor('the message in the inbound DLQ', async () => {
      const result = await smsctl('--json', 'dlq', 'list');
      const dlqs = (JSON.parse(result.stdout) as { dlqs: { queue: string; visible: number }[] }).dlqs;
      return dlqs.find((dlq) => dlq.queue === 'inbound' && dlq.visible >= 1);
    });
    expect(listed.visible).toBe(1);
  });
});

describe('the example workflows', () => {
  it.each(SCRIPTS)('$file completes through the pipeline with the replies simulate gives', async (script) => {
    const customer = nextCustomer();
    const viaPipeline: string[] = [];
    for (const message of script.messages) viaPipeline.push(await say(customer, script.number, message));

    const lines: string[] = [];
    await simulateLines(
      await loadWorkflowFile(script.file),
      Readable.from([`${script.messages.join('\n')}\n`]),
      (line) => lines.push(line),
      { from: customer, to: script.number },
    );
    const simulated = lines.map((line) => JSON.parse(line) as { replies: string[]; status: string });
    expect(simulated.flatMap((turn) => turn.replies)).toEqual(viaPipeline);
    expect(simulated.at(-1)?.status).toBe('completed');
  });
});
