import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { BUNDLING } from './bundling';
import type { StageConfig } from './config';
import { type FunctionSpec, type QueueId, table as tableSpec } from './topology';
import { isInferenceProfileId, understandingModelArns } from './understanding-models';

/** What the handlers do with items (transactions need the per-item actions, nothing more). */
const TABLE_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
];
const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

/** Repository root: handler entries in lib/topology.ts are relative to it. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The kinds of per-tenant secret (lambdas/domain/tenant.ts): Twilio credentials, webhook signing key. */
export type TenantSecretKind = 'twilio' | 'webhook';

/** Which of a tenant's secrets a `tenantSecrets` binding may read, and why its wildcard is needed. */
const TENANT_SECRET_GRANTS: Readonly<
  Record<
    Exclude<FunctionSpec['bindings']['tenantSecrets'], 'none'>,
    { sid: string; kind: TenantSecretKind; wildcardReason: string }
  >
> = {
  read: {
    sid: 'ReadTenantTwilioSecrets',
    kind: 'twilio',
    wildcardReason:
      'Tenants are created at run time (smsctl tenant put), each with a secret {prefix}/tenants/{tenantId}/twilio; the wildcard is limited to this stage prefix and the twilio secrets, and also covers the random ARN suffix.',
  },
  webhookSigningKeys: {
    sid: 'ReadTenantWebhookSigningKeys',
    kind: 'webhook',
    wildcardReason:
      'Each tenant configures its webhook signing key at run time as {prefix}/tenants/{tenantId}/webhook; the wildcard is limited to this stage prefix and the webhook secrets (no Twilio credentials), and also covers the random ARN suffix.',
  },
};

/**
 * ARN pattern of one kind of every tenant's secret under a prefix (`{prefix}/tenants/{tenantId}/twilio`
 * or `/webhook`, see lambdas/domain/tenant.ts), so a function reading Twilio credentials cannot read
 * webhook signing keys and vice versa. Built from pseudo parameters on purpose: the string is the
 * same with or without a concrete account/region, so the cdk-nag suppression can name it exactly.
 * The wildcards are unavoidable (tenant ids, and the random suffix Secrets Manager appends to every
 * secret ARN; `*`, not `-??????`, so a lookup of a missing tenant's name is NotFound, not AccessDenied).
 */
export function tenantSecretsArnPattern(prefix: string, kind: TenantSecretKind = 'twilio'): string {
  return `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${prefix}/tenants/*/${kind}*`;
}

/** cdk-nag's rendering of {@link tenantSecretsArnPattern} in IAM5 findings. */
export function tenantSecretsNagResource(prefix: string, kind: TenantSecretKind = 'twilio'): string {
  return `Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${prefix}/tenants/*/${kind}*`;
}

/**
 * `bedrock:InvokeModel` (which authorizes Converse) on the stage's understanding models only;
 * undefined when the stage allows none. `crossRegionModels`: the `*`-Region foundation-model ARNs
 * of inference profiles, in cdk-nag's rendering, for their IAM5 acknowledgement.
 */
function understandingModelsGrant(
  config: StageConfig,
): { statement: iam.PolicyStatement; crossRegionModels: string[] } | undefined {
  if (config.understandingModelIds.length === 0) return undefined;
  const at = { partition: Aws.PARTITION, region: Aws.REGION, account: Aws.ACCOUNT_ID };
  const resources = config.understandingModelIds.flatMap((modelId) => understandingModelArns(modelId, at));
  return {
    statement: new iam.PolicyStatement({
      sid: 'InvokeUnderstandingModels',
      actions: ['bedrock:InvokeModel'],
      resources,
    }),
    crossRegionModels: config.understandingModelIds
      .filter(isInferenceProfileId)
      .flatMap((modelId) =>
        understandingModelArns(modelId, { partition: 'aws', region: '', account: '' }).filter((arn) =>
          arn.includes(':bedrock:*::'),
        ),
      ),
  };
}

/** `config.logRetentionDays` as the enum CloudWatch Logs accepts; fails synth on an unsupported value. */
export function retentionDays(days: number): logs.RetentionDays {
  const valid = Object.values(logs.RetentionDays).filter(
    (value): value is number => typeof value === 'number',
  );
  if (!valid.includes(days)) {
    throw new Error(`logRetentionDays ${days} is not a CloudWatch Logs retention (${valid.join(', ')})`);
  }
  return days as logs.RetentionDays;
}

