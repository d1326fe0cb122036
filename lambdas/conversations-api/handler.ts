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
import { startOutboundDeps } from './deps';
import { handleStartRequest } from './http';

const deps = startOutboundDeps(
  { dynamo: documentClient(), sqs: sqsClient() },
  { tableName: requireEnv(ENV.tableName), outboundQueueUrl: requireEnv(queueUrlEnvName('outbound')) },
);

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>(
  async (event: APIGatewayProxyEvent) => {
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
