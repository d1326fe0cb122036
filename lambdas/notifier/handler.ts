import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dlqUrlEnvName, ENV, functions, queues, queueUrlEnvName } from '../../lib/topology';
import { DynamoWebhookDeliveries } from '../adapters/dynamodb/webhook-deliveries';
import { PinnedWebhookTransport } from '../adapters/pinned-webhook-transport';
import { SecretsManagerWebhookKeys } from '../adapters/secrets-manager-webhook-keys';
import { outboundUrlPolicyFromEnv } from '../shared/outbound-url-policy-env';
import type { WebhookQueueMessage } from '../domain/queue-messages';
import { secretsManagerClient, sqsClient } from '../shared/clients';
import { documentClient } from '../shared/document-client';
import { DeadLetterError, withDeadLetter } from '../shared/dead-letter';
import { requireEnv } from '../shared/env';
import { invocationDeadline } from '../shared/invocation-deadline';
import { METRICS } from '../../lib/metric-catalog';
import { emitTenantMetric, logger, MetricUnit, tracer } from '../shared/observability';
import { MalformedRecordError, parseQueueRecord, receiveCount } from '../shared/queue-record';
import { withRetryDelay } from '../shared/retry-later';
import { CREDENTIALS_TTL_MS } from '../shared/tenant-credentials';
import { deliverWebhook, type NotifierDeps } from './deliver';

const sqs = sqsClient();
const deps: NotifierDeps = {
  deliveries: new DynamoWebhookDeliveries(documentClient(), requireEnv(ENV.tableName)),
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

const processor = new BatchProcessor(EventType.SQS);

const recordHandler = withRetryDelay(
  sqs,
  requireEnv(queueUrlEnvName('webhooks')),
  withDeadLetter(sqs, requireEnv(dlqUrlEnvName('webhooks')), deliverRecord),
);

async function deliverRecord(record: SQSRecord): Promise<void> {
  let job: WebhookQueueMessage;
  try {
    job = parseQueueRecord<WebhookQueueMessage>(record, [
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
    conversationId: job.conversationId,
    receiveCount: receiveCount(record),
  });
  await deliverWebhook(job, receiveCount(record), deps);
}

export const handler = middy<SQSEvent, SQSBatchResponse>((event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context }),
)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(invocationDeadline());
