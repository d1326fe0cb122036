import { describe, expect, it, vi } from 'vitest';
import type { AttemptResult } from '../../../lambdas/domain/completion-webhook/outcome';
import { webhookBody } from '../../../lambdas/domain/completion-webhook/payload';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { receiverSecretOf } from '../../../lambdas/domain/events/standard-webhooks';
import { DEPLOYED_URL_POLICY, LOCAL_URL_POLICY } from '../../../lambdas/domain/outbound-url-policy';
import type { WebhookQueueMessage } from '../../../lambdas/domain/queue-messages';
import { deliverWebhook, type NotifierDeps, type NotifierEvent } from '../../../lambdas/notifier/deliver';
import type { WebhookClaim, WebhookDeliveries, WebhookKey } from '../../../lambdas/ports/webhook-deliveries';
import type { WebhookRequest } from '../../../lambdas/ports/webhook-transport';
import type {
  DestinationKey,
  DestinationState,
  WebhookDestinations,
} from '../../../lambdas/ports/webhook-destinations';
import { lifecycleEvent } from '../../../lambdas/domain/events/envelope';
import type { EventDeliveryJob } from '../../../lambdas/domain/events/subscription';
import { destinationOf } from '../../../lambdas/notifier/deliver';
import { DeadLetterError } from '../../../lambdas/shared/dead-letter';
import { RetryLaterError } from '../../../lambdas/shared/retry-later';

const KEY = 'whsec_unit_0123456789abcdef0123456789';
const NOW = new Date('2026-12-11T09:30:00.000Z');

const job: WebhookQueueMessage = {
  v: 1,
  webhookId: 'wh_0123456789abcdef0123456789abcdef',
  tenantId: 'demo',
  conversationId: 'SMconv',
  workflowId: 'order-status',
  routeId: 'track-order',
  customer: '+15551234567',
  variables: { order_number: '123456' },
  completedAt: '2026-12-11T09:29:00.000Z',
  url: 'https://example.com/hook',
};

/** The delivery records' state machine, in memory (same rules as the DynamoDB adapter). */
class MemoryDeliveries implements WebhookDeliveries {
  state: 'new' | 'inFlight' | 'delivered' | 'retrying' | 'rejected' = 'new';
  leaseUntil = 0;
  attempts = 0;
  lastError?: string;
  async claim(_key: WebhookKey, at: Date, leaseSeconds: number): Promise<WebhookClaim> {
    if (this.state === 'delivered') return { outcome: 'delivered' };
    if (this.state === 'inFlight' && this.leaseUntil > at.getTime()) {
      return { outcome: 'leased', retryInSeconds: Math.ceil((this.leaseUntil - at.getTime()) / 1000) };
    }
    this.state = 'inFlight';
    this.leaseUntil = at.getTime() + leaseSeconds * 1000;
    return { outcome: 'claimed', attempt: ++this.attempts };
  }
  async recordDelivered(): Promise<void> {
    this.state = 'delivered';
  }
  async recordFailedAttempt(_key: WebhookKey, _at: Date, reason: string, final: boolean): Promise<void> {
    if (this.state === 'delivered') return;
    this.state = final ? 'rejected' : 'retrying';
    this.lastError = reason;
  }
}

/** Destinations' cool-downs, in memory (same rules as the DynamoDB adapter). */
class MemoryDestinations implements WebhookDestinations {
  readonly until = new Map<string, number>();
  async state(key: DestinationKey): Promise<DestinationState> {
    const until = this.until.get(key.destinationId);
    return { coolingDownUntil: until ?? 0, marked: until !== undefined };
  }
  async markFailing(key: DestinationKey, _at: Date, untilMs: number): Promise<void> {
    this.until.set(key.destinationId, untilMs);
  }
  async takeProbe(key: DestinationKey, readUntil: number, untilMs: number): Promise<boolean> {
    if (this.until.get(key.destinationId) !== readUntil) return false;
    this.until.set(key.destinationId, untilMs);
    return true;
  }
  async clear(key: DestinationKey): Promise<void> {
    this.until.delete(key.destinationId);
  }
}

function setup(
  answers: AttemptResult[],
  signingKey: { key: string } | { problem: string } = { key: KEY },
  destinations = new MemoryDestinations(),
) {
  const requests: WebhookRequest[] = [];
  const events: NotifierEvent[] = [];
  const deliveries = new MemoryDeliveries();
  const deps: NotifierDeps = {
    deliveries,
    destinations,
    signingKeys: { get: async () => signingKey },
    transport: {
      post: async (request) => {
        requests.push(request);
        return answers.shift() ?? { kind: 'response', status: 200 };
      },
    },
    urlPolicy: DEPLOYED_URL_POLICY,
    leaseSeconds: 30,
    maxAttempts: 10,
    now: () => NOW,
    random: () => 0.5,
    onEvent: (event) => events.push(event),
  };
  return { deps, requests, events, deliveries, destinations };
}

