import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageConfig } from './config';
import { type QueueId, type QueueSpec, queues, table as tableSpec } from './topology';

export interface QueuePair {
  readonly spec: QueueSpec;
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;
}

export interface StatefulResourcesProps {
  readonly config: StageConfig;
}

/** `inbound` -> `Inbound`: construct ids (and so logical ids) derive from the topology's ids. */
export function pascal(id: string): string {
  // Dashed ids (conversations-api) become one word: ConversationsApi.
  return id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** Stateful resources: data that must survive a redeploy (table, queues and their DLQs) and the alarm topic. */
export class StatefulResources extends Construct {
  readonly table: dynamodb.Table;
  readonly queues: Readonly<Record<QueueId, QueuePair>>;
  readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: StatefulResourcesProps) {
    super(scope, id);
    const { config } = props;
    const removalPolicy = config.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: tableSpec.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableSpec.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: tableSpec.ttlAttribute,
      // The lifecycle events are derived from the table's changes (lambdas/events).
      stream: dynamodb.StreamViewType[tableSpec.stream],
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: config.protectData,
      removalPolicy,
    });
    const openMessages = tableSpec.openMessagesIndex;
    this.table.addGlobalSecondaryIndex({
      indexName: openMessages.name,
      partitionKey: { name: openMessages.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: openMessages.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });

    const pairs: Partial<Record<QueueId, QueuePair>> = {};
    for (const spec of Object.values(queues)) {
      pairs[spec.id] = this.queuePair(spec, removalPolicy);
    }
    this.queues = pairs as Record<QueueId, QueuePair>;

    this.alarmTopic = this.createAlarmTopic(config);
  }

  private queuePair(spec: QueueSpec, removalPolicy: RemovalPolicy): QueuePair {
    // No physical names: CloudFormation names the queues (adding `.fifo`), so stages can share an account.
    // The DLQ keeps the default redrive-allow policy (allowAll): StartMessageMoveTask (`smsctl dlq redrive`)
    // needs nothing more, and a `byQueue` policy naming the source queue would be a dependency cycle.
    const dlq = new sqs.Queue(this, `${pascal(spec.id)}Dlq`, {
      fifo: spec.fifo ? true : undefined,
      retentionPeriod: Duration.seconds(spec.dlqRetentionSeconds),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy,
    });
    const queue = new sqs.Queue(this, `${pascal(spec.id)}Queue`, {
      fifo: spec.fifo ? true : undefined,
      // Dedup ids are always explicit (see queueAttributes in lib/topology.ts).
      contentBasedDeduplication: spec.fifo ? false : undefined,
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(spec.retentionSeconds),
      deadLetterQueue: { queue: dlq, maxReceiveCount: spec.maxReceiveCount },
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy,
    });
    return { spec, queue, dlq };
  }

  private createAlarmTopic(config: StageConfig): sns.Topic {
    // CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed `aws/sns` key (its key
    // policy cannot admit cloudwatch.amazonaws.com), so the topic gets its own rotated key.
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: `Encrypts the SMS conversations alarm topic (${config.stage})`,
      enableKeyRotation: true,
      removalPolicy: config.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    key.grant(cloudWatch, 'kms:Decrypt', 'kms:GenerateDataKey*');

    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `SMS conversations alarms (${config.stage})`,
      masterKey: key,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one: let this account's alarms publish explicitly.
    const stack = Stack.of(this);
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
          },
        },
      }),
    );
    return topic;
  }
}
