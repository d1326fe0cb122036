import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from './errors';
import { keys, RETENTION_DAYS, ttlSeconds } from './keys';

export interface OperatorSendRequest {
  readonly sendId: string;
  readonly transcriptKey: string;
  readonly at: string;
  readonly from: string;
  readonly to: string;
  readonly body: string;
}

/**
 * Remembers an operator's send request under its send id, first writer wins. A repeat of the
 * same idempotency key gets the first request back, so it reuses the same transcript entry and
 * the sender's claim on the send id turns the repeat into a no-op, however late it comes.
 */
export async function rememberOperatorSend(
  client: DynamoDBDocumentClient,
  tableName: string,
  tenantId: string,
  request: OperatorSendRequest,
): Promise<{ request: OperatorSendRequest; repeated: boolean }> {
  const key = { pk: keys.send(tenantId, request.sendId).pk, sk: 'REQUEST' };
  try {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...key, ...request, expiresAt: ttlSeconds(request.at, RETENTION_DAYS) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { request, repeated: false };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const existing = await client.send(
    new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
  );
  const item = existing.Item ?? {};
  return {
    request: {
      sendId: String(item.sendId),
      transcriptKey: String(item.transcriptKey),
      at: String(item.at),
      from: String(item.from),
      to: String(item.to),
      body: String(item.body),
    },
    repeated: true,
  };
}
