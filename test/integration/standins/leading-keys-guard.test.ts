import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionTable } from '../../../local/provision';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../../local/standins/dynamodb';
import {
  type LeadingKeysGuard,
  leadingKeysOf,
  startLeadingKeysGuard,
} from '../../../local/standins/leading-keys-guard';

/** The local stand-in for IAM's dynamodb:LeadingKeys, through the real SDK against DynamoDB Local. */
const TABLE = 'leading-keys-test';
let dynamo: DynamoDbLocal;
let guard: LeadingKeysGuard;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startDynamoDbLocal({ port: 0 });
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  await provisionTable(
    new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials }),
    TABLE,
  );
  guard = await startLeadingKeysGuard({
    upstream: dynamo.endpoint,
    prefixes: ['MESSAGE#'],
    readOnlyPrefixes: ['TENANT#'],
    functionName: 'status',
  });
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: guard.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }),
  );
}, 60_000);

afterAll(async () => {
  await guard?.close();
  await dynamo?.close();
});

describe('leading keys guard', () => {
  it('passes requests on items under the prefixes', async () => {
    await documents.send(
      new PutCommand({ TableName: TABLE, Item: { pk: 'MESSAGE#SM1', sk: 'META', status: 'sent' } }),
    );
    const read = await documents.send(
      new GetCommand({ TableName: TABLE, Key: { pk: 'MESSAGE#SM1', sk: 'META' } }),
    );
    expect(read.Item?.status).toBe('sent');
    const queried = await documents.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: '#p = :pk',
        ExpressionAttributeNames: { '#p': 'pk' },
        ExpressionAttributeValues: { ':pk': 'MESSAGE#SM1' },
      }),
    );
    expect(queried.Items).toHaveLength(1);
  });

  it('lets a read-only prefix be read but never written (a tenant configuration item)', async () => {
    const read = await documents.send(
      new GetCommand({ TableName: TABLE, Key: { pk: 'TENANT#demo', sk: 'WORKFLOW#order-status' } }),
    );
    expect(read.Item).toBeUndefined();
    for (const write of [
      () =>
        documents.send(
          new PutCommand({ TableName: TABLE, Item: { pk: 'TENANT#demo', sk: 'WORKFLOW#order-status' } }),
        ),
      () =>
        documents.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: TABLE, Item: { pk: 'MESSAGE#SM3', sk: 'META' } } },
              { Put: { TableName: TABLE, Item: { pk: 'TENANT#demo', sk: 'NUMBER#+15005550006' } } },
            ],
          }),
        ),
    ]) {
      await expect(write()).rejects.toMatchObject({
        name: 'AccessDeniedException',
        message: expect.stringContaining('TENANT#demo'),
      });
    }
    expect(guard.refusals().filter((refusal) => refusal.includes('TENANT#demo'))).toEqual([
      'PutItem TENANT#demo',
      'TransactWriteItems MESSAGE#SM3 TENANT#demo',
    ]);
  });

  it('refuses, as AWS does, a request that touches any item outside them', async () => {
    await expect(
      documents.send(
        new PutCommand({ TableName: TABLE, Item: { pk: 'CONV#demo#+15551230000', sk: 'STATE' } }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(
      documents.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: TABLE, Item: { pk: 'MESSAGE#SM2', sk: 'META' } } },
            { Put: { TableName: TABLE, Item: { pk: 'SEND#demo#SM2-0', sk: 'SEND' } } },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const untouched = await documents.send(
      new GetCommand({ TableName: TABLE, Key: { pk: 'MESSAGE#SM2', sk: 'META' } }),
    );
    expect(untouched.Item).toBeUndefined();
    expect(guard.refusals().filter((refusal) => !refusal.includes('TENANT#'))).toEqual([
      'PutItem CONV#demo#+15551230000',
      'TransactWriteItems MESSAGE#SM2 SEND#demo#SM2-0',
    ]);
  });

  it('reads the partition keys of every kind of item request', () => {
    const s = (value: string) => ({ S: value });
    expect(leadingKeysOf('UpdateItem', { Key: { pk: s('A#1'), sk: s('x') } })).toEqual(['A#1']);
    expect(
      leadingKeysOf('BatchGetItem', { RequestItems: { t: { Keys: [{ pk: s('A#1') }, { pk: s('B#2') }] } } }),
    ).toEqual(['A#1', 'B#2']);
    expect(
      leadingKeysOf('BatchWriteItem', {
        RequestItems: {
          t: [{ PutRequest: { Item: { pk: s('A#1') } } }, { DeleteRequest: { Key: { pk: s('B#2') } } }],
        },
      }),
    ).toEqual(['A#1', 'B#2']);
    expect(
      leadingKeysOf('Query', {
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
        ExpressionAttributeValues: { ':p': s('C#3'), ':s': s('MSG#') },
      }),
    ).toEqual(['C#3']);
    // Index queries are granted by their own statement; a Scan has no leading key to allow.
    expect(leadingKeysOf('Query', { IndexName: 'open', KeyConditionExpression: 'openShard = :p' })).toBe(
      'not-an-item-request',
    );
    expect(leadingKeysOf('Scan', {})).toBeUndefined();
  });
});
