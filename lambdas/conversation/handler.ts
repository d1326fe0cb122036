import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';

import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dlqUrlEnvName, ENV, queues, queueUrlEnvName } from '../../lib/topology';
import { DynamoConversationStore } from '../adapters/dynamodb/conversation-store';
import { DynamoLanguagePreferences } from '../adapters/dynamodb/language-preferences';
import { DynamoOptOutStore } from '../adapters/dynamodb/opt-out-store';
import { DynamoUnderstandingBudget } from '../adapters/dynamodb/understanding-budget';
import type { UnderstandingPort } from '../ports/understanding';
import { reportUnderstanding } from './understanding-report';
import { DynamoTenantDirectory } from '../adapters/dynamodb/tenant-directory';
import { SqsMessageQueue } from '../adapters/sqs-message-queue';
import { type BackoffPolicy, backoffSeconds } from '../domain/backoff';
import { maskPhone } from '../domain/phone';
import type { InboundQueueMessage } from '../domain/queue-messages';
import { sqsClient } from '../shared/clients';
import { documentClient } from '../shared/document-client';
import { DeadLetterError, withDeadLetter } from '../shared/dead-letter';
import { requireEnv } from '../shared/env';
import { invocationDeadline } from '../shared/invocation-deadline';
import { METRICS } from '../../lib/metric-catalog';
import { BatchedTenantMetrics, logger, MetricUnit, tracer } from '../shared/observability';
import { parseQueueRecord, receiveCount } from '../shared/queue-record';
import { RetryLaterError, withRetryDelay } from '../shared/retry-later';
import { apologize, processInbound, type TurnDeps } from './turn';

const tableName = requireEnv(ENV.tableName);

let bedrock: Promise<UnderstandingPort> | undefined;
/** The Bedrock adapter, imported and built once per container, when a turn first asks for it. */
function understandingPort(): Promise<UnderstandingPort> {
  bedrock ??= import('../adapters/bedrock-understanding').then(
    ({ BedrockUnderstanding, bedrockRuntimeClient }) => new BedrockUnderstanding(bedrockRuntimeClient()),
  );
  return bedrock;
}
const dynamo = documentClient();
const sqs = sqsClient();
/** An invocation's funnel metrics, published together when its batch is done (one EMF record per tenant). */
const batchMetrics = new BatchedTenantMetrics();
/** Also the conversation store's source of each tenant's retention (its cached profile). */
const tenants = new DynamoTenantDirectory(dynamo, tableName);
const deps: TurnDeps = {
  tenants,
  conversations: new DynamoConversationStore(dynamo, tableName, tenants),
  outbound: new SqsMessageQueue(sqs, requireEnv(queueUrlEnvName('outbound'))),
  webhooks: new SqsMessageQueue(sqs, requireEnv(queueUrlEnvName('webhooks'))),
  reminders: new SqsMessageQueue(sqs, requireEnv(queueUrlEnvName('reminders'))),
  optOuts: new DynamoOptOutStore(dynamo, tableName),
  languages: new DynamoLanguagePreferences(dynamo, tableName),
  // Only a workflow with `understanding` reaches Bedrock: the adapter and its client load on first use.
  understanding: {
    port: understandingPort,
    budget: new DynamoUnderstandingBudget(dynamo, tableName, (tenantId) =>
      tenants.llmTokensPerMonth(tenantId),
    ),
  },
  onEvent: (event) => {
    if (event.type === 'understanding') reportUnderstanding(batchMetrics, event.tenantId, event);
    else if (event.type === 'optOut') batchMetrics.add(event.tenantId, METRICS.optOuts, MetricUnit.Count);
    else if (event.type === 'late') {
      batchMetrics.add(event.tenantId, METRICS.lateMessages, MetricUnit.Count);
      logger.warn('Late message recorded, not applied', { ...event });
    } else if (event.type === 'started')
      batchMetrics.add(event.tenantId, METRICS.conversationsStarted, MetricUnit.Count);
    else if (event.type === 'completed') {
      batchMetrics.add(event.tenantId, METRICS.conversationsCompleted, MetricUnit.Count);
    } else logger.info('Turn event', { ...event });
  },
};

/** Caps 2, 4, 8, 16 s over the inbound queue's 5 receives: a stuck turn holds its group under 30 s. */
const TURN_RETRY_BACKOFF: BackoffPolicy = { baseSeconds: 2, maxSeconds: 16 };

function transientRetryDelaySeconds(receives: number): number {
  return backoffSeconds(receives, Math.random, TURN_RETRY_BACKOFF);
}

// A failing conversation holds back only its own group; other customers' messages go on.
const processor = new SqsFifoPartialProcessorAsync();

async function turnRecord(record: SQSRecord): Promise<void> {
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
    if (error instanceof DeadLetterError) throw error;
    if (receiveCount(record) >= queues.inbound.maxReceiveCount) {
      logger.error('Turn failed for good; apologizing to the customer', { error: (error as Error).message });
      await apologizeSafely(queued);
    }
    // Transient (a throttled or unreachable store): retried after a short backoff, not after the
    // whole visibility timeout, so the conversation's FIFO group waits seconds, not minutes.
    throw new RetryLaterError(String(error), transientRetryDelaySeconds(receiveCount(record)));
  }
}

async function apologizeSafely(queued: InboundQueueMessage): Promise<void> {
  await apologize(queued, deps).catch((apologyError: unknown) =>
    logger.error('Could not send the failure message', { error: String(apologyError) }),
  );
}

/**
 * A turn that can never succeed (its workflow is missing or unreadable, the engine throws on the
 * message): the customer hears the failure message at once, and the message waits in the DLQ
 * for a redrive after the fix, without holding the conversation's group through every receive.
 */
const recordHandler = withRetryDelay(
  sqs,
  requireEnv(queueUrlEnvName('inbound')),
  withDeadLetter(sqs, requireEnv(dlqUrlEnvName('inbound')), turnRecord, async (record, error) => {
    logger.error('Turn cannot succeed; dead-lettered, apologizing to the customer', { error: error.message });
    await apologizeSafely(
      parseQueueRecord<InboundQueueMessage>(record, ['tenantId', 'message', 'receivedAt']),
    );
  }),
);

export const handler = middy<SQSEvent, SQSBatchResponse>(async (event: SQSEvent, context: Context) => {
  try {
    return await processPartialResponse(event, recordHandler, processor, { context, skipGroupOnError: true });
  } finally {
    batchMetrics.publish();
  }
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(invocationDeadline());
