import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT, seedDemoTenant } from '../../local/seed';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { textDemo, waitForReplies } from '../support/local-stack';
import { formBody, twilioSignature } from '../support/twilio-signing';
import { sleep, waitFor } from '../support/wait';

/**
 * What the functions log, read back at DEBUG: one JSON object a line, no secrets and no customer
 * numbers at any level, no bodies at INFO and above.
 */
const lines: { fn: string; line: string }[] = [];
let stack: LocalStack;

const CUSTOMER = '+15551239876';
const SECRET_BODY = 'my secret order 424242';
// events: the table's changes of the same conversation (the demo tenant has no subscription).
const PIPELINE = ['ingest', 'conversation', 'sender', 'status', 'events'];

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    twilioSimPort: 0,
    callbackDelayMs: 20,
    logLevel: 'DEBUG',
    onLog: (fn, line) => lines.push({ fn, line }),
  });
  await seedDemoTenant(stack);
  await textDemo(stack, CUSTOMER, 'Where is my package?');
  await waitForReplies(stack, CUSTOMER, 1);
  await textDemo(stack, CUSTOMER, SECRET_BODY);
  await waitForReplies(stack, CUSTOMER, 2);
  await textDemo(stack, CUSTOMER, 'STOP');
  const url = `${stack.publicBaseUrl}/webhooks/twilio/demo/inbound`;
  const params = {
    MessageSid: `SM${'c'.repeat(32)}`,
    AccountSid: DEMO_TENANT.accountSid,
    From: CUSTOMER,
    To: DEMO_TENANT.number,
    Body: 'x',
  };
  await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature('forged', url, params),
    },
    body: formBody(params),
  });
  await stack.simulator.settled();
  // The status function logs once the callbacks' queue is polled: under load that can take a while.
  // Not thrown here: the first test says which function never logged.
  await waitFor('a log line from every function of the pipeline', () =>
    PIPELINE.every((fn) => lines.some((entry) => entry.fn === fn)) ? true : undefined,
  ).catch(() => undefined);
  await sleep(1500);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('function logs', () => {
  it('were written by every function of the pipeline', () => {
    expect(new Set(lines.map((entry) => entry.fn))).toEqual(new Set(PIPELINE));
  });

  it('are one JSON object per line', () => {
    for (const { fn, line } of lines) {
      expect(() => JSON.parse(line), `${fn}: ${line.slice(0, 200)}`).not.toThrow();
      expect(typeof JSON.parse(line), fn).toBe('object');
    }
  });

  it('never contain an auth token', () => {
    for (const { fn, line } of lines) expect(line, fn).not.toContain(DEMO_TENANT.authToken);
  });

  it("never contain a customer's full phone number (masked to the last four digits)", () => {
    const digits = CUSTOMER.slice(1);
    for (const { fn, line } of lines) expect(line, fn).not.toContain(digits);
    expect(lines.some(({ line }) => line.includes('*******9876'))).toBe(true);
  });

  it('never contain message bodies at INFO and above', () => {
    const atInfo = lines.filter(({ line }) => ['INFO', 'WARN', 'ERROR'].includes(JSON.parse(line).level));
    expect(atInfo.length).toBeGreaterThan(0);
    for (const { fn, line } of atInfo) expect(line, fn).not.toContain('424242');
  });
});
