import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../../local/standins/dynamodb';

const TABLE = 'standin-test';
let dynamo: DynamoDbLocal;
let client: DynamoDBClient;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  dynamo = await startDynamoDbLocal({ port: 0 });
  client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.close();
});

describe('DynamoDB Local', () => {
  it('picks a free port when given 0', () => {
    expect(dynamo.port).toBeGreaterThan(0);
    expect(dynamo.endpoint).toBe(`http://127.0.0.1:${dynamo.port}`);
  });

  it('fails a conditional write with ConditionalCheckFailedException', async () => {
    const put = () =>
      client.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { pk: { S: 'MESSAGE#SM1' }, sk: { S: 'META' }, status: { S: 'queued' } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    await put();
    await expect(put()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('writes a transaction all or nothing', async () => {
    const transact = (conversationVersion: number) =>
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: TABLE,
                Item: {
                  pk: { S: 'CONV#1' },
                  sk: { S: 'STATE' },
                  version: { N: String(conversationVersion) },
                },
                ConditionExpression: 'attribute_not_exists(pk) OR version = :previous',
                ExpressionAttributeValues: { ':previous': { N: String(conversationVersion - 1) } },
              },
            },
            {
              Put: {
                TableName: TABLE,
                Item: { pk: { S: 'CONV#1' }, sk: { S: `TURN#${conversationVersion}` } },
              },
            },
          ],
        }),
      );
    await transact(1);
    await transact(2);
    const stale = await transact(2).catch((error: unknown) => error);
    expect(stale).toBeInstanceOf(TransactionCanceledException);
    expect((stale as TransactionCanceledException).CancellationReasons?.map((reason) => reason.Code)).toEqual(
      ['ConditionalCheckFailed', 'None'],
    );
    const state = await client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'CONV#1' }, sk: { S: 'STATE' } } }),
    );
    expect(state.Item?.version).toEqual({ N: '2' });
  });
});

describe('DynamoDB Local lifecycle', () => {
  it('kills the JVM on close', async () => {
    const second = await startDynamoDbLocal({ port: 0 });
    const pid = second.pid as number;
    expect(isAlive(pid)).toBe(true);
    await second.close();
    expect(isAlive(pid)).toBe(false);
  });

  it('explains a missing Java', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startDynamoDbLocal({ port: 0 })).rejects.toThrow(/needs Java 17 or later on PATH/);
    } finally {
      process.env.PATH = path;
    }
  });
});
