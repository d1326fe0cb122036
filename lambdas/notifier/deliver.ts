import { classifyAttempt } from '../domain/completion-webhook/outcome';
import { webhookBody } from '../domain/completion-webhook/payload';
import { WEBHOOK_TIMEOUT_MS, webhookRetryDelaySeconds } from '../domain/completion-webhook/retry-policy';
import { signWebhook, WEBHOOK_HEADERS } from '../domain/completion-webhook/signature';
import { webhookUrlProblem } from '../domain/completion-webhook/url';
import { ENDPOINT_NOT_ALLOWED, type OutboundUrlPolicy } from '../domain/outbound-url-policy';
import type { WebhookQueueMessage } from '../domain/queue-messages';
import type { WebhookDeliveries } from '../ports/webhook-deliveries';
import type { WebhookSigningKeys } from '../ports/webhook-signing-keys';
import type { WebhookTransport } from '../ports/webhook-transport';
import { DeadLetterError } from '../shared/dead-letter';
import { RetryLaterError } from '../shared/retry-later';

export interface NotifierDeps {
  readonly deliveries: WebhookDeliveries;
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
  | (Ids & { type: 'attemptFailed'; attempt: number; reason: string; retryInSeconds: number })
  | (Ids & { type: 'deadLettered'; attempt: number; reason: string });

/**
 * Delivers one completion webhook at most once successfully: claim it (a delivered one is skipped,
 * one in flight elsewhere waits), sign, POST, record the outcome. Retryable failures come back
 * through SQS with backoff (RetryLaterError); hopeless ones go to the DLQ now (DeadLetterError).
 */
export async function deliverWebhook(
  job: WebhookQueueMessage,
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

  const signingKey = await deps.signingKeys.get(job.tenantId);
  if ('problem' in signingKey) {
    await deps.deliveries.recordFailedAttempt(ids, deps.now(), signingKey.problem, true);
    return deadLetter(attempt, signingKey.problem);
  }

  const body = webhookBody(job);
  const sentAt = deps.now();
  const timestamp = Math.floor(sentAt.getTime() / 1000);
  const result = await deps.transport.post({
    url: job.url,
    body,
    headers: {
      'Content-Type': 'application/json',
      [WEBHOOK_HEADERS.id]: job.webhookId,
      [WEBHOOK_HEADERS.timestamp]: String(timestamp),
      [WEBHOOK_HEADERS.signature]: signWebhook(signingKey.key, timestamp, body),
    },
    timeoutMs: WEBHOOK_TIMEOUT_MS,
    policy: deps.urlPolicy,
  });
  const answeredAt = deps.now();
  const outcome = classifyAttempt(result, answeredAt.getTime());

  switch (outcome.kind) {
    case 'delivered':
      await deps.deliveries.recordDelivered(ids, answeredAt, outcome.status);
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
      if (receiveCount >= deps.maxAttempts) {
        const reason = `gave up after ${receiveCount} attempts, last: ${outcome.reason}`;
        await deps.deliveries.recordFailedAttempt(ids, answeredAt, reason, true);
        return deadLetter(attempt, reason);
      }
      await deps.deliveries.recordFailedAttempt(ids, answeredAt, outcome.reason, false);
      const retryInSeconds = webhookRetryDelaySeconds(receiveCount, deps.random, outcome.notBeforeSeconds);
      deps.onEvent({ ...ids, type: 'attemptFailed', attempt, reason: outcome.reason, retryInSeconds });
      throw new RetryLaterError(`Webhook attempt failed: ${outcome.reason}`, retryInSeconds);
    }
  }
}
