import { writeNow } from '../shared/reported-batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { ENV } from '../../lib/topology';
import { allOpenShards } from '../adapters/dynamodb/keys';
import { DynamoMessageStore } from '../adapters/dynamodb/message-store';
import { TwilioRestSmsGateway } from '../adapters/twilio-rest-gateway';
import { documentClient } from '../shared/document-client';
import { requireEnv } from '../shared/env';
import { invocationDeadline } from '../shared/invocation-deadline';
import { tenantCredentialsFromEnv } from '../shared/tenant-credentials';
import { METRICS } from '../../lib/metric-catalog';
import { logger, metrics, MetricUnit, tracer } from '../shared/observability';
import { reportStatusEvent } from '../status/report';
import { reconcile, type ReconcileDeps } from './reconcile';

const messages = new DynamoMessageStore(documentClient(), requireEnv(ENV.tableName));
const deps: ReconcileDeps = {
  messages,
  sms: new TwilioRestSmsGateway(requireEnv(ENV.twilioApiBaseUrl)),
  credentials: tenantCredentialsFromEnv(),
  status: { messages, onEvent: reportStatusEvent, afterReport: writeNow },
  shards: allOpenShards(),
  now: () => new Date(),
};

export const handler = middy(async (_event: ScheduledEvent) => {
  const summary = await reconcile(deps);
  logger.info('Reconciled open messages', { ...summary });
  const single = metrics.singleMetric();
  single.addMetric(METRICS.reconcileChecked, MetricUnit.Count, summary.checked);
  single.addMetric(METRICS.reconcileAdvanced, MetricUnit.Count, summary.advanced);
  return summary;
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(invocationDeadline());
