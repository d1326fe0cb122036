import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { filterFromStored } from '../../domain/events/catalog';
import type { EventSubscription } from '../../domain/events/subscription';
import type { EventSubscriptionAdmin } from '../../ports/event-subscriptions';
import { keys } from './keys';

/**
 * `TENANT#<tenant>` / `EVENTSUB#<subscriptionId>`: `url`, `types` (a list, or `all`), `createdAt`.
 * Under the tenant's configuration partition: operators write it (smsctl), functions only read it.
 */
export class DynamoEventSubscriptions implements EventSubscriptionAdmin {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(tenantId: string): Promise<EventSubscription[]> {
    const subscriptions: EventSubscription[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': keys.tenantProfile(tenantId).pk,
            ':prefix': keys.eventSubscriptionPrefix,
          },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        subscriptions.push({
          tenantId,
          subscriptionId: String(item.sk).slice(keys.eventSubscriptionPrefix.length),
          url: String(item.url),
          types: filterFromStored(item.types),
          createdAt: String(item.createdAt),
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return subscriptions;
  }

  async put(subscription: EventSubscription): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.eventSubscription(subscription.tenantId, subscription.subscriptionId),
          url: subscription.url,
          types: subscription.types === 'all' ? 'all' : [...subscription.types],
          createdAt: subscription.createdAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async delete(tenantId: string, subscriptionId: string): Promise<boolean> {
    const result = await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: keys.eventSubscription(tenantId, subscriptionId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return result.Attributes !== undefined;
  }
}