/**
 * The Lambda application log level for `config.logLevel`, never less verbose than INFO: with the JSON
 * log format Lambda files every line without a `level` key as INFO, and the Powertools Metrics EMF
 * records have none, so WARN or ERROR here would silently drop every custom metric. Powertools Logger
 * still applies `config.logLevel` itself (POWERTOOLS_LOG_LEVEL).
 */
export function lambdaApplicationLogLevel(level: StageConfig['logLevel']): lambda.ApplicationLogLevel {
  return level === 'DEBUG' ? lambda.ApplicationLogLevel.DEBUG : lambda.ApplicationLogLevel.INFO;
}

export interface FunctionResources {
  /** The main (not dead-letter) queues, by topology id. */
  readonly queues: Readonly<Record<QueueId, sqs.IQueue>>;
  /** Each main queue's dead-letter queue, by topology id. */
  readonly deadLetterQueues: Readonly<Record<QueueId, sqs.IQueue>>;
  readonly table: dynamodb.ITable;
}

export interface FunctionWithLogGroupProps {
  readonly spec: FunctionSpec;
  /** Exactly `functionEnvironment(spec, values)`. */
  readonly environment: Readonly<Record<string, string>>;
  readonly config: StageConfig;
  readonly resources: FunctionResources;
}

/**
 * One handler from lib/topology.ts: a NodejsFunction (Node 22, arm64, ESM bundle built with
 * lib/bundling.ts), its own log group with the stage's retention, a role holding only what
 * `spec.bindings` says, and its SQS event source.
 */