describe('deliverWebhook', () => {
  it('POSTs the signed body once and records it delivered', async () => {
    const { deps, requests, events, deliveries } = setup([{ kind: 'response', status: 204 }]);
    await deliverWebhook(job, 1, deps);
    expect(requests).toHaveLength(1);
    const [request] = requests as [WebhookRequest];
    expect(request.url).toBe(job.url);
    expect(request.body).toBe(webhookBody(job));
    expect(request.timeoutMs).toBe(5000);
    expect(request.policy).toBe(DEPLOYED_URL_POLICY);
    expect(request.headers).toMatchObject({
      'Content-Type': 'application/json',
      'webhook-id': job.webhookId,
      'webhook-timestamp': String(NOW.getTime() / 1000),
      'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/),
    });
    // What a receiver does: the standardwebhooks library's own verify, on the receiver's clock.
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    try {
      expect(new Webhook(receiverSecretOf(KEY)).verify(request.body, request.headers)).toEqual(
        JSON.parse(request.body),
      );
      expect(() => new Webhook(receiverSecretOf(`${KEY}x`)).verify(request.body, request.headers)).toThrow(
        WebhookVerificationError,
      );
    } finally {
      vi.useRealTimers();
    }
    expect(deliveries.state).toBe('delivered');
    expect(events.map((event) => event.type)).toEqual(['delivered']);
  });

  it('never POSTs a delivered webhook again (a redelivered SQS message)', async () => {
    const { deps, requests, events } = setup([]);
    await deliverWebhook(job, 1, deps);
    await deliverWebhook(job, 1, deps);
    expect(requests).toHaveLength(1);
    expect(events.map((event) => event.type)).toEqual(['delivered', 'alreadyDelivered']);
  });

  it('waits while a duplicate holds the lease instead of POSTing concurrently', async () => {
    const { deps, requests, deliveries } = setup([]);
    deliveries.state = 'inFlight';
    deliveries.leaseUntil = NOW.getTime() + 12_000;
    const error = await deliverWebhook(job, 1, deps).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as RetryLaterError).delaySeconds).toBe(12);
    expect(requests).toHaveLength(0);
  });

  it('retries 5xx, 429 and timeouts with backoff, then delivers once', async () => {
    const { deps, requests, events, deliveries, destinations } = setup([
      { kind: 'response', status: 500 },
      { kind: 'timeout' },
      { kind: 'response', status: 429, retryAfter: '60' },
    ]);
    const delays: number[] = [];
    for (let receive = 1; receive <= 3; receive++) {
      const error = await deliverWebhook(job, receive, deps).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RetryLaterError);
      delays.push((error as RetryLaterError).delaySeconds);
      // The retry comes when the delay is over, and so is the destination's cool-down (same delay).
      expect(destinations.until.get(destinationOf(job).destinationId)).toBe(
        NOW.getTime() + (delays.at(-1) ?? 0) * 1000,
      );
      destinations.until.set(destinationOf(job).destinationId, NOW.getTime());
    }
    // Full jitter at random 0.5: ceil(0.5 * 5), ceil(0.5 * 10); Retry-After 60 wins over ceil(0.5 * 20).
    expect(delays).toEqual([3, 5, 60]);
    expect(deliveries.state).toBe('retrying');
    await deliverWebhook(job, 4, deps);
    expect(requests).toHaveLength(4);
    expect(new Set(requests.map((request) => request.body)).size).toBe(1);
    expect(events.map((event) => event.type)).toEqual([
      'attemptFailed',
      'attemptFailed',
      'attemptFailed',
      'delivered',
    ]);
    expect(deliveries.state).toBe('delivered');
  });

  it('dead-letters a 4xx at once, with the reason, without retrying', async () => {
    const { deps, requests, events, deliveries } = setup([{ kind: 'response', status: 400 }]);
    const error = await deliverWebhook(job, 1, deps).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeadLetterError);
    expect((error as Error).message).toBe('receiver refused: HTTP 400');
    expect(requests).toHaveLength(1);
    expect(deliveries.state).toBe('rejected');
    expect(events).toEqual([
      expect.objectContaining({ type: 'deadLettered', reason: 'receiver refused: HTTP 400' }),
    ]);
  });

  it('dead-letters a retryable failure on the last receive instead of letting SQS drop the reason', async () => {
    const { deps } = setup([{ kind: 'response', status: 503 }]);
    const error = await deliverWebhook(job, 10, deps).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeadLetterError);
    expect((error as Error).message).toBe('gave up after 10 attempts, last: HTTP 503');
  });

  it('a redriven rejected webhook is tried again', async () => {
    const { deps, requests, deliveries } = setup([{ kind: 'response', status: 400 }]);
    await deliverWebhook(job, 1, deps).catch(() => undefined);
    await deliverWebhook(job, 1, deps);
    expect(requests).toHaveLength(2);
    expect(deliveries.state).toBe('delivered');
  });

  it('dead-letters without POSTing when the tenant has no usable signing key', async () => {
    const { deps, requests } = setup([], { problem: 'no signing key: create secret x' });
    const error = await deliverWebhook(job, 1, deps).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeadLetterError);
    expect(requests).toHaveLength(0);
  });

  it('refuses a URL the schema would refuse, before claiming or POSTing', async () => {
    const { deps, requests, deliveries, events } = setup([]);
    const error = await deliverWebhook({ ...job, url: 'http://169.254.169.254/latest' }, 1, deps).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DeadLetterError);
    expect((error as Error).message).toBe('endpoint not allowed');
    expect(events).toEqual([
      expect.objectContaining({ type: 'deadLettered', reason: 'endpoint not allowed' }),
    ]);
    expect(requests).toHaveLength(0);
    expect(deliveries.attempts).toBe(0);
  });

  it('keeps the fix in the reason of a URL refused for its form', async () => {
    const { deps, requests } = setup([]);
    const error = await deliverWebhook({ ...job, url: 'http://example.com/hook' }, 1, deps).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toBe(
      'webhook url must use https:// (http:// only for 127.0.0.1, [::1] or localhost during development)',
    );
    expect(requests).toHaveLength(0);
  });

  it('refuses a loopback URL the schema allows when the stage is deployed, and POSTs it locally', async () => {
    const local = { ...job, url: 'http://127.0.0.1:4000/hook' };
    const deployed = setup([]);
    const error = await deliverWebhook(local, 1, deployed.deps).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('endpoint not allowed');
    expect(deployed.requests).toHaveLength(0);

    const localStack = setup([{ kind: 'response', status: 200 }]);
    await deliverWebhook(local, 1, { ...localStack.deps, urlPolicy: LOCAL_URL_POLICY });
    expect(localStack.requests.map((request) => request.policy)).toEqual([LOCAL_URL_POLICY]);
    expect(localStack.deliveries.state).toBe('delivered');
  });

  it('dead-letters at once, as "endpoint not allowed", when the host resolved to a refused address', async () => {
    const { deps, requests, events, deliveries } = setup([{ kind: 'notAllowed' }]);
    const error = await deliverWebhook(job, 1, deps).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeadLetterError);
    expect((error as Error).message).toBe('endpoint not allowed');
    expect(requests).toHaveLength(1);
    expect(deliveries.state).toBe('rejected');
    expect(deliveries.lastError).toBe('endpoint not allowed');
    expect(events).toEqual([
      {
        tenantId: job.tenantId,
        webhookId: job.webhookId,
        type: 'deadLettered',
        attempt: 1,
        reason: 'endpoint not allowed',
      },
    ]);
  });

  it('a lifecycle event is POSTed as its envelope, signed the same way', async () => {
    const event = lifecycleEvent('message.delivered', NOW.toISOString(), ['SM1'], {
      tenantId: 'demo',
      customer: '+15551230000',
    });
    const eventJob: EventDeliveryJob = {
      v: 1,
      kind: 'event',
      webhookId: 'msg_0123456789abcdef0123456789abcdef',
      tenantId: 'demo',
      subscriptionId: 'sub_0123456789abcdef',
      url: 'https://example.com/events',
      event,
    };
    const { deps, requests } = setup([{ kind: 'response', status: 200 }]);
    await deliverWebhook(eventJob, 1, deps);
    const [request] = requests as [WebhookRequest];
    expect(JSON.parse(request.body)).toEqual({
      id: event.id,
      type: 'message.delivered',
      timestamp: NOW.toISOString(),
      data: { tenantId: 'demo', customer: '+15551230000' },
    });
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    try {
      expect(new Webhook(receiverSecretOf(KEY)).verify(request.body, request.headers)).toMatchObject({
        type: 'message.delivered',
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it('a destination that timed out cools down: its other deliveries wait without connecting', async () => {
    const { deps, requests, events, destinations } = setup([{ kind: 'timeout' }]);
    await expect(deliverWebhook(job, 1, deps)).rejects.toBeInstanceOf(RetryLaterError);
    expect(requests).toHaveLength(1);
    expect(destinations.until.get(destinationOf(job).destinationId)).toBeGreaterThan(NOW.getTime());
    // Another delivery to the same URL (another conversation's completion) does not POST.
    const other = { ...job, webhookId: 'wh_other', customer: '+15551239999' };
    const waited = await deliverWebhook(other, 1, deps).catch((error: unknown) => error);
    expect(waited).toBeInstanceOf(RetryLaterError);
    expect(requests).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'destinationCoolingDown', webhookId: 'wh_other' });
    // Another destination of the same tenant is not held up.
    const elsewhere = { ...job, webhookId: 'wh_elsewhere', url: 'https://example.org/hook' };
    await deliverWebhook(elsewhere, 1, deps);
    expect(requests).toHaveLength(2);
  });

  it('a success after the cool-down clears the destination', async () => {
    const destinations = new MemoryDestinations();
    destinations.until.set(destinationOf(job).destinationId, NOW.getTime() - 1);
    const { deps, requests } = setup([{ kind: 'response', status: 200 }], { key: KEY }, destinations);
    await deliverWebhook(job, 1, deps);
    expect(requests).toHaveLength(1);
    expect(destinations.until.size).toBe(0);
  });
});
