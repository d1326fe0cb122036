import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ENV, queueUrlEnvName } from '../../lib/topology';
import { sqsClient } from '../shared/clients';
import { documentClient } from '../shared/document-client';
import { requireEnv } from '../shared/env';
import { invocationDeadline } from '../shared/invocation-deadline';
import { METRICS } from '../../lib/metric-catalog';
import { emitTenantMetric, logger, MetricUnit, tracer } from '../shared/observability';
import { outboundUrlPolicyFromEnv } from '../shared/outbound-url-policy-env';
import { dynamoCampaignDeps } from './campaigns/dynamo-deps';
import { handoffDeps, startOutboundDeps } from './deps';
import { handleHandoffRequest, isHandoffRoute } from './handoffs-http';
import { handleStartRequest, isStartRoute } from './http';

const clients = { dynamo: documentClient(), sqs: sqsClient() };

const deps = startOutboundDeps(clients, {
  tableName: requireEnv(ENV.tableName),
  outboundQueueUrl: requireEnv(queueUrlEnvName('outbound')),
  remindersQueueUrl: requireEnv(queueUrlEnvName('reminders')),
  mediaUrlPolicy: outboundUrlPolicyFromEnv(),
});

const handoffs = handoffDeps(clients, {
  tableName: requireEnv(ENV.tableName),
  outboundQueueUrl: requireEnv(queueUrlEnvName('outbound')),
  remindersQueueUrl: requireEnv(queueUrlEnvName('reminders')),
});

const campaignDeps = dynamoCampaignDeps(clients, {
  tableName: requireEnv(ENV.tableName),
  campaignsQueueUrl: requireEnv(queueUrlEnvName('campaigns')),
  mediaUrlPolicy: outboundUrlPolicyFromEnv(),
});

/** The campaign routes (campaigns/http.ts): loaded by the first campaign request, not by every cold start. */
async function handleCampaign(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const { handleCampaignRequest } = await import('./campaigns/http');
  const { response, log } = await handleCampaignRequest(event, campaignDeps);
  logger.info('Campaign request', {
    ...log,
    caller: event.requestContext.identity.userArn ?? undefined,
    statusCode: response.statusCode,
  });
  return response;
}

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>(
  async (event: APIGatewayProxyEvent) => {
    if (isHandoffRoute(event)) {
      const { response, tenantId, outcome } = await handleHandoffRequest(event, handoffs);
      // Who answered or released (the IAM principal), and the outcome; no numbers, no text.
      logger.info('Hand-off request', {
        tenantId,
        resource: event.resource,
        caller: event.requestContext.identity.userArn ?? undefined,
        statusCode: response.statusCode,
        outcome,
      });
      return response;
    }
    if (!isStartRoute(event)) return handleCampaign(event);
    const { response, result, tenantId } = await handleStartRequest(event, deps);
    // Who called (the IAM principal API Gateway authenticated) and what happened; no numbers, no text.
    logger.info('Outbound start', {
      tenantId,
      caller: event.requestContext.identity.userArn ?? undefined,
      statusCode: response.statusCode,
      ...(result?.ok ? { kind: result.started.kind, replayed: result.replayed } : {}),
      ...(result && !result.ok ? { refusal: result.refusal.error } : {}),
    });
    if (tenantId && result?.ok && !result.replayed && result.started.kind === 'workflow')
      emitTenantMetric(tenantId, METRICS.conversationsStarted, MetricUnit.Count);
    return response;
  },
)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(invocationDeadline());
