import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isConditionFailure } from './errors';

/**
 * Writes an item unless one with its key is there (an idempotent create). Returns the item that
 * was there, from the failed condition itself, so a retry learns what an earlier attempt wrote
 * without a read; undefined when this call wrote it.
 */
export async function putIfAbsent(
  client: DynamoDBDocumentClient,
  tableName: string,
  item: Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> {
  try {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return undefined;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // The document client does not unmarshall the item returned with a failed condition.
    return error.Item ? unmarshall(error.Item as Record<string, AttributeValue>) : {};
  }
}
