import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';

import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ENV, queueUrlEnvName } from '../../lib/topology';
import { SqsMessageQueue } from '../adapters/sqs-message-queue';
import { sqsClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { invocationDeadline } from '../shared/invocation-deadline';
import { tenantCredentialsFromEnv } from '../shared/tenant-credentials';
import { METRICS, UNVERIFIED_TENANT } from '../../lib/metric-catalog';
import { emitTenantMetric, logger, MetricUnit, tracer } from '../shared/observability';
import { handleWebhook, type WebhookDeps } from './webhook';

const sqs = sqsClient();
const deps: WebhookDeps = {
  publicBaseUrl: requireEnv(ENV.publicBaseUrl),
  credentials: tenantCredentialsFromEnv(),
  inboundQueue: new SqsMessageQueue(sqs, requireEnv(queueUrlEnvName('inbound'))),
  statusQueue: new SqsMessageQueue(sqs, requireEnv(queueUrlEnvName('status'))),
  now: () => new Date(),
  onSignatureRejected: (tenantId, reason) => {
    // Missing or malformed: refused before any lookup, so the tenant id is an unverified claim
    // (see UNVERIFIED_TENANT); it goes to the log, the metric keeps one series for all of them.
    const verified = reason === 'mismatch';
    logger.warn(
      'Rejected webhook signature',
      verified ? { tenantId, reason } : { claimedTenantId: tenantId, reason },
    );
    emitTenantMetric(verified ? tenantId : UNVERIFIED_TENANT, METRICS.signatureRejected, MetricUnit.Count);
  },
  onSignatureAcceptedWithPreviousToken: (tenantId) => {
    logger.warn('Webhook signed with the previous auth token accepted (rotation in progress)', { tenantId });
    emitTenantMetric(tenantId, METRICS.signatureAcceptedWithPreviousToken, MetricUnit.Count);
  },
  onCredentialsRefreshed: (tenantId, accepted) => {
    logger.info('Re-read tenant credentials after a signature mismatch', { tenantId, accepted });
  },
  onAccepted: (tenantId, kind, messageSid) => {
    logger.info('Webhook accepted', { tenantId, kind, messageSid });
    if (kind === 'inbound') emitTenantMetric(tenantId, METRICS.inboundReceived, MetricUnit.Count);
  },
};

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>((event: APIGatewayProxyEvent) =>
  handleWebhook(event, deps),
)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(invocationDeadline());
