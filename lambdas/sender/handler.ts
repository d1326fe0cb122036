import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dlqUrlEnvName, ENV, queues, queueUrlEnvName } from '../../lib/topology';
import { CachedCampaignStates } from '../adapters/cached-campaign-states';
import { DynamoCampaignStates } from '../adapters/dynamodb/campaign-states';
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
import {
  deliverySubject,
  emitDeliveryMetric,
  emitTenantMetric,
  logger,
  MetricUnit,
  tracer,
} from '../shared/observability';
import { parseQueueRecord, receiveCount } from '../shared/queue-record';
import { RetryLaterError, withRetryDelay } from '../shared/retry-later';
import { processFifoGroupsConcurrently } from '../shared/fifo-batch';
import { withDeadLetter } from '../shared/dead-letter';
import { reportStatusEvent } from '../status/report';
import { processSend, type SendDeps, type SendEvent } from './send';

const tableName = requireEnv(ENV.tableName);
const dynamo = documentClient();

/** The longest a record waits in process for its number's slot; longer backlogs go back to the queue. */
const MAX_PACING_WAIT_MS = 5_000;
/** Time kept for the Twilio call and the bookkeeping after a paced wait. */
const INVOCATION_RESERVE_MS = 12_000;
/** How long a campaign's state is trusted: a cancel stops its queued sends within this. */
const CAMPAIGN_STATE_CACHE_MS = 5_000;
const deps: Omit<SendDeps, 'onEvent'> = {
  publicBaseUrl: requireEnv(ENV.publicBaseUrl),
  credentials: tenantCredentialsFromEnv(),
  sms: new TwilioRestSmsGateway(requireEnv(ENV.twilioApiBaseUrl)),
  messages: new DynamoMessageStore(dynamo, tableName),
  optOuts: new DynamoOptOutStore(dynamo, tableName),
  campaigns: new CachedCampaignStates(new DynamoCampaignStates(dynamo, tableName), CAMPAIGN_STATE_CACHE_MS),
  pacer: new DynamoSendPacer(dynamo, tableName),
  // The invocation's deadline is set by the invocationDeadline middleware (Infinity outside one).
  pacingWaitBudgetMs: () => Math.max(0, Math.min(MAX_PACING_WAIT_MS, remainingMs() - INVOCATION_RESERVE_MS)),
  failureBudget: queues.outbound.maxFailures ?? queues.outbound.maxReceiveCount,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => new Date(),
  random: Math.random,
};

/**
 * Records are sent side by side (processFifoGroupsConcurrently), so every line names its send
 * rather than relying on appendKeys.
 */
function reportSendEvent(event: SendEvent, keys: { tenantId: string; sendId: string }): void {
  switch (event.type) {
    case 'sent':
      // DEBUG: the MessagesSent metric counts sends and the message item links sid and sendId.
      logger.debug('Message sent', { ...keys, sid: event.sid });
      emitDeliveryMetric(deliverySubject(event), METRICS.messagesSent);
      return;
    case 'failed':
      logger.warn('Message failed permanently', { ...keys, errorCode: event.errorCode });
      emitDeliveryMetric(deliverySubject(event), METRICS.messagesFailed);
      return;
    case 'optOut':
      logger.info('Recipient opted out (21610)', keys);
      emitTenantMetric(event.tenantId, METRICS.optOuts, MetricUnit.Count);
      return;
    case 'campaignCancelled':
      // DEBUG: the campaign's `cancelled` counter counts these, and a cancel stops many at once.
      logger.debug('Send not sent: its campaign was cancelled', { ...keys, campaignId: event.campaignId });
      return;
    case 'blockedByOptOut':
      logger.info('Send blocked: recipient opted out', keys);
      emitTenantMetric(event.tenantId, METRICS.sendsBlockedByOptOut, MetricUnit.Count);
      return;
    case 'outcome':
      // The same report a status callback makes, for a message recorded after Twilio finished it.
      reportStatusEvent(event);
      return;
    case 'pacingDeferred':
      // DEBUG when it only came back early for the slot it booked before.
      if (event.booked) {
        logger.info('Sender number at its rate: send parked until its slot', {
          ...keys,
          retryAfterMs: event.retryAfterMs,
        });
        emitTenantMetric(event.tenantId, METRICS.sendsDeferredByPacing, MetricUnit.Count);
      } else
        logger.debug('Send back before its slot: parked again', {
          ...keys,
          retryAfterMs: event.retryAfterMs,
        });
      return;
    case 'failureBudgetSpent':
      logger.error('Send failed too often: moved to the outbound DLQ', { ...keys, failures: event.failures });
      return;
    case 'apiFailure':
      logger.warn('Twilio API failure, will retry', {
        ...keys,
        errorCode: event.errorCode,
        httpStatus: event.httpStatus,
      });
      emitTenantMetric(event.tenantId, METRICS.twilioApiFailures, MetricUnit.Count);
      return;
    case 'paced':
      // Pacing is the normal case for a busy number: the deferrals above are what is worth an INFO.
      logger.debug('Send paced', { ...keys, waitMs: event.waitMs });
      return;
    default:
      logger.info('Send event', { ...keys, ...event });
  }
}

const sqs = sqsClient();
const recordHandler = withRetryDelay(
  sqs,
  requireEnv(queueUrlEnvName('outbound')),
  withDeadLetter(sqs, requireEnv(dlqUrlEnvName('outbound')), sendRecord),
);

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
  const keys = { tenantId: queued.tenantId, sendId: queued.sendId };
  logger.debug('Sending', { ...keys, to: maskPhone(queued.to), from: maskPhone(queued.from) });
  await processSend(queued, receiveCount(record), {
    ...deps,
    onEvent: (event) => reportSendEvent(event, keys),
  });
}

export const handler = middy<SQSEvent, SQSBatchResponse>((event: SQSEvent) =>
  processFifoGroupsConcurrently(event.Records, recordHandler, (record, error) => {
    // Parks and retryable failures were reported by their send's events.
    if (error instanceof RetryLaterError) return;
    logger.error('Send failed, will retry', { messageId: record.messageId, error });
  }),
)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(invocationDeadline());