export class FunctionWithLogGroup extends Construct {
  readonly spec: FunctionSpec;
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: FunctionWithLogGroupProps) {
    super(scope, id);
    const { spec, config, resources } = props;
    this.spec = spec;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: retentionDays(config.logRetentionDays),
      removalPolicy: config.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // An own role instead of AWSLambdaBasicExecutionRole (logs:* on every log group): this log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${spec.id} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      description: `SMS conversations: ${spec.id}`,
      entry: path.join(PROJECT_ROOT, spec.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memorySizeMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambdaApplicationLogLevel(config.logLevel),
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
      tracing: lambda.Tracing.ACTIVE,
      environment: props.environment,
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: BUNDLING.target,
        minify: BUNDLING.minify,
        sourceMap: BUNDLING.sourcemap,
        sourcesContent: BUNDLING.sourcesContent,
        mainFields: [...BUNDLING.mainFields],
        banner: BUNDLING.banner,
        externalModules: [...BUNDLING.externalModules],
        // esbuild's CLI form (`--alias:from=to`), resolved from projectRoot, where CDK runs esbuild.
        esbuildArgs: { '--alias': Object.entries(BUNDLING.alias).map(([from, to]) => `${from}=${to}`) },
      },
    });

    this.grantBindings(props);

    if (spec.eventSource) {
      const source = spec.eventSource;
      this.function.addEventSource(
        new SqsEventSource(resources.queues[source.queue], {
          batchSize: source.batchSize,
          maxConcurrency: source.maxConcurrency,
          maxBatchingWindow:
            source.maxBatchingWindowSeconds === undefined
              ? undefined
              : Duration.seconds(source.maxBatchingWindowSeconds),
          reportBatchItemFailures: source.reportBatchItemFailures,
        }),
      );
    }

    if (spec.tableStreamSource) {
      const source = spec.tableStreamSource;
      const streamArn = resources.table.tableStreamArn;
      if (!streamArn) throw new Error(`${spec.id} reads the table's stream, but the table has none`);
      this.function.addEventSourceMapping('TableStream', {
        eventSourceArn: streamArn,
        startingPosition: lambda.StartingPosition[source.startingPosition],
        batchSize: source.batchSize,
        maxBatchingWindow: Duration.seconds(source.maxBatchingWindowSeconds),
        parallelizationFactor: source.parallelizationFactor,
        bisectBatchOnError: source.bisectBatchOnError,
        reportBatchItemFailures: source.reportBatchItemFailures,
        // No retryAttempts or maxRecordAge: Lambda's defaults retry a failing record until the stream
        // no longer holds it (24 hours), so a change is not skipped while the queue recovers.
      });
      // Granted here rather than by DynamoEventSource, whose grantStreamRead adds ListStreams on "*":
      // the mapping names this one stream, and the DynamoDB guide scopes all four actions to it.
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadTableStream',
          actions: [
            'dynamodb:DescribeStream',
            'dynamodb:GetRecords',
            'dynamodb:GetShardIterator',
            'dynamodb:ListStreams',
          ],
          resources: [streamArn],
        }),
      );
    }

    if (spec.schedule) {
      // EventBridge invokes asynchronously; a missed run is harmless (the next one catches up).
      new events.Rule(this, 'Schedule', {
        description: `Runs ${spec.id} every ${spec.schedule.everyMinutes} minutes`,
        schedule: events.Schedule.rate(Duration.minutes(spec.schedule.everyMinutes)),
        targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
      });
    }

    NagSuppressions.addResourceSuppressions(this.function, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 is pinned on purpose: bundles target node22 (lib/bundling.ts) and the local stack and tests run the same major; move runtime and esbuild target together.',
      },
    ]);
  }

  private grantBindings(props: FunctionWithLogGroupProps): void {
    const { spec, config, resources } = props;
    const { bindings } = spec;

    for (const queue of bindings.sendsTo) resources.queues[queue].grantSendMessages(this.role);
    if (bindings.deadLettersPermanentFailures && spec.eventSource) {
      resources.deadLetterQueues[spec.eventSource.queue].grantSendMessages(this.role);
    }

    // Item actions on the table itself only (grantReadWriteData would add every index and Scan).
    if (bindings.table !== 'none') {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'TableItems',
          actions:
            bindings.table === 'read' ? TABLE_READ_ACTIONS : [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS],
          resources: [resources.table.tableArn],
          ...(bindings.tableItemPrefixes
            ? {
                // Every key the request touches must start with one of the prefixes.
                conditions: {
                  'ForAllValues:StringLike': {
                    'dynamodb:LeadingKeys': bindings.tableItemPrefixes.map((prefix) => `${prefix}*`),
                  },
                },
              }
            : {}),
        }),
      );
    }
    if (bindings.table !== 'none' && bindings.tableReadOnlyPrefixes) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'TableReadOnlyItems',
          actions: TABLE_READ_ACTIONS,
          resources: [resources.table.tableArn],
          conditions: {
            'ForAllValues:StringLike': {
              'dynamodb:LeadingKeys': bindings.tableReadOnlyPrefixes.map((prefix) => `${prefix}*`),
            },
          },
        }),
      );
    }
    if (bindings.queriesOpenMessages) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'QueryOpenMessages',
          actions: ['dynamodb:Query'],
          resources: [`${resources.table.tableArn}/index/${tableSpec.openMessagesIndex.name}`],
        }),
      );
    }

    const modelGrant = bindings.understandingModels ? understandingModelsGrant(config) : undefined;
    if (modelGrant) this.role.addToPrincipalPolicy(modelGrant.statement);

    const nagFindings: { id: string; reason: string; appliesTo: string[] }[] = [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions, so Lambda adds them on "*".',
        appliesTo: ['Resource::*'],
      },
    ];
    if (bindings.tenantSecrets !== 'none') {
      const grant = TENANT_SECRET_GRANTS[bindings.tenantSecrets];
      // GetSecretValue only (also serves AWSPREVIOUS/AWSPENDING during rotation); no DescribeSecret/List*.
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: grant.sid,
          actions: ['secretsmanager:GetSecretValue'],
          resources: [tenantSecretsArnPattern(config.tenantSecretPrefix, grant.kind)],
        }),
      );
      nagFindings.push({
        id: 'AwsSolutions-IAM5',
        reason: grant.wildcardReason,
        appliesTo: [tenantSecretsNagResource(config.tenantSecretPrefix, grant.kind)],
      });
    }
    if (modelGrant && modelGrant.crossRegionModels.length > 0) {
      nagFindings.push({
        id: 'AwsSolutions-IAM5',
        reason:
          'A cross-Region inference profile sends each call to a Region of its geography chosen by Bedrock: the named foundation model is allowed in every Region (Bedrock user guide, inference profile prerequisites), never any other model.',
        appliesTo: modelGrant.crossRegionModels.map(
          (arn) => `Resource::${arn.replace(/^arn:aws:/, 'arn:<AWS::Partition>:')}`,
        ),
      });
    }
    // On the role's DefaultPolicy only, where every statement above (and Lambda's X-Ray one) lands
    // and cdk-nag reports them: not on the role, nor on any policy attached to it later.
    const defaultPolicy = this.role.node.tryFindChild('DefaultPolicy');
    if (!defaultPolicy)
      throw new Error(`The ${spec.id} role has no DefaultPolicy to scope its IAM5 suppressions to`);
    NagSuppressions.addResourceSuppressions(defaultPolicy, nagFindings);
  }
}
