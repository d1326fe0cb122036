import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { OptOutStore } from '../../ports/opt-out-store';
import { keys } from './keys';

export class DynamoOptOutStore implements OptOutStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async isOptedOut(tenantId: string, customer: string): Promise<boolean> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.optOut(tenantId, customer),
        ConsistentRead: true,
      }),
    );
    return result.Item !== undefined;
  }

  async optOut(tenantId: string, customer: string, change: { at: string; source: string }): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.optOut(tenantId, customer),
          tenantId,
          customer,
          optedOutAt: change.at,
          source: change.source,
        },
      }),
    );
  }

  async optIn(tenantId: string, customer: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: keys.optOut(tenantId, customer) }),
    );
  }
}
