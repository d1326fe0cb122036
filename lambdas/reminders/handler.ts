import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { METRICS } from '../../lib/metric-catalog';
import { ENV, queueUrlEnvName } from '../../lib/topology';
import { DynamoOptOutStore } from '../adapters/dynamodb/opt-out-store';
import { DynamoReminderStore } from '../adapters/dynamodb/reminder-store';
import { DynamoTenantDirectory } from '../adapters/dynamodb/tenant-directory';
import { SqsMessageQueue } from '../adapters/sqs-message-queue';
import type { ReminderTimerMessage } from '../domain/workflow/reminders';
import { sqsClient } from '../shared/clients';
import { documentClient } from '../shared/document-client';
import { requireEnv } from '../shared/env';
import { invocationDeadline } from '../shared/invocation-deadline';
import { BatchedTenantMetrics, logger, MetricUnit, tracer } from '../shared/observability';
import { MalformedRecordError, parseQueueRecord, receiveCount } from '../shared/queue-record';
import { RetryLaterError, withRetryDelay } from '../shared/retry-later';
import { fireReminder, type ReminderDeps } from './remind';

const sqs = sqsClient();
const dynamo = documentClient();
const tableName = requireEnv(ENV.tableName);
const remindersQueueUrl = requireEnv(queueUrlEnvName('reminders'));
/** Numbers, workflows and the profile (retention, quiet hours), cached per container. */
const tenants = new DynamoTenantDirectory(dynamo, tableName);
const batchMetrics = new BatchedTenantMetrics();

const deps: ReminderDeps = {
  tenants,
  quietHours: tenants,
  conversations: new DynamoReminderStore(dynamo, tableName, tenants),
  optOuts: new DynamoOptOutStore(dynamo, tableName),
  outbound: new SqsMessageQueue(sqs, requireEnv(queueUrlEnvName('outbound'))),
  timers: new SqsMessageQueue(sqs, remindersQueueUrl),
  now: () => new Date(),
};

/** A failed timer (a throttled table or queue) comes back soon rather than after the whole visibility timeout. */
const RETRY_TIMER_SECONDS = 10;

const TIMER_FIELDS: readonly (keyof ReminderTimerMessage)[] = [
  'tenantId',
  'businessNumber',
  'customer',
  'conversationId',
  'silenceKey',
  'index',
  'dueAt',
];

async function timerRecord(record: SQSRecord): Promise<void> {
  let timer: ReminderTimerMessage;
  try {
    timer = parseQueueRecord<ReminderTimerMessage>(record, TIMER_FIELDS);
  } catch (error) {
    // Never readable, and a reminder is a courtesy: dropping it loses no customer's message.
    if (error instanceof MalformedRecordError) {
      logger.error('Dropping an unreadable reminder timer', {
        messageId: record.messageId,
        error: error.message,
      });
      return;
    }
    throw error;
  }
  // Keys on each line, not appended: the batch's records run concurrently.
  const keys = {
    tenantId: timer.tenantId,
    conversationId: timer.conversationId,
    index: timer.index,
    receiveCount: receiveCount(record),
  };
  try {
    const outcome = await fireReminder(timer, deps);
    if (outcome.kind === 'sent') batchMetrics.add(timer.tenantId, METRICS.remindersSent, MetricUnit.Count);
    if (outcome.kind === 'dropped')
      batchMetrics.add(timer.tenantId, METRICS.remindersDropped, MetricUnit.Count);
    logger.info('Reminder timer', { ...keys, ...outcome });
  } catch (error) {
    logger.error('Reminder timer failed', { ...keys, error });
    throw new RetryLaterError(error instanceof Error ? error.message : String(error), RETRY_TIMER_SECONDS);
  }
}

const processor = new BatchProcessor(EventType.SQS);
const recordHandler = withRetryDelay(sqs, remindersQueueUrl, timerRecord);

export const handler = middy<SQSEvent, SQSBatchResponse>(async (event: SQSEvent, context: Context) => {
  try {
    return await processPartialResponse(event, recordHandler, processor, { context });
  } finally {
    batchMetrics.publish();
  }
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(invocationDeadline());
