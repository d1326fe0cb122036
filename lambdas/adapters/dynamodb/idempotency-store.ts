import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IdempotencyRecord, IdempotencyStore, StoredResponse } from '../../ports/idempotency-store';
import { isConditionFailure } from './errors';
import { keys } from './keys';

function storedResponse(item: Record<string, unknown>): StoredResponse {
  return {
    statusCode: Number(item.statusCode),
    body: JSON.parse(String(item.body)) as StoredResponse['body'],
  };
}

function toSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/**
 * Idempotency keys as items with a TTL. DynamoDB deletes expired items late (up to days), so an
 * expired item counts as absent here and a claim may overwrite it.
 */
export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async find(tenantId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.idempotencyKey(tenantId, key),
        ConsistentRead: true,
      }),
    );
    const item = result.Item;
    if (!item || Number(item.expiresAt) <= toSeconds(this.now().toISOString())) return undefined;
    return {
      fingerprint: String(item.fingerprint),
      startId: String(item.startId),
      at: String(item.at),
      ...(item.response ? { response: storedResponse(item.response as Record<string, unknown>) } : {}),
    };
  }

  async claim(
    tenantId: string,
    key: string,
    record: Omit<IdempotencyRecord, 'response'>,
    expiresAt: string,
  ): Promise<IdempotencyRecord> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.idempotencyKey(tenantId, key), ...record, expiresAt: toSeconds(expiresAt) },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': toSeconds(this.now().toISOString()) },
        }),
      );
      return record;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const holder = await this.find(tenantId, key);
    if (!holder) throw new Error('Idempotency key vanished while being claimed; retry');
    return holder;
  }

  async complete(tenantId: string, key: string, response: StoredResponse): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.idempotencyKey(tenantId, key),
        UpdateExpression: 'SET #response = :response',
        ExpressionAttributeNames: { '#response': 'response' },
        // The body as JSON text: a replay gets the same bytes (a DynamoDB map does not keep key order).
        ExpressionAttributeValues: {
          ':response': { statusCode: response.statusCode, body: JSON.stringify(response.body) },
        },
      }),
    );
  }
}
