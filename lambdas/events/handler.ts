import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { ENV, queueUrlEnvName } from '../../lib/topology';
import { CachedEventSubscriptions } from '../adapters/cached-event-subscriptions';
import { DynamoEventSubscriptions } from '../adapters/dynamodb/event-subscriptions';
import { SqsMessageQueue } from '../adapters/sqs-message-queue';
import type { EventDeliveryJob } from '../domain/events/subscription';
import { sqsClient } from '../shared/clients';
import { documentClient } from '../shared/document-client';
import { requireEnv } from '../shared/env';
import { invocationDeadline } from '../shared/invocation-deadline';
import { logger, tracer } from '../shared/observability';
import { type EventRouterDeps, routeChange } from './route';
import { tableChangeOf } from './stream-record';

/** A new subscription reaches the tenant's events within this long. */
export const SUBSCRIPTIONS_TTL_MS = 10_000;

const deps: EventRouterDeps = {
  subscriptions: new CachedEventSubscriptions(
    new DynamoEventSubscriptions(documentClient(), requireEnv(ENV.tableName)),
    SUBSCRIPTIONS_TTL_MS,
  ),
  deliveries: new SqsMessageQueue<EventDeliveryJob>(sqsClient(), requireEnv(queueUrlEnvName('webhooks'))),
  // Ids only: events carry phone numbers and message bodies.
  onEvent: (event) => {
    const { type, ...fields } = event;
    if (type === 'queued') logger.info('Lifecycle event queued', fields);
    else logger.debug('Lifecycle event without subscriber', fields);
  },
};

/**
 * In stream order; the first failure is reported with its sequence number, and Lambda gives the
 * records from there again (the ones before it are done). Each item's changes stay in order.
 */
async function routeRecords(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  for (const record of event.Records) {
    try {
      const change = tableChangeOf(record);
      if (change) await routeChange(change, deps);
    } catch (error) {
      logger.error('Routing a table change failed; the stream gives it again', {
        sequenceNumber: record.dynamodb?.SequenceNumber,
        error: (error as Error).name,
      });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>(routeRecords)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(invocationDeadline());
