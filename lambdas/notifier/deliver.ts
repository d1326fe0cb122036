import { classifyAttempt } from '../domain/completion-webhook/outcome';
import { webhookBody } from '../domain/completion-webhook/payload';
import { WEBHOOK_TIMEOUT_MS, webhookRetryDelaySeconds } from '../domain/completion-webhook/retry-policy';
import { webhookUrlProblem } from '../domain/completion-webhook/url';
import { eventBody } from '../domain/events/envelope';
import { signingKeyProblem, standardWebhookHeaders } from '../domain/events/standard-webhooks';
import { destinationIdOf } from '../domain/events/lanes';
import type { EventDeliveryJob } from '../domain/events/subscription';
import { ENDPOINT_NOT_ALLOWED, type OutboundUrlPolicy } from '../domain/outbound-url-policy';
import type { WebhookQueueMessage } from '../domain/queue-messages';
import type { WebhookDeliveries } from '../ports/webhook-deliveries';
import type { DestinationKey, WebhookDestinations } from '../ports/webhook-destinations';
import type { WebhookSigningKeys } from '../ports/webhook-signing-keys';
import type { WebhookTransport } from '../ports/webhook-transport';
import { DeadLetterError } from '../shared/dead-letter';
import { RetryLaterError } from '../shared/retry-later';

export interface NotifierDeps {
  readonly deliveries: WebhookDeliveries;
  /** Destinations cooling down after a failure: their deliveries wait without connecting. */
  readonly destinations: WebhookDestinations;
  readonly signingKeys: WebhookSigningKeys;
  readonly transport: WebhookTransport;
  /** This stage's outbound URL policy: loopback only for the local stack (StageConfig.allowLoopbackWebhooks). */
  readonly urlPolicy: OutboundUrlPolicy;
  /** How long a claim keeps duplicates of the same webhook from POSTing (>= the POST timeout). */
  readonly leaseSeconds: number;
  /** The queue's maxReceiveCount: a retryable failure on this receive dead-letters instead. */
  readonly maxAttempts: number;
  readonly now: () => Date;
  readonly random: () => number;
  readonly onEvent: (event: NotifierEvent) => void;
}

type Ids = { readonly tenantId: string; readonly webhookId: string };
export type NotifierEvent =
  | (Ids & { type: 'delivered'; attempt: number; httpStatus: number; latencyMs: number })
  | (Ids & { type: 'alreadyDelivered' })
  | (Ids & { type: 'inFlightElsewhere'; retryInSeconds: number })
  | (Ids & { type: 'destinationCoolingDown'; destinationId: string; retryInSeconds: number })
  | (Ids & { type: 'attemptFailed'; attempt: number; reason: string; retryInSeconds: number })
  | (Ids & { type: 'deadLettered'; attempt: number; reason: string });

/** What the notifier POSTs: a completion webhook (a workflow's onComplete) or a lifecycle event. */
export type NotifierJob = WebhookQueueMessage | EventDeliveryJob;

export function isEventDelivery(job: NotifierJob): job is EventDeliveryJob {
  return (job as { kind?: unknown }).kind === 'event';
}

/** Where the job goes: its subscription, or its completion webhook URL (never the URL itself in a key). */
export function destinationOf(job: NotifierJob): DestinationKey {
  const destination = isEventDelivery(job) ? `subscription:${job.subscriptionId}` : `completion:${job.url}`;
  return { tenantId: job.tenantId, destinationId: destinationIdOf(destination) };
}

/** The exact bytes POSTed and signed; the same job always gives the same body. */
export function bodyOf(job: NotifierJob): string {
  return isEventDelivery(job) ? eventBody(job.event) : webhookBody(job);
}

/**
 * Delivers one webhook (a completion webhook or a lifecycle event) at most once successfully: claim
 * it (a delivered one is skipped, one in flight elsewhere waits), sign it as Standard Webhooks
 * does, POST, record the outcome. Retryable failures come back through SQS with backoff
 * (RetryLaterError); hopeless ones go to the DLQ now (DeadLetterError).
 */
