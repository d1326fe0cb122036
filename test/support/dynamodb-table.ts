import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { provisionTable } from '../../local/provision';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/standins/dynamodb';

export interface LocalTable {
  readonly client: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** DynamoDB Local with the platform's table (as `npm start` provisions it) for one test file. */
export function useDynamoDbTable(tableName: string): () => LocalTable {
  let dynamoLocal: DynamoDbLocal | undefined;
  let table: LocalTable | undefined;
  beforeAll(async () => {
    dynamoLocal = await startDynamoDbLocal({ port: 0 });
    const client = new DynamoDBClient({
      endpoint: dynamoLocal.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await provisionTable(client, tableName);
    table = {
      client,
      documents: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
      tableName,
    };
  });
  afterAll(async () => {
    table?.client.destroy();
    await dynamoLocal?.close();
  });
  return () => {
    if (!table) throw new Error('DynamoDB Local not started');
    return table;
  };
}
