import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { ChangeMessageVisibilityBatchCommand } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dlqUrlEnvName, ENV, functions, queues, queueUrlEnvName } from '../../lib/topology';
import { DynamoWebhookDeliveries } from '../adapters/dynamodb/webhook-deliveries';
import { DynamoWebhookDestinations } from '../adapters/dynamodb/webhook-destinations';
import { PinnedWebhookTransport } from '../adapters/pinned-webhook-transport';
import { SecretsManagerWebhookKeys } from '../adapters/secrets-manager-webhook-keys';
import { outboundUrlPolicyFromEnv } from '../shared/outbound-url-policy-env';
import type { WebhookQueueMessage } from '../domain/queue-messages';
import type { EventDeliveryJob } from '../domain/events/subscription';
import { secretsManagerClient, sqsClient } from '../shared/clients';
import { documentClient } from '../shared/document-client';
import { DeadLetterError, withDeadLetter } from '../shared/dead-letter';
import { processFifoGroupsConcurrently } from '../shared/fifo-batch';
import { requireEnv } from '../shared/env';
import { invocationDeadline } from '../shared/invocation-deadline';
import { METRICS } from '../../lib/metric-catalog';
import { emitTenantMetric, logger, MetricUnit, tracer } from '../shared/observability';
import { MalformedRecordError, parseQueueRecord, receiveCount } from '../shared/queue-record';
import { withRetryDelay } from '../shared/retry-later';
import { CREDENTIALS_TTL_MS } from '../shared/tenant-credentials';
import { deliverWebhook, type NotifierDeps, type NotifierJob } from './deliver';

const sqs = sqsClient();
const dynamo = documentClient();
const deps: NotifierDeps = {
  deliveries: new DynamoWebhookDeliveries(dynamo, requireEnv(ENV.tableName)),
  destinations: new DynamoWebhookDestinations(dynamo, requireEnv(ENV.tableName)),
  signingKeys: new SecretsManagerWebhookKeys(
    secretsManagerClient(),
    requireEnv(ENV.tenantSecretPrefix),
    CREDENTIALS_TTL_MS,
  ),
  transport: new PinnedWebhookTransport('sms-conversations-webhooks/1'),
  urlPolicy: outboundUrlPolicyFromEnv(),
  leaseSeconds: functions.notifier.timeoutSeconds,
  maxAttempts: queues.webhooks.maxReceiveCount,
  now: () => new Date(),
  random: Math.random,
  // Records are handled in parallel, so every line names its webhook (no appendKeys).
  onEvent: (event) => {
    const { type, ...fields } = event;
    switch (event.type) {
      case 'delivered':
        logger.info('Webhook delivered', fields);
        emitTenantMetric(event.tenantId, METRICS.webhooksDelivered, MetricUnit.Count);
        emitTenantMetric(event.tenantId, METRICS.webhookLatency, MetricUnit.Milliseconds, event.latencyMs);
        return;
      case 'attemptFailed':
        logger.warn('Webhook attempt failed, will retry', fields);
        emitTenantMetric(event.tenantId, METRICS.webhookAttemptsFailed, MetricUnit.Count);
        return;
      case 'deadLettered':
        logger.error('Webhook moved to the DLQ', fields);
        emitTenantMetric(event.tenantId, METRICS.webhooksFailed, MetricUnit.Count);
        return;
      default:
        logger.info(`Webhook ${type}`, fields);
    }
  },
};

const webhooksQueueUrl = requireEnv(queueUrlEnvName('webhooks'));
const recordHandler = withRetryDelay(
  sqs,
  webhooksQueueUrl,
  withDeadLetter(sqs, requireEnv(dlqUrlEnvName('webhooks')), deliverRecord),
);

async function deliverRecord(record: SQSRecord): Promise<void> {
  let job: NotifierJob;
  try {
    job = isEventRecord(record)
      ? parseQueueRecord<EventDeliveryJob>(record, [
          'webhookId',
          'tenantId',
          'subscriptionId',
          'url',
          'event',
        ])
      : parseQueueRecord<WebhookQueueMessage>(record, [
          'webhookId',
          'tenantId',
          'conversationId',
          'customer',
          'variables',
          'completedAt',
          'url',
        ]);
  } catch (error) {
    // Never readable, however often it is received.
    if (error instanceof MalformedRecordError) throw new DeadLetterError(error.message);
    throw error;
  }
  // Ids only, never the URL (it may carry a token of the tenant's) or the variables (personal data).
  logger.info('Delivering webhook', {
    tenantId: job.tenantId,
    webhookId: job.webhookId,
    ...('event' in job
      ? { subscriptionId: job.subscriptionId, eventType: job.event.type }
      : { conversationId: job.conversationId }),
    receiveCount: receiveCount(record),
  });
  await deliverWebhook(job, receiveCount(record), deps);
}

/** A lifecycle event's delivery (`kind: "event"`); anything else is read as a completion webhook. */
function isEventRecord(record: SQSRecord): boolean {
  try {
    return (JSON.parse(record.body) as { kind?: unknown }).kind === 'event';
  } catch {
    return false;
  }
}

/**
 * Records skipped behind a failed one of their lane were never attempted: they are made visible
 * again at once rather than after the visibility timeout. SQS still returns none of them before
 * the failed record (the lane's group stays locked while it waits out its retry delay), so the
 * lane resumes in order when its head's retry comes, not minutes later.
 */
async function releaseSkipped(
  records: readonly SQSRecord[],
  response: SQSBatchResponse,
  attempted: ReadonlySet<string>,
): Promise<void> {
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  const skipped = records.filter(
    (record) => failed.has(record.messageId) && !attempted.has(record.messageId),
  );
  for (let start = 0; start < skipped.length; start += 10) {
    await sqs
      .send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: webhooksQueueUrl,
          Entries: skipped.slice(start, start + 10).map((record, index) => ({
            Id: String(index),
            ReceiptHandle: record.receiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      )
      // Only a speed-up: without it the records come back after the visibility timeout.
      .catch((error: unknown) => logger.warn('Could not release skipped records', { error: String(error) }));
  }
}

/**
 * `webhooks.fifo`: each destination lane (message group) in order, the lanes side by side, so a
 * POST waiting on one tenant's endpoint never holds another's delivery of the same batch.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>(async (event: SQSEvent, _context: Context) => {
  const attempted = new Set<string>();
  const response = await processFifoGroupsConcurrently(event.Records, recordHandler, (record, error) => {
    attempted.add(record.messageId);
    // Expected outcomes (retry later, DLQ) are logged by deliverWebhook; this is the batch's view.
    logger.debug('Webhook record not done', { messageId: record.messageId, error: (error as Error).name });
  });
  await releaseSkipped(event.Records, response, attempted);
  return response;
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(invocationDeadline());
