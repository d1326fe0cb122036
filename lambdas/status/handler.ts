import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ENV, queueUrlEnvName } from '../../lib/topology';
import { DynamoMessageStore } from '../adapters/dynamodb/message-store';
import type { StatusQueueMessage } from '../domain/queue-messages';
import { documentClient, sqsClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { logger } from '../shared/observability';
import { parseQueueRecord, receiveCount } from '../shared/queue-record';
import { withRetryDelay } from '../shared/retry-later';
import { applyStatusCallback, type StatusDeps } from './apply';
import { reportStatusEvent } from './report';

const deps: StatusDeps = {
  messages: new DynamoMessageStore(documentClient(), requireEnv(ENV.tableName)),
  onEvent: reportStatusEvent,
};

const processor = new BatchProcessor(EventType.SQS);

const recordHandler = withRetryDelay(sqsClient(), requireEnv(queueUrlEnvName('status')), applyRecord);

async function applyRecord(record: SQSRecord): Promise<void> {
  const queued = parseQueueRecord<StatusQueueMessage>(record, ['tenantId', 'callback', 'receivedAt']);
  // No appended keys: BatchProcessor runs a batch's records concurrently, so a record's keys would
  // land on another record's lines. The lines of report.ts carry tenantId and messageSid themselves.
  await applyStatusCallback(queued, { id: record.messageId, receiveCount: receiveCount(record) }, deps);
}

export const handler = middy<SQSEvent, SQSBatchResponse>((event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context }),
).use(injectLambdaContext(logger, { clearState: true }));
