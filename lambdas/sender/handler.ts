import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ENV, queueUrlEnvName } from '../../lib/topology';
import { DynamoMessageStore } from '../adapters/dynamodb/message-store';
import { DynamoOptOutStore } from '../adapters/dynamodb/opt-out-store';
import { DynamoSendPacer } from '../adapters/dynamodb/send-pacer';
import { TwilioRestSmsGateway } from '../adapters/twilio-rest-gateway';
import { maskPhone } from '../domain/phone';
import type { OutboundQueueMessage } from '../domain/queue-messages';
import { sqsClient } from '../shared/clients';
import { documentClient } from '../shared/document-client';
import { requireEnv } from '../shared/env';
import { invocationDeadline, remainingMs } from '../shared/invocation-deadline';
import { tenantCredentialsFromEnv } from '../shared/tenant-credentials';
import { METRICS } from '../../lib/metric-catalog';
import { emitTenantMetric, logger, MetricUnit, tracer } from '../shared/observability';
import { parseQueueRecord, receiveCount } from '../shared/queue-record';
import { withRetryDelay } from '../shared/retry-later';
import { reportStatusEvent } from '../status/report';
import { processSend, type SendDeps } from './send';

const tableName = requireEnv(ENV.tableName);
const dynamo = documentClient();

/** The longest a record waits in process for its number's slot; longer backlogs go back to the queue. */
const MAX_PACING_WAIT_MS = 5_000;
/** Time kept for the Twilio call and the bookkeeping after a paced wait. */
const INVOCATION_RESERVE_MS = 12_000;
const deps: SendDeps = {
  publicBaseUrl: requireEnv(ENV.publicBaseUrl),
  credentials: tenantCredentialsFromEnv(),
  sms: new TwilioRestSmsGateway(requireEnv(ENV.twilioApiBaseUrl)),
  messages: new DynamoMessageStore(dynamo, tableName),
  optOuts: new DynamoOptOutStore(dynamo, tableName),
  pacer: new DynamoSendPacer(dynamo, tableName),
  // The invocation's deadline is set by the invocationDeadline middleware (Infinity outside one).
  pacingWaitBudgetMs: () => Math.max(0, Math.min(MAX_PACING_WAIT_MS, remainingMs() - INVOCATION_RESERVE_MS)),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => new Date(),
  random: Math.random,
  onEvent: (event) => {
    switch (event.type) {
      case 'sent':
        // DEBUG: the MessagesSent metric counts sends and the message item links sid and sendId.
        logger.debug('Message sent', { sid: event.sid });
        emitTenantMetric(event.tenantId, METRICS.messagesSent, MetricUnit.Count);
        return;
      case 'failed':
        logger.warn('Message failed permanently', { errorCode: event.errorCode });
        emitTenantMetric(event.tenantId, METRICS.messagesFailed, MetricUnit.Count);
        return;
      case 'optOut':
        logger.info('Recipient opted out (21610)');
        emitTenantMetric(event.tenantId, METRICS.optOuts, MetricUnit.Count);
        return;
      case 'blockedByOptOut':
        logger.info('Send blocked: recipient opted out', { sendId: event.sendId });
        emitTenantMetric(event.tenantId, METRICS.sendsBlockedByOptOut, MetricUnit.Count);
        return;
      case 'outcome':
        // The same report a status callback makes, for a message recorded after Twilio finished it.
        reportStatusEvent(event);
        return;
      case 'pacingDeferred':
        logger.info('Sender number at its rate: send deferred', { retryAfterMs: event.retryAfterMs });
        emitTenantMetric(event.tenantId, METRICS.sendsDeferredByPacing, MetricUnit.Count);
        return;
      case 'apiFailure':
        logger.warn('Twilio API failure, will retry', {
          errorCode: event.errorCode,
          httpStatus: event.httpStatus,
        });
        emitTenantMetric(event.tenantId, METRICS.twilioApiFailures, MetricUnit.Count);
        return;
      case 'paced':
        // Pacing is the normal case for a busy number: the deferrals above are what is worth an INFO.
        logger.debug('Send paced', { waitMs: event.waitMs });
        return;
      default:
        logger.info('Send event', { ...event });
    }
  },
};

const processor = new SqsFifoPartialProcessorAsync();

const recordHandler = withRetryDelay(sqsClient(), requireEnv(queueUrlEnvName('outbound')), sendRecord);

async function sendRecord(record: SQSRecord): Promise<void> {
  const queued = parseQueueRecord<OutboundQueueMessage>(record, [
    'tenantId',
    'sendId',
    'transcriptKey',
    'to',
    'from',
    'body',
    'queuedAt',
  ]);
  logger.appendKeys({ tenantId: queued.tenantId, sendId: queued.sendId });
  logger.debug('Sending', { to: maskPhone(queued.to), from: maskPhone(queued.from) });
  await processSend(queued, receiveCount(record), deps);
}

export const handler = middy<SQSEvent, SQSBatchResponse>((event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context, skipGroupOnError: true }),
)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(invocationDeadline());
