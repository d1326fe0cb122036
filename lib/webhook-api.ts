import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { StageConfig, ThrottleConfig } from './config';
import { retentionDays } from './function-with-log-group';
import { type RouteSpec, routes } from './topology';
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
  /** The WAF web ACL on the stage, when the stage has one (config waf.enabled). */
  readonly firewall?: WebhookFirewall;
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
    // A RestApi takes its resource policy at construction (CfnRestApi Policy), not afterwards.
    const policy = tenantBindingPolicy();

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: retentionDays(config.logRetentionDays),
      removalPolicy,
    });

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: `sms-conversations-${config.stage}`,
      description:
        'Twilio webhooks (inbound messages, status callbacks) and the IAM-authorized conversations API for SMS conversations',
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      // API Gateway writes stage logs through one role per account and region, set by the
      // AWS::ApiGateway::Account singleton: exactly one stage owns it (config
      // ownsApiGatewayAccountSettings), or each stage deployed would replace the last one's role.
      // The owner is deployed first; the others rely on the role being set. Retained, so deleting
      // the owner's stack does not break the logging of the other stages in the account.
      cloudWatchRole: config.ownsApiGatewayAccountSettings,
      ...(config.ownsApiGatewayAccountSettings ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      deployOptions: {
        stageName: config.stage,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: accessLogFormat(),
        ...METHOD_LOGGING,
        tracingEnabled: true,
        throttlingRateLimit: config.api.rateLimit,
        throttlingBurstLimit: config.api.burstLimit,
        methodOptions: routeMethodOptions(config),
      },
      policy,
    });
    // CDK hashes methods and resources into the Deployment's logical id, not the resource policy; API
    // Gateway only applies a changed policy once the API is deployed again, so make the hash see it.
    this.api.latestDeployment?.addToLogicalId({ policy: policy.toJSON() });

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
    if (config.ownsApiGatewayAccountSettings !== (cloudWatchRole !== undefined))
      throw new Error(
        `RestApi ${cloudWatchRole ? 'created' : 'did not create'} the account's CloudWatch role (ownsApiGatewayAccountSettings: ${config.ownsApiGatewayAccountSettings})`,
      );
    if (cloudWatchRole) {
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
    }
    NagSuppressions.addResourceSuppressions(this.api, [
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Twilio signs the exact form body (X-Twilio-Signature); the ingest function validates signature and form itself, so API Gateway must pass requests through untouched.',
      },
    ]);
    if (config.waf.enabled) {
      this.firewall = new WebhookFirewall(this, 'Firewall', {
        name: `sms-conversations-${config.stage}`,
        stageArn: this.api.deploymentStage.stageArn,
        webhookPathPrefix: webhookPathPrefix(),
        requestsPer5MinPerIp: config.waf.requestsPer5MinPerIp,
        requestsPer5MinPerWebhookPath: config.waf.requestsPer5MinPerWebhookPath,
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
      // SigV4 + IAM: callers need execute-api:Invoke on this method in their identity policy, and the
      // API's resource policy (tenantBindingPolicy) denies any path but their smsTenant tag's.
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

/** Execution logs at ERROR; never data traces: bodies carry phone numbers and message text. */
const METHOD_LOGGING = {
  loggingLevel: apigateway.MethodLoggingLevel.ERROR,
  dataTraceEnabled: false,
  metricsEnabled: true,
} as const satisfies apigateway.MethodDeploymentOptions;

/** The principal tag (IAM role or user tag, or session tag) naming the one tenant a caller acts for. */
export const TENANT_PRINCIPAL_TAG = 'smsTenant';
/** The path parameter a tenant-bound route must carry (lib/topology.ts routes). */
const TENANT_PATH_PARAMETER = '{tenantId}';
/** An IAM policy variable (literal `${…}`, resolved by IAM per request, not a CDK token). */
const TENANT_TAG_VARIABLE = `\${aws:PrincipalTag/${TENANT_PRINCIPAL_TAG}}`;

/** StageOptions.methodOptions key of a route: `{path}/{METHOD}`, e.g. `/webhooks/twilio/{tenantId}/inbound/POST`. */
export function methodOptionsKey(route: RouteSpec): string {
  return `${route.path}/${route.method}`;
}

/** The throttle of a route: open routes are Twilio's webhooks, IAM routes the tenants' API. */
export function routeThrottle(route: RouteSpec, config: StageConfig): ThrottleConfig {
  return route.authorization === 'iam' ? config.api.conversationsApi : config.api.webhooks;
}

/**
 * One throttle per route of lib/topology.ts. API Gateway applies a stage's throttle to each method on
 * its own ("per-API, per-stage throttling limits are applied at the API method level for a stage",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html),
 * so these entries size each route for its callers, and raising one never raises the other: every
 * tenant's Twilio traffic on each webhook method, the tenants' back ends on the API. They are still
 * per stage and method, never per tenant: all tenants share one webhook method's budget, and keeping
 * one tenant's flood from using it up is the job of the WAF's per-path rule (lib/webhook-firewall.ts).
 * A method entry replaces the stage-wide `/*\/*` entry for that method, so it repeats its logging.
 */
export function routeMethodOptions(config: StageConfig): Record<string, apigateway.MethodDeploymentOptions> {
  return Object.fromEntries(
    routes.map((route) => {
      const throttle = routeThrottle(route, config);
      const options: apigateway.MethodDeploymentOptions = {
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
        ...METHOD_LOGGING,
      };
      return [methodOptionsKey(route), options];
    }),
  );
}

/**
 * The literal start every open (Twilio webhook) route shares, e.g. `/webhooks/twilio/`: what the
 * WAF's webhook rules match. Throws if the open routes stop sharing one, rather than guessing.
 */
export function webhookPathPrefix(): string {
  const prefixes = new Set(
    routes.filter((route) => route.authorization !== 'iam').map((route) => route.path.split('{')[0] ?? ''),
  );
  const [prefix] = prefixes;
  if (prefixes.size !== 1 || !prefix || prefix === '/')
    throw new Error(`The webhook routes share no literal path prefix: ${[...prefixes].join(', ')}`);
  return prefix;
}

/**
 * A route as the resource of an execute-api:Invoke statement, in API Gateway's abbreviated form
 * (`execute-api:/{stage}/{METHOD}/{path}`, expanded to this API's ARN when the policy is saved; a
 * full ARN would reference the RestApi from its own Policy property). Any stage; each `{param}` is
 * `*` unless `tenant` says what `{tenantId}` must be.
 */
function invokeResource(route: RouteSpec, tenant = '*'): string {
  // One pass: a second one would find the `{…}` of the policy variable itself.
  const path = route.path.replace(/\{[^}]+\}/g, (parameter) =>
    parameter === TENANT_PATH_PARAMETER ? tenant : '*',
  );
  return `execute-api:/*/${route.method}${path}`;
}

/**
 * The RestApi's resource policy: binds each IAM-authorized route to the caller's tenant.
 *
 * - `TwilioWebhooks` allows everyone to invoke the open routes: once a RestApi has a resource policy,
 *   a method without IAM auth needs an explicit Allow there (the "resource policy only" flow of
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html).
 *   Twilio is authenticated by its signature in the ingest function.
 * - `OwnTenantOnly` denies every other resource unless its `{tenantId}` equals the caller's
 *   `smsTenant` principal tag. A Deny, not an Allow: in the API's own account an identity policy that
 *   allows `execute-api:Invoke` on `/v1/tenants/*` is enough on its own (same-account table of that
 *   page), so an Allow here could never narrow it; an explicit Deny wins over any Allow. The policy
 *   grants nothing on the IAM routes, so a caller still needs an identity policy allowing
 *   execute-api:Invoke, and principals of other accounts (which need an Allow here) get nothing.
 * - `TaggedCallersOnly` denies IAM routes to callers without the tag: IAM may treat a statement
 *   whose variable does not resolve as not matching (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html,
 *   "If AWS cannot resolve a variable this might cause the entire statement to be invalid"), which
 *   for a Deny would let an untagged caller through.
 *
 * Support for the variable, as found in AWS's documentation: the IAM policy variables page says
 * variables work in resource-based policies, in the Resource element (and so NotResource); API
 * Gateway lists `aws:PrincipalTag` among the condition keys its resource policies support for IAM
 * authorization (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-aws-condition-keys.html),
 * and a variable is resolved from exactly those request-context keys. No API Gateway page shows a
 * variable in a resource policy's Resource, so README "Conversations API" asks for a cross-tenant
 * call after the first deploy, and scopes the tenant's identity policy with the same variable (well
 * documented for identity policies): each of the two holds the binding on its own.
 * Tag values cannot carry IAM wildcards (`*`, `?` are not valid in tag values), so a tag cannot
 * widen the path. Platform operators need no exception: they use smsctl against DynamoDB.
 */
export function tenantBindingPolicy(): iam.PolicyDocument {
  const open = routes.filter((route) => route.authorization !== 'iam');
  const bound = routes.filter((route) => route.authorization === 'iam');
  for (const route of bound) {
    if (!route.path.includes(TENANT_PATH_PARAMETER))
      throw new Error(`IAM route ${route.path} has no ${TENANT_PATH_PARAMETER} to bind a caller to`);
  }
  const invoke = ['execute-api:Invoke'];
  const everyone = [new iam.StarPrincipal()];
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'TwilioWebhooks',
        effect: iam.Effect.ALLOW,
        principals: everyone,
        actions: invoke,
        resources: open.map((route) => invokeResource(route)),
      }),
      new iam.PolicyStatement({
        sid: 'OwnTenantOnly',
        effect: iam.Effect.DENY,
        principals: everyone,
        actions: invoke,
        notResources: [
          ...open.map((route) => invokeResource(route)),
          ...bound.map((route) => invokeResource(route, TENANT_TAG_VARIABLE)),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'TaggedCallersOnly',
        effect: iam.Effect.DENY,
        principals: everyone,
        actions: invoke,
        // Sorted as CDK's policy minimization sorts a statement's resources, so that the template is
        // the same with and without the cdk.json feature flags.
        resources: bound.map((route) => invokeResource(route)).sort(),
        conditions: { Null: { [`aws:PrincipalTag/${TENANT_PRINCIPAL_TAG}`]: 'true' } },
      }),
    ],
  });
}
