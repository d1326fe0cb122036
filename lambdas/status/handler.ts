import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ENV, queueUrlEnvName } from '../../lib/topology';
import { DynamoMessageStore } from '../adapters/dynamodb/message-store';
import type { StatusQueueMessage } from '../domain/queue-messages';
import { documentClient, sqsClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { METRICS } from '../shared/metric-catalog';
import { emitTenantMetric, logger, MetricUnit } from '../shared/observability';
import { parseQueueRecord, receiveCount } from '../shared/queue-record';
import { withRetryDelay } from '../shared/retry-later';
import { applyStatusCallback, type StatusDeps } from './apply';

const OUTCOME_METRIC = {
  delivered: METRICS.messagesDelivered,
  undelivered: METRICS.messagesUndelivered,
  failed: METRICS.messagesFailed,
} as const;

const deps: StatusDeps = {
  messages: new DynamoMessageStore(documentClient(), requireEnv(ENV.tableName)),
  onEvent: (event) => {
    if (event.type === 'outcome') {
      logger.info('Delivery outcome', { outcome: event.outcome, errorCode: event.errorCode });
      emitTenantMetric(event.tenantId, OUTCOME_METRIC[event.outcome], MetricUnit.Count);
      if (event.latencyMs !== undefined) {
        emitTenantMetric(event.tenantId, METRICS.deliveryLatency, MetricUnit.Milliseconds, event.latencyMs);
      }
      return;
    }
    if (event.type === 'unknown')
      emitTenantMetric(event.tenantId, METRICS.unknownMessageStatus, MetricUnit.Count);
    logger.info('Status callback not applied', { ...event });
  },
};

const processor = new BatchProcessor(EventType.SQS);

const recordHandler = withRetryDelay(sqsClient(), requireEnv(queueUrlEnvName('status')), applyRecord);

async function applyRecord(record: SQSRecord): Promise<void> {
  const queued = parseQueueRecord<StatusQueueMessage>(record, ['tenantId', 'callback', 'receivedAt']);
  logger.appendKeys({ tenantId: queued.tenantId, messageSid: queued.callback.messageSid });
  await applyStatusCallback(queued, receiveCount(record), deps);
}

export const handler = middy<SQSEvent, SQSBatchResponse>((event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context }),
).use(injectLambdaContext(logger, { clearState: true }));