export async function deliverWebhook(
  job: NotifierJob,
  receiveCount: number,
  deps: NotifierDeps,
): Promise<void> {
  const ids: Ids = { tenantId: job.tenantId, webhookId: job.webhookId };
  const deadLetter = (attempt: number, reason: string): never => {
    deps.onEvent({ ...ids, type: 'deadLettered', attempt, reason });
    throw new DeadLetterError(reason);
  };

  // The schema checked the URL for any stage; the job crossed a queue since, and this stage may allow
  // less (no loopback when deployed), so check again before claiming. A refused destination reads
  // the same whatever it is.
  const urlProblem = webhookUrlProblem(job.url, deps.urlPolicy);
  if (urlProblem === ENDPOINT_NOT_ALLOWED) return deadLetter(0, ENDPOINT_NOT_ALLOWED);
  if (urlProblem) return deadLetter(0, `webhook url ${urlProblem}`);

  // A destination that just failed is not tried again by every delivery queued for it: each waits
  // out the cool-down (plus a little jitter, so they do not all probe at once) without connecting.
  const destination = destinationOf(job);
  const health = await deps.destinations.state(destination);
  const checkedAt = deps.now().getTime();
  const coolDown = (untilMs: number): never => {
    const retryInSeconds = Math.max(
      1,
      Math.ceil((untilMs - checkedAt) / 1000) + Math.floor(deps.random() * 3),
    );
    deps.onEvent({
      ...ids,
      type: 'destinationCoolingDown',
      destinationId: destination.destinationId,
      retryInSeconds,
    });
    throw new RetryLaterError('The destination is cooling down after a failed attempt', retryInSeconds);
  };
  if (health.coolingDownUntil > checkedAt) return coolDown(health.coolingDownUntil);
  // Cooled down but not recovered: one delivery probes it (for one attempt's deadline), the rest wait.
  const probeUntil = checkedAt + WEBHOOK_TIMEOUT_MS + 1000;
  if (health.marked && !(await deps.destinations.takeProbe(destination, health.coolingDownUntil, probeUntil)))
    return coolDown(probeUntil);

  const claim = await deps.deliveries.claim(ids, deps.now(), deps.leaseSeconds);
  if (claim.outcome === 'delivered') {
    deps.onEvent({ ...ids, type: 'alreadyDelivered' });
    return;
  }
  if (claim.outcome === 'leased') {
    deps.onEvent({ ...ids, type: 'inFlightElsewhere', retryInSeconds: claim.retryInSeconds });
    throw new RetryLaterError('Another attempt at this webhook is in flight', claim.retryInSeconds);
  }
  const { attempt } = claim;

  const refuseKey = async (problem: string): Promise<never> => {
    await deps.deliveries.recordFailedAttempt(ids, deps.now(), problem, true);
    return deadLetter(attempt, problem);
  };
  const signingKey = await deps.signingKeys.get(job.tenantId);
  if ('problem' in signingKey) return refuseKey(signingKey.problem);
  const unusable = signingKeyProblem(signingKey.key);
  if (unusable) return refuseKey(`the tenant's webhook signing key cannot sign: ${unusable}`);

  const body = bodyOf(job);
  const sentAt = deps.now();
  const result = await deps.transport.post({
    url: job.url,
    body,
    headers: {
      'Content-Type': 'application/json',
      ...standardWebhookHeaders(signingKey.key, job.webhookId, sentAt, body),
    },
    timeoutMs: WEBHOOK_TIMEOUT_MS,
    policy: deps.urlPolicy,
  });
  const answeredAt = deps.now();
  const outcome = classifyAttempt(result, answeredAt.getTime());

  switch (outcome.kind) {
    case 'delivered':
      await deps.deliveries.recordDelivered(ids, answeredAt, outcome.status);
      if (health.marked) await deps.destinations.clear(destination);
      deps.onEvent({
        ...ids,
        type: 'delivered',
        attempt,
        httpStatus: outcome.status,
        latencyMs: answeredAt.getTime() - sentAt.getTime(),
      });
      return;
    case 'reject':
      await deps.deliveries.recordFailedAttempt(ids, answeredAt, outcome.reason, true);
      return deadLetter(attempt, `receiver refused: ${outcome.reason}`);
    case 'notAllowed':
      // Nothing was sent (the host resolved to an address the policy refuses): retrying cannot help.
      await deps.deliveries.recordFailedAttempt(ids, answeredAt, outcome.reason, true);
      return deadLetter(attempt, outcome.reason);
    case 'retry': {
      const coolDownSeconds = webhookRetryDelaySeconds(receiveCount, deps.random, outcome.notBeforeSeconds);
      await deps.destinations.markFailing(
        destination,
        answeredAt,
        answeredAt.getTime() + coolDownSeconds * 1000,
        outcome.reason,
      );
      if (receiveCount >= deps.maxAttempts) {
        const reason = `gave up after ${receiveCount} attempts, last: ${outcome.reason}`;
        await deps.deliveries.recordFailedAttempt(ids, answeredAt, reason, true);
        return deadLetter(attempt, reason);
      }
      await deps.deliveries.recordFailedAttempt(ids, answeredAt, outcome.reason, false);
      const retryInSeconds = coolDownSeconds;
      deps.onEvent({ ...ids, type: 'attemptFailed', attempt, reason: outcome.reason, retryInSeconds });
      throw new RetryLaterError(`Webhook attempt failed: ${outcome.reason}`, retryInSeconds);
    }
  }
}
