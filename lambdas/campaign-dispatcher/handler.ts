import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ENV, functions, queueUrlEnvName } from '../../lib/topology';
import { DynamoCampaignStore } from '../adapters/dynamodb/campaign-store';
import { SqsMessageQueue } from '../adapters/sqs-message-queue';
import { startOutboundDeps } from '../conversations-api/deps';
import type { CampaignTickMessage } from '../domain/queue-messages';
import { sqsClient } from '../shared/clients';
import { documentClient } from '../shared/document-client';
import { requireEnv } from '../shared/env';
import { invocationDeadline } from '../shared/invocation-deadline';
import { logger, tracer } from '../shared/observability';
import { outboundUrlPolicyFromEnv } from '../shared/outbound-url-policy-env';
import { MalformedRecordError, parseQueueRecord, receiveCount } from '../shared/queue-record';
import { RetryLaterError, withRetryDelay } from '../shared/retry-later';
import { CampaignDispatchError, type CampaignTickDeps, runCampaignTick } from './tick';

const sqs = sqsClient();
const dynamo = documentClient();
const tableName = requireEnv(ENV.tableName);
const campaignsQueueUrl = requireEnv(queueUrlEnvName('campaigns'));

const deps: CampaignTickDeps = {
  campaigns: new DynamoCampaignStore(dynamo, tableName),
  start: startOutboundDeps(
    { dynamo, sqs },
    {
      tableName,
      outboundQueueUrl: requireEnv(queueUrlEnvName('outbound')),
      remindersQueueUrl: requireEnv(queueUrlEnvName('reminders')),
      mediaUrlPolicy: outboundUrlPolicyFromEnv(),
    },
  ),
  ticks: new SqsMessageQueue(sqs, campaignsQueueUrl),
  now: () => new Date(),
  // Starting stops a third of the timeout before it ends; the rest of the due recipients wait a tick.
  budgetMs: (functions['campaign-dispatcher'].timeoutSeconds * 1000 * 2) / 3,
};

/** A failed tick comes back soon, not after the queue's whole visibility timeout (the campaign waits meanwhile). */
const RETRY_TICK_SECONDS = 15;
/**
 * A campaign-wide refusal (its number or workflow removed, media its numbers cannot send) comes back
 * less often: each receive counts toward the DLQ, where the operator finds it (runbook CampaignsDlqDepth).
 */
const RETRY_REFUSED_TICK_SECONDS = 60;

async function tickRecord(record: SQSRecord): Promise<void> {
  let tick: CampaignTickMessage;
  try {
    tick = parseQueueRecord<CampaignTickMessage>(record, ['tenantId', 'campaignId']);
  } catch (error) {
    // Never readable: a tick names no campaign, so dropping it loses nothing.
    if (error instanceof MalformedRecordError) {
      logger.error('Dropping an unreadable campaign tick', {
        messageId: record.messageId,
        error: error.message,
      });
      return;
    }
    throw error;
  }
  const keys = { tenantId: tick.tenantId, campaignId: tick.campaignId, receiveCount: receiveCount(record) };
  try {
    const outcome = await runCampaignTick(tick, deps);
    logger.info('Campaign tick', { ...keys, ...outcome });
  } catch (error) {
    if (error instanceof CampaignDispatchError) {
      logger.error('Campaign cannot dispatch', {
        ...keys,
        refusal: error.refusal.error,
        reason: error.message,
      });
      throw new RetryLaterError(error.message, RETRY_REFUSED_TICK_SECONDS);
    }
    logger.error('Campaign tick failed', { ...keys, error });
    throw new RetryLaterError(error instanceof Error ? error.message : String(error), RETRY_TICK_SECONDS);
  }
}

const processor = new BatchProcessor(EventType.SQS);
const recordHandler = withRetryDelay(sqs, campaignsQueueUrl, tickRecord);

export const handler = middy<SQSEvent, SQSBatchResponse>((event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context }),
)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(invocationDeadline());
