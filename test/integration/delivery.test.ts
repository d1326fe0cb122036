import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { keys } from '../../lambdas/adapters/dynamodb/keys';
import { DELIVERY_METRICS, DIMENSIONS, METRICS } from '../../lib/metric-catalog';
import { seedTenant } from '../../local/seed';
import {
  messageRecord,
  repliesTo,
  text,
  textDemo,
  transcriptOf,
  useLocalStack,
  waitForOutboundStatus,
  waitForReplies,
} from '../support/local-stack';
import { sleep, waitFor } from '../support/wait';

/** Delivery through the local stack: Twilio's failures, retries, callbacks out of order, opt-outs. */
const stack = useLocalStack();

function apiCallsTo(customer: string) {
  return stack()
    .simulator.apiRequests()
    .filter((request) => request.method === 'POST' && request.params.To === customer);
}

async function isOptedOut(customer: string): Promise<boolean> {
  const result = await stack().clients.dynamo.send(
    new GetCommand({ TableName: stack().tableName, Key: keys.optOut('demo', customer) }),
  );
  return result.Item !== undefined;
}

const metric = (name: string) => stack().metrics.sum(name, { TenantId: 'demo' });

describe('delivery', () => {
  it('a send to +15005550004 ends failed with 21610 and records an opt-out', async () => {
    const failedBefore = metric(METRICS.messagesFailed);
    await textDemo(stack(), '+15005550004', 'Where is my package?');
    const entry = await waitForOutboundStatus(stack(), '+15005550004', 0, ['failed']);
    expect(entry.errorCode).toBe(21610);
    expect(await isOptedOut('+15005550004')).toBe(true);
    await waitFor('failed metric', () =>
      metric(METRICS.messagesFailed) === failedBefore + 1 ? true : undefined,
    );
  });

  it('a send to +15005550001 ends failed with 21211 and is not retried', async () => {
    await textDemo(stack(), '+15005550001', 'track my order');
    const entry = await waitForOutboundStatus(stack(), '+15005550001', 0, ['failed']);
    expect(entry.errorCode).toBe(21211);
    await sleep(2500);
    expect(apiCallsTo('+15005550001')).toHaveLength(1);
  });

  it('retries injected 429s with backoff and delivers exactly once', async () => {
    const customer = '+15551240001';
    const failuresBefore = metric(METRICS.twilioApiFailures);
    stack().simulator.setFaults({ api429: 1 });
    try {
      await textDemo(stack(), customer, 'Where is my package?');
      // Answered 429, not merely received: the simulator records a request before it decides the answer,
      // so resetting the faults while a second request is in flight would let it through.
      const throttled = () => apiCallsTo(customer).filter((request) => request.responseStatus === 429).length;
      await waitFor('two throttled attempts', () => (throttled() >= 2 ? true : undefined), {
        timeoutMs: 30_000,
      });
    } finally {
      stack().simulator.resetFaults();
    }
    const [reply] = await waitForReplies(stack(), customer, 1);
    await waitForOutboundStatus(stack(), customer, 0, ['delivered']);
    expect(repliesTo(stack(), customer)).toHaveLength(1);
    expect(
      apiCallsTo(customer).filter((request) => request.responseStatus === 429).length,
    ).toBeGreaterThanOrEqual(2);
    expect(apiCallsTo(customer).filter((request) => request.responseStatus === 201)).toHaveLength(1);
    expect(metric(METRICS.twilioApiFailures)).toBeGreaterThanOrEqual(failuresBefore + 2);
    expect((await messageRecord(stack(), reply?.sid as string))?.status).toBe('delivered');
  }, 60_000);

  it('callbacks delivered twice and out of order leave delivered and count it once', async () => {
    // A tenant of its own, so no other test's metrics can land in this one's count.
    const tenant = {
      tenantId: 'reorder',
      name: 'Reorder',
      accountSid: `AC${'7'.repeat(32)}`,
      authToken: '7'.repeat(32),
      number: '+15005550006',
      workflowFile: 'examples/workflows/order-status.json',
    };
    await seedTenant(stack(), tenant);
    const customer = '+15551240002';
    stack().simulator.setFaults({ duplicateCallbacks: 1, reorderCallbacks: 1 });
    try {
      await text(stack(), {
        tenantId: tenant.tenantId,
        from: customer,
        to: tenant.number,
        body: 'Where is my package?',
      });
      await waitForReplies(stack(), customer, 1);
      await stack().simulator.settled();
      const [reply] = repliesTo(stack(), customer);
      const attempts = reply?.callbackAttempts ?? [];
      expect(attempts.map((attempt) => attempt.params.MessageStatus)).toEqual([
        'delivered',
        'delivered',
        'sent',
        'sent',
      ]);
      await waitForOutboundStatus(stack(), customer, 0, ['delivered'], tenant.tenantId);
      await waitFor('delivered metric', () =>
        stack().metrics.sum(METRICS.messagesDelivered, { TenantId: tenant.tenantId }) > 0 ? true : undefined,
      );
      await sleep(1000);
      expect((await messageRecord(stack(), reply?.sid as string))?.status).toBe('delivered');
      expect(stack().metrics.sum(METRICS.messagesDelivered, { TenantId: tenant.tenantId })).toBe(1);
      expect(stack().metrics.sum(METRICS.messagesSent, { TenantId: tenant.tenantId })).toBe(1);
    } finally {
      stack().simulator.resetFaults();
    }
  });

  it('counts a delivered message under its sender number, beside its tenant', async () => {
    // A tenant and number of their own, so the counts are this test's alone.
    const tenant = {
      tenantId: 'per-number',
      name: 'Per number',
      accountSid: `AC${'5'.repeat(32)}`,
      authToken: '5'.repeat(32),
      number: '+15017122670',
      workflowFile: 'examples/workflows/order-status.json',
    };
    await seedTenant(stack(), tenant);
    const customer = '+15551240009';
    await text(stack(), {
      tenantId: tenant.tenantId,
      from: customer,
      to: tenant.number,
      body: 'Where is my package?',
    });
    await waitForReplies(stack(), customer, 1);
    await waitForOutboundStatus(stack(), customer, 0, ['delivered'], tenant.tenantId);
    const perNumber = { [DIMENSIONS.tenant]: tenant.tenantId, [DIMENSIONS.senderNumber]: tenant.number };
    const series = (name: string, dimensions: Record<string, string>) =>
      stack().metrics.sumOfSeries(name, dimensions);
    // The sender publishes its records when its invocation ends, which can be after the status
    // function published the delivery (records of a batch wait for their slots side by side).
    await waitFor('the send and the delivery counted per number', () =>
      series(METRICS.messagesDelivered, perNumber) === 1 && series(METRICS.messagesSent, perNumber) === 1
        ? true
        : undefined,
    );
    expect(series(METRICS.messagesSent, perNumber)).toBe(1);
    expect(series(METRICS.messagesDelivered, { [DIMENSIONS.tenant]: tenant.tenantId })).toBe(1);
    expect(series(METRICS.messagesSent, { [DIMENSIONS.tenant]: tenant.tenantId })).toBe(1);
    // The same records: counted once per tenant however many sets they name.
    expect(stack().metrics.sum(METRICS.messagesDelivered, { [DIMENSIONS.tenant]: tenant.tenantId })).toBe(1);

    const dataOfTenant = () =>
      stack()
        .metrics.all()
        .filter((datum) => datum.dimensions[DIMENSIONS.tenant] === tenant.tenantId);
    // The latency is a record of its own (per tenant only), read from the log a moment after the counts.
    await waitFor('the delivery latency', () =>
      dataOfTenant().some((datum) => datum.name === METRICS.deliveryLatency) ? true : undefined,
    );
    const tenantData = dataOfTenant();
    const withNumber = tenantData.filter((datum) => datum.dimensions[DIMENSIONS.senderNumber] !== undefined);
    expect(new Set(withNumber.map((datum) => datum.dimensions[DIMENSIONS.senderNumber]))).toEqual(
      new Set([tenant.number]),
    );
    for (const datum of withNumber) expect(DELIVERY_METRICS).toContain(datum.name);
    // Latency stays per tenant; the customer's number is in no metric.
    expect(tenantData.some((datum) => datum.name === METRICS.deliveryLatency)).toBe(true);
    expect(JSON.stringify(tenantData)).not.toContain(customer.slice(1));
  });

  it("a customer's STOP blocks every later send until START", async () => {
    const customer = '+15551240003';
    await textDemo(stack(), customer, 'Where is my package?');
    await waitForReplies(stack(), customer, 1);
    await textDemo(stack(), customer, 'STOP');
    await waitFor('opt-out recorded', async () => ((await isOptedOut(customer)) ? true : undefined));
    await textDemo(stack(), customer, '123456');
    const blocked = await waitForOutboundStatus(stack(), customer, 1, ['failed']);
    expect(blocked.errorCode).toBe(21610);
    expect(repliesTo(stack(), customer)).toHaveLength(1);
    expect(apiCallsTo(customer)).toHaveLength(1);

    await textDemo(stack(), customer, 'START');
    await waitFor('opt-in recorded', async () => ((await isOptedOut(customer)) ? undefined : true));
    await textDemo(stack(), customer, 'Where is my package?');
    await waitForReplies(stack(), customer, 2);
    const notes = (await transcriptOf(stack(), customer)).map((entry) => entry.note).filter(Boolean);
    expect(notes).toEqual(['optOut', 'optIn']);
  });

  it('paces one sender number at its configured segments per second across concurrent senders', async () => {
    const tenant = {
      tenantId: 'paced',
      name: 'Paced',
      accountSid: `AC${'5'.repeat(32)}`,
      authToken: '5'.repeat(32),
      number: '+15005550006',
      workflowFile: 'examples/workflows/order-status.json',
      segmentsPerSecond: 2,
    };
    await seedTenant(stack(), tenant);
    const customers = Array.from({ length: 6 }, (_, index) => `+1555124100${index}`);
    await Promise.all(
      customers.map((from) =>
        text(stack(), { tenantId: tenant.tenantId, from, to: tenant.number, body: 'Where is my package?' }),
      ),
    );
    for (const customer of customers) await waitForReplies(stack(), customer, 1);
    const sends = customers
      .flatMap((customer) => apiCallsTo(customer))
      .map((request) => Date.parse(request.at))
      .sort((a, b) => a - b);
    expect(sends).toHaveLength(customers.length);
    // Slots are 500 ms apart at 2 segments/s. Each request may reach the simulator a little late
    // (waking up, the HTTP call), which shortens one gap but does not accumulate: hence pairwise.
    const latenessToleranceMs = 250;
    for (let i = 0; i < sends.length; i++) {
      for (let j = i + 1; j < sends.length; j++) {
        expect((sends[j] as number) - (sends[i] as number)).toBeGreaterThanOrEqual(
          (j - i) * 500 - latenessToleranceMs,
        );
      }
    }
    for (const customer of customers) expect(repliesTo(stack(), customer)).toHaveLength(1);
  }, 60_000);
});
