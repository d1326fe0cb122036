import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { StageConfig } from './config';
import { retentionDays } from './function-with-log-group';
import type { RouteSpec } from './topology';
import { WebhookFirewall } from './webhook-firewall';

export interface WebhookApiProps {
  readonly config: StageConfig;
}

/**
 * The REST API Twilio calls (and operators' systems call, on the IAM-authorized `/v1` routes of
 * lib/topology.ts). A pure pass-through: Lambda proxy integrations, no request models,
 * no binary media types, because the ingest function verifies X-Twilio-Signature over the exact
 * form body it receives (and the local stack serves the same proxy events without API Gateway).
 */
export class WebhookApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly accessLogGroup: logs.LogGroup;
  /**
   * `https://{restApiId}.execute-api.{region}.{urlSuffix}/{stage}`, built from the RestApi id and the
   * configured stage name, not from `api.url`: that references the Stage resource, which depends on
   * the methods, which depend on the ingest function whose environment holds this URL (a cycle).
   */
  readonly executeApiUrl: string;
  private readonly integrations = new Map<lambda.IFunction, apigateway.LambdaIntegration>();

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    const { config } = props;
    const removalPolicy = config.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: retentionDays(config.logRetentionDays),
      removalPolicy,
    });

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: `sms-conversations-${config.stage}`,
      description:
        'Twilio webhooks (inbound messages, status callbacks) and the IAM-authorized conversations API for SMS conversations',
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      // API Gateway writes stage logs through an account-wide role (AWS::ApiGateway::Account).
      // Retained so that deleting one stage's stack does not break logging of another in the account.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: config.stage,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: accessLogFormat(),
        // Execution logs at ERROR; never data traces: bodies carry phone numbers and message text.
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: config.api.rateLimit,
        throttlingBurstLimit: config.api.burstLimit,
      },
    });

    // API Gateway creates its execution log group on first use, without retention: create it first.
    const executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${config.stage}`,
      retention: retentionDays(config.logRetentionDays),
      removalPolicy,
    });
    this.api.deploymentStage.node.addDependency(executionLogs);

    // RestApi's own `Endpoint` output is `api.url` (with a trailing slash); the stack outputs ApiUrl instead.
    this.api.node.tryRemoveChild('Endpoint');

    const stack = Stack.of(this);
    this.executeApiUrl = `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${config.stage}`;

    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (!cloudWatchRole) throw new Error('RestApi did not create its CloudWatch role');
    NagSuppressions.addResourceSuppressions(cloudWatchRole, [
      {
        id: 'AwsSolutions-IAM4',
        reason:
          'The account-level API Gateway logging role uses the AWS-documented AmazonAPIGatewayPushToCloudWatchLogs policy; it is needed for access and execution logs.',
        appliesTo: [
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
        ],
      },
    ]);
    NagSuppressions.addResourceSuppressions(this.api, [
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Twilio signs the exact form body (X-Twilio-Signature); the ingest function validates signature and form itself, so API Gateway must pass requests through untouched.',
      },
    ]);
    if (config.waf.enabled) {
      new WebhookFirewall(this, 'Firewall', {
        name: `sms-conversations-${config.stage}`,
        stageArn: this.api.deploymentStage.stageArn,
        requestsPer5MinPerIp: config.waf.requestsPer5MinPerIp,
      });
    } else {
      NagSuppressions.addResourceSuppressions(this.api.deploymentStage, [
        {
          id: 'AwsSolutions-APIG3',
          reason:
            'WAF is off for this stage (config waf.enabled, on in prod): every request is authenticated by its HMAC signature or SigV4 in the function, and stage throttling limits floods.',
        },
      ]);
    }
  }

  /** Adds one route of lib/topology.ts as a Lambda proxy integration. */
  addRoute(route: RouteSpec, handler: lambda.IFunction): apigateway.Method {
    let integration = this.integrations.get(handler);
    if (!integration) {
      // No test-invoke permission: only the deployed stage may invoke the function.
      integration = new apigateway.LambdaIntegration(handler, { proxy: true, allowTestInvoke: false });
      this.integrations.set(handler, integration);
    }
    if (route.authorization === 'iam') {
      // SigV4 + IAM: callers need execute-api:Invoke on this method (scoped per tenant by path if wanted).
      const method = this.api.root.resourceForPath(route.path).addMethod(route.method, integration, {
        authorizationType: apigateway.AuthorizationType.IAM,
      });
      NagSuppressions.addResourceSuppressions(method, [
        {
          id: 'AwsSolutions-COG4',
          reason:
            'Callers are operators and tenant back ends (machines) with AWS credentials: IAM SigV4 authorization, scoped by execute-api:Invoke policies, fits them; a Cognito user pool would add a second identity store.',
        },
      ]);
      return method;
    }
    const method = this.api.root.resourceForPath(route.path).addMethod(route.method, integration, {
      authorizationType: apigateway.AuthorizationType.NONE,
    });
    NagSuppressions.addResourceSuppressions(method, [
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Twilio webhooks cannot carry AWS or Cognito credentials; each request is authenticated by X-Twilio-Signature (HMAC-SHA1 with the tenant auth token) in the ingest function.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'No Cognito user pool fits a machine-to-machine Twilio webhook; authentication is the X-Twilio-Signature check in the ingest function.',
      },
    ]);
    return method;
  }
}

/** One JSON line per request. `path` carries the tenant id; no headers, no body (signature, phone numbers). */
function accessLogFormat(): apigateway.AccessLogFormat {
  const F = apigateway.AccessLogField;
  return apigateway.AccessLogFormat.custom(
    JSON.stringify({
      requestId: F.contextRequestId(),
      extendedRequestId: F.contextExtendedRequestId(),
      xrayTraceId: F.contextXrayTraceId(),
      requestTime: F.contextRequestTime(),
      ip: F.contextIdentitySourceIp(),
      userAgent: F.contextIdentityUserAgent(),
      httpMethod: F.contextHttpMethod(),
      resourcePath: F.contextResourcePath(),
      path: F.contextPath(),
      protocol: F.contextProtocol(),
      status: F.contextStatus(),
      responseLength: F.contextResponseLength(),
      responseLatency: F.contextResponseLatency(),
      integrationStatus: F.contextIntegrationStatus(),
      integrationLatency: F.contextIntegrationLatency(),
      errorMessage: F.contextErrorMessage(),
    }),
  );
}
