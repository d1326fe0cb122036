import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionId } from '../../lib/topology';
import { randomCrashes } from '../../local/runtime/crash-policy';
import { seedDemoTenant } from '../../local/seed';
import { deadLetterCounts, redriveAll } from '../../local/soak/dead-letters';
import { streamFor } from '../../local/soak/prng';
import { waitForQuiescence } from '../../local/soak/quiescence';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { campaignsOn } from '../support/campaign-counting';
import { repliesTo, textDemo } from '../support/local-stack';
import { waitFor } from '../support/wait';

/**
 * A campaign's counters under the chaos soak's faults: the functions that count (sender, status,
 * conversation) crash at random moments of their invocations and their batches come back after
 * the visibility timeout, while the simulator duplicates and reorders callbacks and incoming
 * webhooks. Each message's sent and outcome, each answer, completion and STOP still count once.
 */
const SEED = 17;
/** As the soak: crash moments over the first 250 ms of an invocation, batches back after 5 s. */
const CRASH_WINDOW_MS = 250;
const VISIBILITY_S = 5;
const COUNTING_FUNCTIONS: readonly FunctionId[] = ['sender', 'status', 'conversation'];

let local: LocalStack | undefined;
const stack = () => {
  if (!local) throw new Error('local stack not started');
  return local;
};
const campaigns = campaignsOn(stack);

beforeAll(async () => {
  local = await startLocalStack({
    port: 0,
    twilioSimPort: 0,
    callbackDelayMs: 20,
    simulatorRandom: streamFor(SEED, 'simulator'),
    visibilityTimeoutSeconds: VISIBILITY_S,
    crashes: (functionId) =>
      COUNTING_FUNCTIONS.includes(functionId)
        ? randomCrashes({
            rate: 0.3,
            maxDelayMs: CRASH_WINDOW_MS,
            random: streamFor(SEED, `crashes:${functionId}`),
          })
        : undefined,
    onLog: () => undefined,
  });
  await seedDemoTenant(local);
});

afterAll(async () => {
  const refusals = local?.leadingKeyRefusals() ?? [];
  await local?.stop();
  expect(refusals, "DynamoDB requests outside a function's item prefixes").toEqual([]);
});

/** Waits for the customer's n-th message from the business, crashed and retried batches included. */
function replies(customer: string, count: number) {
  return waitFor(
    `${count} replies to ${customer}`,
    () => {
      const received = repliesTo(stack(), customer);
      return received.length >= count ? received : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

describe('campaign counters under crashes and duplicates (local)', () => {
  it('counts every message, answer, completion and STOP once', { timeout: 240_000 }, async () => {
    stack().simulator.setFaults({
      duplicateCallbacks: 0.5,
      reorderCallbacks: 0.3,
      duplicateInbound: 0.5,
      undelivered: 0.3,
    });
    const campaignId = await campaigns.running();
    const customers = Array.from({ length: 12 }, (_, index) => `+1555070${String(index).padStart(4, '0')}`);
    for (const customer of customers) await campaigns.startRecipient(campaignId, customer);
    await Promise.all(customers.map((customer) => replies(customer, 1)));

    // Four answer and complete the workflow (the first answer asked again), three send STOP, five stay silent.
    const completing = customers.slice(0, 4);
    const stopping = customers.slice(4, 7);
    await Promise.all([
      ...completing.map(async (customer) => {
        await textDemo(stack(), customer, 'hello?');
        await replies(customer, 2);
        await textDemo(stack(), customer, 'It is 654321');
        await replies(customer, 3);
        await textDemo(stack(), customer, 'yesterday');
        const done = await replies(customer, 4);
        expect(done.at(-1)?.resource.body).toMatch(/^Thanks! Checking order 654321/);
      }),
      ...stopping.map((customer) => textDemo(stack(), customer, 'STOP')),
    ]);

    // As the soak: let the pipeline drain, then take the DLQs' way back once (a record whose every
    // receive crashed), so that each thing happened exactly once before it is counted.
    const quiet = () =>
      waitForQuiescence({
        sqs: stack().clients.sqs,
        queues: Object.values(stack().queues),
        simulator: stack().simulator,
        deadline: Date.now() + 90_000,
      });
    expect(await quiet()).toBe(true);
    const deadLettered = Object.values(await deadLetterCounts(stack())).reduce(
      (total, count) => total + count,
      0,
    );
    if (deadLettered > 0) {
      await redriveAll(stack(), deadLettered);
      expect(await quiet()).toBe(true);
    }

    const counts = await campaigns.settledCounters(
      campaignId,
      'every message, answer, completion and STOP counted',
      (counted) =>
        counted.sent === customers.length &&
        counted.delivered + counted.undelivered === customers.length &&
        counted.replied === completing.length &&
        counted.completed === completing.length &&
        counted.optedOut === stopping.length,
      // A crashed batch comes back after the visibility timeout: hold past two of them.
      { timeoutMs: 30_000, holdMs: 2 * VISIBILITY_S * 1_000 + 1_000 },
    );
    await stack().simulator.settled();
    // Nothing sent twice: the first message each, and the workflow's three replies to those who completed it.
    const received = (customer: string) => repliesTo(stack(), customer);
    for (const customer of customers)
      expect(received(customer), customer).toHaveLength(completing.includes(customer) ? 4 : 1);
    const openings = customers.map((customer) => received(customer)[0]);
    expect(counts).toMatchObject({
      delivered: openings.filter((message) => message?.resource.status === 'delivered').length,
      undelivered: openings.filter((message) => message?.resource.status === 'undelivered').length,
      failed: 0,
      cancelled: 0,
    });
    // The faults really happened.
    const crashed = COUNTING_FUNCTIONS.map((id) => stack().functions[id].stats().injectedCrashes);
    expect(crashed.reduce((total, count) => total + count, 0)).toBeGreaterThan(0);
  });
});
