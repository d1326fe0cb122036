import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ENV, queueUrlEnvName } from '../../lib/topology';
import { DynamoMessageStore } from '../adapters/dynamodb/message-store';
import { isOutboundStatus, statusRank } from '../domain/message-status';
import type { StatusQueueMessage } from '../domain/queue-messages';
import { sqsClient } from '../shared/clients';
import { documentClient } from '../shared/document-client';
import { requireEnv } from '../shared/env';
import { invocationDeadline } from '../shared/invocation-deadline';
import { logger, tracer } from '../shared/observability';
import { processReportedBatch } from '../shared/reported-batch';
import { parseQueueRecord, receiveCount } from '../shared/queue-record';
import { withRetryDelay } from '../shared/retry-later';
import { applyStatusCallback, type StatusDeps } from './apply';
import { reportStatusEvent } from './report';

const messages = new DynamoMessageStore(documentClient(), requireEnv(ENV.tableName));
const processor = new BatchProcessor(EventType.SQS);
const sqs = sqsClient();
const statusQueueUrl = requireEnv(queueUrlEnvName('status'));

async function applyRecord(record: SQSRecord, deps: StatusDeps): Promise<void> {
  const queued = parseQueueRecord<StatusQueueMessage>(record, ['tenantId', 'callback', 'receivedAt']);
  // No appended keys: BatchProcessor runs a batch's records concurrently, so a record's keys would
  // land on another record's lines. The lines of report.ts carry tenantId and messageSid themselves.
  await applyStatusCallback(queued, { id: record.messageId, receiveCount: receiveCount(record) }, deps);
}

/** The message a record is about and its lifecycle rank; a malformed one has no message. */
function lifecycleKey(record: SQSRecord): { sid: string; rank: number } {
  try {
    const { callback } = parseQueueRecord<StatusQueueMessage>(record, ['callback']);
    return {
      sid: callback.messageSid,
      rank: isOutboundStatus(callback.status) ? statusRank(callback.status) : 0,
    };
  } catch {
    return { sid: '', rank: 0 };
  }
}

/**
 * A batching window gathers a message's `sent` and `delivered` callbacks into one batch: applied
 * concurrently, `delivered` could win and `sent` be kept as stale. Each message's callbacks are
 * applied one after another in lifecycle order; different messages' concurrently.
 */
function inLifecycleOrder(records: readonly SQSRecord[]) {
  const keyed = records.map((record) => ({ record, ...lifecycleKey(record) }));
  keyed.sort((a, b) => a.sid.localeCompare(b.sid) || a.rank - b.rank);
  const sidOf = new Map(keyed.map((entry) => [entry.record, entry.sid]));
  const previous = new Map<string, Promise<unknown>>();
  const after = (record: SQSRecord, run: () => Promise<void>): Promise<void> => {
    const sid = sidOf.get(record) ?? '';
    if (!sid) return run();
    const mine = (previous.get(sid) ?? Promise.resolve()).catch(() => undefined).then(run);
    previous.set(sid, mine);
    return mine;
  };
  return { records: keyed.map((entry) => entry.record), after };
}

/**
 * One invocation's metrics are published together, after every record was applied, and only then
 * are the outcomes confirmed: a crash before a confirmation has the redelivery report it again.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>((event: SQSEvent, context: Context) =>
  processReportedBatch((batch) => {
    const apply = withRetryDelay(sqs, statusQueueUrl, (record) =>
      applyRecord(record, {
        messages,
        onEvent: (statusEvent) => reportStatusEvent(statusEvent, batch.metrics),
        afterReport: batch.afterReportOf(record.messageId),
      }),
    );
    const ordered = inLifecycleOrder(event.Records);
    return processPartialResponse(
      { Records: ordered.records },
      (record: SQSRecord) => ordered.after(record, () => apply(record)),
      processor,
      { context },
    );
  }),
)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(invocationDeadline());
