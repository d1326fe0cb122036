import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
import type { ClientConfig } from '../../../../lambdas/adapters/aws-lite/json-protocol-client';
import { AWS_CLIENT_CONFIG } from '../../../../lambdas/shared/clients';
import { setInvocationDeadline } from '../../../../lambdas/shared/invocation-deadline';

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

/**
 * An endpoint that accepts every connection and reads every request, and answers only from the
 * `answerFrom`-th request on: the others stall, as a dead connection or a hung server does.
 */
describe('aws-lite deadlines', () => {
  let stalling: http.Server;
  let stallingEndpoint: string;
  let requests = 0;
  let answerFrom = Infinity;

  beforeAll(async () => {
    stalling = http.createServer((request, response) => {
      requests += 1;
      const answered = requests >= answerFrom;
      request.resume();
      request.on('end', () => {
        if (!answered) return;
        // No keep-alive: every attempt opens its own connection, so the counts are the attempts'.
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', connection: 'close' });
        response.end(JSON.stringify({ Item: { pk: { S: 'a' } } }));
      });
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    stallingEndpoint = `http://127.0.0.1:${(stalling.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    requests = 0;
    answerFrom = Infinity;
  });

  afterEach(() => setInvocationDeadline(undefined));

  afterAll(() => {
    stalling.closeAllConnections();
    return new Promise<void>((resolve) => stalling.close(() => resolve()));
  });

  const stalledClient = (config: ClientConfig) =>
    DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: stallingEndpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
        ...config,
      }),
    );
  const get = (config: ClientConfig) =>
    stalledClient(config).send(new GetCommand({ TableName: 't', Key: { pk: 'a' } }));

  /** Fails the test, rather than hanging it, if a stalled call is not cut short. */
  const GUARD_MS = 20_000;

  it(
    'aborts each stalled attempt at requestTimeout and retries it as a TimeoutError, like the SDK',
    async () => {
      const started = Date.now();
      const error = await get({ maxAttempts: 3, requestHandler: { requestTimeout: 200 } }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT', $metadata: { attempts: 3 } });
      expect(requests).toBe(3);
      // Three 200 ms attempts and two short backoffs, not the minutes undici would wait.
      expect(Date.now() - started).toBeLessThan(5_000);
    },
    GUARD_MS,
  );

  it(
    'succeeds when the attempt after a stalled one is answered',
    async () => {
      answerFrom = 2;
      const result = await get({ maxAttempts: 3, requestHandler: { requestTimeout: 200 } });
      expect(result.Item).toEqual({ pk: 'a' });
      expect(result.$metadata.attempts).toBe(2);
      expect(requests).toBe(2);
    },
    GUARD_MS,
  );

  it(
    "with the functions' configuration, gives up before an invocation deadline 2 s out",
    async () => {
      const started = Date.now();
      const deadline = started + 2_000;
      setInvocationDeadline(deadline);
      const error = await get({ ...AWS_CLIENT_CONFIG }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'TimeoutError' });
      // requestTimeout (3 s) would outlive the invocation: the one attempt is cut to end with the
      // safety margin still free, and no retry fits in what is left.
      expect(Date.now()).toBeLessThan(deadline);
      expect(requests).toBe(1);
      expect(error).toMatchObject({ $metadata: { attempts: 1 } });
    },
    GUARD_MS,
  );

  it(
    'retries while time remains, then stops before the deadline with attempts left',
    async () => {
      const deadline = Date.now() + 4_000;
      setInvocationDeadline(deadline);
      const error = await get({ maxAttempts: 10, requestHandler: { requestTimeout: 400 } }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ name: 'TimeoutError' });
      expect(Date.now()).toBeLessThan(deadline);
      // At least one retry fits; ten 400 ms attempts do not fit before the deadline.
      expect(requests).toBeGreaterThanOrEqual(2);
      expect(requests).toBeLessThan(10);
      expect(error).toMatchObject({ $metadata: { attempts: requests } });
    },
    GUARD_MS,
  );
});
