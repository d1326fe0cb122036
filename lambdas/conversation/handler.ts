import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';

import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ENV, queues, queueUrlEnvName } from '../../lib/topology';
import { DynamoConversationStore } from '../adapters/dynamodb/conversation-store';
import { DynamoOptOutStore } from '../adapters/dynamodb/opt-out-store';
import { DynamoTenantDirectory } from '../adapters/dynamodb/tenant-directory';
import { SqsMessageQueue } from '../adapters/sqs-message-queue';
import { maskPhone } from '../domain/phone';
import type { InboundQueueMessage } from '../domain/queue-messages';
import { documentClient, sqsClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { METRICS } from '../shared/metric-catalog';
import { BatchedTenantMetrics, logger, MetricUnit } from '../shared/observability';
import { parseQueueRecord, receiveCount } from '../shared/queue-record';
import { apologize, processInbound, type TurnDeps } from './turn';

const tableName = requireEnv(ENV.tableName);
const dynamo = documentClient();
/** An invocation's funnel metrics, published together when its batch is done (one EMF record per tenant). */
const batchMetrics = new BatchedTenantMetrics();
const deps: TurnDeps = {
  tenants: new DynamoTenantDirectory(dynamo, tableName),
  conversations: new DynamoConversationStore(dynamo, tableName),
  outbound: new SqsMessageQueue(sqsClient(), requireEnv(queueUrlEnvName('outbound'))),
  webhooks: new SqsMessageQueue(sqsClient(), requireEnv(queueUrlEnvName('webhooks'))),
  optOuts: new DynamoOptOutStore(dynamo, tableName),
  onEvent: (event) => {
    if (event.type === 'optOut') batchMetrics.add(event.tenantId, METRICS.optOuts, MetricUnit.Count);
    else if (event.type === 'started')
      batchMetrics.add(event.tenantId, METRICS.conversationsStarted, MetricUnit.Count);
    else if (event.type === 'completed') {
      batchMetrics.add(event.tenantId, METRICS.conversationsCompleted, MetricUnit.Count);
    } else logger.info('Turn event', { ...event });
  },
};

// A failing conversation holds back only its own group; other customers' messages go on.
const processor = new SqsFifoPartialProcessorAsync();

async function recordHandler(record: SQSRecord): Promise<void> {
  const queued = parseQueueRecord<InboundQueueMessage>(record, ['tenantId', 'message', 'receivedAt']);
  logger.appendKeys({ tenantId: queued.tenantId, messageSid: queued.message.messageSid });
  // DEBUG: the transcript records every message, and a batch's INFO lines must stay under 1 KB.
  logger.debug('Inbound turn', {
    customer: maskPhone(queued.message.from),
    business: maskPhone(queued.message.to),
  });
  try {
    await processInbound(queued, deps);
  } catch (error) {
    if (receiveCount(record) >= queues.inbound.maxReceiveCount) {
      logger.error('Turn failed for good; apologizing to the customer', { error: (error as Error).message });
      await apologize(queued, deps).catch((apologyError: unknown) =>
        logger.error('Could not send the failure message', { error: String(apologyError) }),
      );
    }
    throw error;
  }
}

export const handler = middy<SQSEvent, SQSBatchResponse>(async (event: SQSEvent, context: Context) => {
  try {
    return await processPartialResponse(event, recordHandler, processor, { context, skipGroupOnError: true });
  } finally {
    batchMetrics.publish();
  }
}).use(injectLambdaContext(logger, { clearState: true }));
