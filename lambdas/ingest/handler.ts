import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';

import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ENV, queueUrlEnvName } from '../../lib/topology';
import { SqsMessageQueue } from '../adapters/sqs-message-queue';
import { sqsClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { tenantCredentialsFromEnv } from '../shared/tenant-credentials';
import { METRICS } from '../shared/metric-catalog';
import { emitTenantMetric, logger, MetricUnit } from '../shared/observability';
import { handleWebhook, type WebhookDeps } from './webhook';

const sqs = sqsClient();
const deps: WebhookDeps = {
  publicBaseUrl: requireEnv(ENV.publicBaseUrl),
  credentials: tenantCredentialsFromEnv(),
  inboundQueue: new SqsMessageQueue(sqs, requireEnv(queueUrlEnvName('inbound'))),
  statusQueue: new SqsMessageQueue(sqs, requireEnv(queueUrlEnvName('status'))),
  now: () => new Date(),
  onSignatureRejected: (tenantId) => {
    logger.warn('Rejected webhook signature', { tenantId });
    emitTenantMetric(tenantId, METRICS.signatureRejected, MetricUnit.Count);
  },
  onAccepted: (tenantId, kind, messageSid) => {
    logger.info('Webhook accepted', { tenantId, kind, messageSid });
    if (kind === 'inbound') emitTenantMetric(tenantId, METRICS.inboundReceived, MetricUnit.Count);
  },
};

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>((event: APIGatewayProxyEvent) =>
  handleWebhook(event, deps),
).use(injectLambdaContext(logger, { clearState: true }));
