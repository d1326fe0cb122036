import { describe, expect, it } from 'vitest';
import { METRICS } from '../../lib/metric-catalog';
import { DEMO_TENANT } from '../../local/seed';
import {
  messageRecord,
  repliesTo,
  textDemo,
  transcriptOf,
  useLocalStack,
  waitForReplies,
} from '../support/local-stack';
import { formBody, twilioSignature } from '../support/twilio-signing';
import { sleep, waitFor } from '../support/wait';

/**
 * The spine end to end, over the wire: the simulator texts the platform, the platform answers
 * through the simulator's Messages API, and the simulator's signed status callbacks come back.
 */
const stack = useLocalStack();

describe('local pipeline', () => {
  it('answers "Where is my package?" and tracks the reply to delivered', async () => {
    const customer = '+15551230001';
    const inbound = await textDemo(stack(), customer, 'Where is my package?');
    expect(inbound.status).toBe(200);

    const [reply] = await waitForReplies(stack(), customer, 1);
    expect(reply?.resource.body).toContain('order number');
    expect(reply?.resource.from).toBe(DEMO_TENANT.number);
    expect(reply?.statusCallback).toBe(`${stack().publicBaseUrl}/webhooks/twilio/demo/status`);
    const sid = reply?.sid as string;

    const message = await waitFor('message delivered', async () => {
      const item = await messageRecord(stack(), sid);
      return item?.status === 'delivered' ? item : undefined;
    });
    expect(message).toMatchObject({ tenantId: 'demo', to: customer, from: DEMO_TENANT.number });

    // Every callback is kept as an event, also one that arrives after a later status (standard queue).
    // One entry per status in the message item's `events` map.
    const events = await waitFor('all three status events', async () => {
      const recorded = ((await messageRecord(stack(), sid))?.events ?? {}) as Record<string, unknown>;
      const statuses = ['queued', 'sent', 'delivered'].filter((status) => recorded[status] !== undefined);
      return statuses.length === 3 ? statuses : undefined;
    });
    expect(events).toEqual(['queued', 'sent', 'delivered']);

    const transcript = await transcriptOf(stack(), customer);
    expect(transcript.map((entry) => [entry.direction, entry.body, entry.status])).toEqual([
      ['inbound', 'Where is my package?', undefined],
      ['outbound', expect.stringContaining('order number'), 'delivered'],
    ]);

    await waitFor('delivery metrics', () =>
      stack().metrics.sum(METRICS.messagesDelivered, { TenantId: 'demo' }) >= 1 ? true : undefined,
    );
    expect(stack().metrics.sum(METRICS.messagesSent, { TenantId: 'demo' })).toBeGreaterThanOrEqual(1);
    const latency = stack()
      .metrics.all()
      .find((datum) => datum.name === METRICS.deliveryLatency);
    expect(latency?.unit).toBe('Milliseconds');
    expect(latency?.dimensions).toEqual({ service: 'sms-conversations', TenantId: 'demo' });
  });

  it('holds the whole order-status conversation', async () => {
    const customer = '+15551230002';
    await textDemo(stack(), customer, 'Where is my package?');
    await waitForReplies(stack(), customer, 1);
    await textDemo(stack(), customer, '123456');
    await waitForReplies(stack(), customer, 2);
    await textDemo(stack(), customer, 'December 10th');
    const replies = await waitForReplies(stack(), customer, 3);
    const bodies = replies.map((reply) => reply.resource.body);
    expect(bodies).toContain('Thank you! When did you place this order?');
    // The latest December 10 not after today, shown as people write it (the year when it is not this one).
    expect(bodies).toContainEqual(
      expect.stringMatching(/^Thanks! Checking order 123456 from \w+day, December 10(, \d{4})?\. - Elegi\+$/),
    );
  });

  it('replies once to a webhook Twilio delivers twice (same MessageSid)', async () => {
    const customer = '+15551230003';
    const first = await textDemo(stack(), customer, 'track my order');
    const second = await textDemo(stack(), customer, 'track my order', first.messageSid);
    expect(second.status).toBe(200);
    await waitForReplies(stack(), customer, 1);
    await sleep(1500);
    expect(repliesTo(stack(), customer)).toHaveLength(1);
    const inbound = (await transcriptOf(stack(), customer)).filter((entry) => entry.direction === 'inbound');
    expect(inbound).toHaveLength(1);
  });

  it('rejects a forged signature with 403 and an unknown tenant with 404', async () => {
    const params = {
      MessageSid: `SM${'f'.repeat(32)}`,
      AccountSid: DEMO_TENANT.accountSid,
      From: '+15551230004',
      To: DEMO_TENANT.number,
      Body: 'hi',
      NumMedia: '0',
    };
    const url = `${stack().publicBaseUrl}/webhooks/twilio/demo/inbound`;
    const post = (tenantId: string, signature: string) =>
      fetch(`${stack().apiUrl}/webhooks/twilio/${tenantId}/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: formBody(params),
      });
    expect((await post('demo', twilioSignature('not-the-token', url, params))).status).toBe(403);
    // A well-formed signature for a tenant nobody registered: 404. A malformed one never gets as far.
    expect((await post('nobody', twilioSignature('x', url, params))).status).toBe(404);
    expect((await post('nobody', 'x')).status).toBe(403);
    expect((await post('demo', twilioSignature(DEMO_TENANT.authToken, url, params))).status).toBe(200);
    await waitFor('signature rejection metric', () =>
      stack().metrics.sum(METRICS.signatureRejected, { TenantId: 'demo' }) >= 1 ? true : undefined,
    );
  });
});
