import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../../local/stack';

/** A campaign's items in the local table, by kind: `META`, its recipients (`R#`) and due items (`DUE#`). */
export async function campaignItems(stack: LocalStack, tenantId: string, campaignId: string) {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await stack.clients.dynamo.send(
      new QueryCommand({
        TableName: stack.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `CAMPAIGN#${tenantId}#${campaignId}` },
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const sk = (item: Record<string, unknown>) => String(item.sk);
  return {
    meta: items.find((item) => sk(item) === 'META'),
    recipients: items.filter((item) => sk(item).startsWith('R#')),
    due: items.filter((item) => sk(item).startsWith('DUE#')),
  };
}

/** Ticks on the `campaigns` queue, by visibility: a tick held back for a campaign's start is `delayed`. */
export async function campaignTicks(stack: LocalStack) {
  const { Attributes: attributes = {} } = await stack.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.queues.campaigns.url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesDelayed',
        'ApproximateNumberOfMessagesNotVisible',
      ],
    }),
  );
  return {
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    delayed: Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}
