import { CreateTableCommand, type DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  dlqAttributes,
  dlqLocalName,
  type QueueId,
  type QueueSpec,
  queueAttributes,
  queues,
  table,
} from '../lib/topology';

export interface ProvisionedQueue {
  readonly spec: QueueSpec;
  readonly url: string;
  readonly arn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const result = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = result.Attributes?.QueueArn;
  if (!arn) throw new Error(`Queue ${url} has no ARN`);
  return arn;
}

export interface QueueProvisionOptions {
  /** Overrides every queue's visibility timeout (chaos soaks compress retry time); default the topology's. */
  readonly visibilityTimeoutSeconds?: number;
}

/** Creates every queue of the topology with its DLQ and redrive policy, exactly as the CDK stack does. */
export async function provisionQueues(
  sqs: SQSClient,
  options: QueueProvisionOptions = {},
): Promise<Record<QueueId, ProvisionedQueue>> {
  const provisioned = {} as Record<QueueId, ProvisionedQueue>;
  for (const topologySpec of Object.values(queues)) {
    const spec: QueueSpec =
      options.visibilityTimeoutSeconds === undefined
        ? topologySpec
        : { ...topologySpec, visibilityTimeoutSeconds: options.visibilityTimeoutSeconds };
    const dlq = await sqs.send(
      new CreateQueueCommand({ QueueName: dlqLocalName(spec), Attributes: dlqAttributes(spec) }),
    );
    if (!dlq.QueueUrl) throw new Error(`DLQ of ${spec.id} was not created`);
    const dlqArn = await queueArn(sqs, dlq.QueueUrl);
    const queue = await sqs.send(
      new CreateQueueCommand({ QueueName: spec.localName, Attributes: queueAttributes(spec, dlqArn) }),
    );
    if (!queue.QueueUrl) throw new Error(`Queue ${spec.id} was not created`);
    provisioned[spec.id] = {
      spec,
      url: queue.QueueUrl,
      arn: await queueArn(sqs, queue.QueueUrl),
      dlqUrl: dlq.QueueUrl,
      dlqArn,
    };
  }
  return provisioned;
}

/** Creates the table with the topology's keys and TTL attribute. */
export async function provisionTable(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: table.partitionKey, AttributeType: 'S' },
        { AttributeName: table.sortKey, AttributeType: 'S' },
        { AttributeName: table.openMessagesIndex.partitionKey, AttributeType: 'S' },
        { AttributeName: table.openMessagesIndex.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: table.partitionKey, KeyType: 'HASH' },
        { AttributeName: table.sortKey, KeyType: 'RANGE' },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream },
      GlobalSecondaryIndexes: [
        {
          IndexName: table.openMessagesIndex.name,
          KeySchema: [
            { AttributeName: table.openMessagesIndex.partitionKey, KeyType: 'HASH' },
            { AttributeName: table.openMessagesIndex.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    }),
  );
  await dynamo.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
    }),
  );
}
