import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '../../../../lambdas/adapters/aws-lite/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
} from '../../../../lambdas/adapters/aws-lite/lib-dynamodb';

/** A DynamoDB endpoint answering from a script, recording what it was asked. */
const answers: { status: number; body: unknown }[] = [];
const received: { target: string; authorization: string; body: Record<string, unknown> }[] = [];
let server: http.Server;
let endpoint: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({
        target: String(request.headers['x-amz-target']),
        authorization: String(request.headers.authorization),
        body: JSON.parse(body) as Record<string, unknown>,
      });
      const answer = answers.shift() ?? { status: 200, body: {} };
      response.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': 'req-1',
      });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = () =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );

describe('aws-lite JSON protocol client', () => {
  it('marshals keys and items as lib-dynamodb does and unmarshals the result', async () => {
    received.length = 0;
    answers.push({
      status: 200,
      body: { Item: { pk: { S: 'a' }, n: { N: '2' }, tags: { L: [{ S: 'x' }] } } },
    });
    const result = await client().send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } }));
    expect(result.Item).toEqual({ pk: 'a', n: 2, tags: ['x'] });
    expect(result.$metadata).toMatchObject({ httpStatusCode: 200, requestId: 'req-1', attempts: 1 });
    expect(received[0]?.target).toBe('DynamoDB_20120810.GetItem');
    expect(received[0]?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AK\/\d{8}\/us-east-1\/dynamodb\/aws4_request/,
    );
    expect(received[0]?.body).toEqual({ TableName: 't', Key: { pk: { S: 'a' }, sk: { S: 'b' } } });
  });

  it('throws the modelled exception with its members, without retrying a client error', async () => {
    received.length = 0;
    answers.push({
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        message: 'Transaction cancelled',
        CancellationReasons: [{ Code: 'ConditionalCheckFailed', Item: { pk: { S: 'a' } } }, { Code: 'None' }],
      },
    });
    const error = await client()
      .send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: 't', Item: { pk: 'a', gone: undefined } } },
            {
              ConditionCheck: {
                TableName: 't',
                Key: { pk: 'b' },
                ConditionExpression: 'x = :v',
                ExpressionAttributeValues: { ':v': 1 },
              },
            },
          ],
        }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect(error).not.toBeInstanceOf(ConditionalCheckFailedException);
    expect(error).toMatchObject({
      name: 'TransactionCanceledException',
      $fault: 'client',
      CancellationReasons: [{ Code: 'ConditionalCheckFailed', Item: { pk: { S: 'a' } } }, { Code: 'None' }],
    });
    expect(received).toHaveLength(1);
    expect(received[0]?.body).toEqual({
      TransactItems: [
        { Put: { TableName: 't', Item: { pk: { S: 'a' } } } },
        {
          ConditionCheck: {
            TableName: 't',
            Key: { pk: { S: 'b' } },
            ConditionExpression: 'x = :v',
            ExpressionAttributeValues: { ':v': { N: '1' } },
          },
        },
      ],
    });
  });

  it('retries throttling and 5xx answers like the SDK (3 attempts) and reports the attempts', async () => {
    received.length = 0;
    answers.push(
      {
        status: 400,
        body: { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException' },
      },
      { status: 503, body: {} },
      { status: 200, body: { Item: { pk: { S: 'a' } } } },
    );
    const result = await client().send(new GetCommand({ TableName: 't', Key: { pk: 'a' } }));
    expect(result.Item).toEqual({ pk: 'a' });
    expect(result.$metadata.attempts).toBe(3);
    expect(received).toHaveLength(3);
  });
});
