import { afterEach, describe, expect, it } from 'vitest';
import { SqsMessageQueue } from '../../lambdas/adapters/sqs-message-queue';
import type { OutboundQueueMessage } from '../../lambdas/domain/queue-messages';
import { CAMPAIGN_CANCELLED } from '../../lambdas/sender/send';
import { DIMENSIONS, METRICS } from '../../lib/metric-catalog';
import { campaignsOn, HeldQueue } from '../support/campaign-counting';
import {
  messageRecord,
  repliesTo,
  textDemo,
  transcriptOf,
  useLocalStack,
  waitForOutboundStatus,
  waitForReplies,
} from '../support/local-stack';
import { sleep, waitFor } from '../support/wait';

/**
 * A campaign's counters through the local stack: starts made by startOutbound with a campaignId
 * (as the campaign dispatcher makes them), the sender, the Twilio simulator and its status
 * callbacks, the status function and the conversation function, with the faults the simulator
 * injects. Each message, answer, completion and STOP counts once.
 */
const stack = useLocalStack();
const campaigns = campaignsOn(stack);
const TENANT = campaigns.tenantId;
/** The sender's campaign state cache (lambdas/sender/handler.ts), and a little more. */
const SENDER_CACHE_MS = 5_000 + 500;

let customerSequence = 0;
const nextCustomer = () => `+1555060${String(++customerSequence).padStart(4, '0')}`;

afterEach(() => stack().simulator.resetFaults());

describe('campaign counters (local)', () => {
  it("counts each message's sent and outcome once, as the simulator ended them, with every callback posted twice", async () => {
    const campaignId = await campaigns.running();
    stack().simulator.setFaults({ undelivered: 0.5, duplicateCallbacks: 1 });
    const customers = Array.from({ length: 8 }, nextCustomer);
    await Promise.all(customers.map((customer) => campaigns.startRecipient(campaignId, customer)));
    // A retried dispatcher tick starts the same recipient again: the same start, nothing sent twice.
    await campaigns.startRecipient(campaignId, customers[0] ?? '');

    const counts = await campaigns.settledCounters(
      campaignId,
      'every message counted sent and an outcome',
      (counted) => counted.sent === 8 && counted.delivered + counted.undelivered === 8,
    );
    await stack().simulator.settled();
    const simulated = stack()
      .simulator.messages()
      .filter((message) => customers.includes(message.resource.to));
    expect(simulated).toHaveLength(8);
    const ended = (status: string) =>
      simulated.filter((message) => message.resource.status === status).length;
    expect(counts).toMatchObject({
      sent: 8,
      delivered: ended('delivered'),
      undelivered: ended('undelivered'),
      failed: 0,
      cancelled: 0,
    });
    // Every callback was posted twice.
    for (const message of simulated)
      expect(message.callbackAttempts.length).toBeGreaterThanOrEqual(2 * (message.statusHistory.length - 1));

    // The message items carry their campaign; the delivery metrics are also counted per campaign.
    expect(await messageRecord(stack(), simulated[0]?.sid ?? '')).toMatchObject({ campaignId });
    const perCampaign = { [DIMENSIONS.tenant]: TENANT, [DIMENSIONS.campaign]: campaignId };
    await waitFor('the campaign metrics', () =>
      stack().metrics.sumOfSeries(METRICS.messagesDelivered, perCampaign) === ended('delivered')
        ? true
        : undefined,
    );
    expect(stack().metrics.sumOfSeries(METRICS.messagesSent, perCampaign)).toBe(8);
    expect(stack().metrics.sumOfSeries(METRICS.messagesUndelivered, perCampaign)).toBe(ended('undelivered'));
  });

  it('counts an answer once though the customer texts twice, the completion once and a STOP once', async () => {
    const campaignId = await campaigns.running();
    const customer = nextCustomer();
    await campaigns.startRecipient(campaignId, customer);
    await waitForOutboundStatus(stack(), customer, 0, ['delivered'], TENANT);

    // Twilio retries an incoming webhook too.
    stack().simulator.setFaults({ duplicateInbound: 1 });
    await textDemo(stack(), customer, 'hello?');
    await waitForReplies(stack(), customer, 2);
    await textDemo(stack(), customer, 'are you there');
    await waitForReplies(stack(), customer, 3);
    expect(
      await campaigns.settledCounters(campaignId, 'the answer counted', (counted) => counted.replied === 1),
    ).toMatchObject({ replied: 1, completed: 0 });

    await textDemo(stack(), customer, 'It is 654321');
    await waitForReplies(stack(), customer, 4);
    await textDemo(stack(), customer, 'yesterday');
    const replies = await waitForReplies(stack(), customer, 5);
    expect(replies.at(-1)?.resource.body).toMatch(/^Thanks! Checking order 654321/);
    await textDemo(stack(), customer, 'STOP');
    await textDemo(stack(), customer, 'STOP');
    const counts = await campaigns.settledCounters(
      campaignId,
      'the completion and the STOP counted',
      (counted) => counted.completed === 1 && counted.optedOut === 1,
    );
    expect(counts).toMatchObject({ replied: 1, completed: 1, optedOut: 1 });
    // The campaign counts its own first message, not the conversation's replies.
    expect(counts.sent).toBe(1);
  });

  it("refuses a cancelled campaign's queued sends: failed 'campaign cancelled', never at the simulator, counted cancelled", async () => {
    const campaignId = await campaigns.running();
    const first = nextCustomer();
    await campaigns.startRecipient(campaignId, first);
    // Sent while the campaign ran: the sender now holds its state as running for a few seconds.
    await waitForOutboundStatus(stack(), first, 0, ['delivered'], TENANT);

    const held = new HeldQueue<OutboundQueueMessage>();
    const later = [nextCustomer(), nextCustomer(), nextCustomer()];
    for (const customer of later) await campaigns.startRecipient(campaignId, customer, held);
    expect(held.held).toHaveLength(3);
    expect(held.held.every((message) => message.body.campaignId === campaignId)).toBe(true);
    await campaigns.cancel(campaignId);
    await sleep(SENDER_CACHE_MS);
    await held.release(new SqsMessageQueue(stack().clients.sqs, stack().queues.outbound.url));

    for (const customer of later) {
      const entry = await waitForOutboundStatus(stack(), customer, 0, ['failed'], TENANT);
      expect(entry).toMatchObject({ sendState: 'failed', reason: CAMPAIGN_CANCELLED });
    }
    expect(
      await campaigns.settledCounters(
        campaignId,
        'the cancelled sends counted',
        (counted) => counted.cancelled === 3,
      ),
    ).toMatchObject({ sent: 1, delivered: 1, failed: 0, cancelled: 3 });
    for (const customer of later) expect(repliesTo(stack(), customer)).toEqual([]);
    const transcript = await transcriptOf(stack(), first, TENANT);
    expect(transcript.filter((entry) => entry.direction === 'outbound')).toHaveLength(1);
  });
});
