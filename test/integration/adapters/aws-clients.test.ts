import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AwsClientTimeouts, secretsManagerClient, sqsClient } from '../../../lambdas/shared/clients';
import { documentClient } from '../../../lambdas/shared/document-client';
import {
  FINAL_RESERVE_MS,
  SAFETY_MARGIN_MS,
  setInvocationDeadline,
} from '../../../lambdas/shared/invocation-deadline';

/**
 * The functions' AWS SDK v3 clients (lambdas/shared/clients.ts) over real sockets: what they send
 * where, and how each call ends before the invocation's deadline when the other end stalls.
 */

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Where the clients' configuration comes from in Lambda and in the local stack: the environment. */
function stubAwsEnvironment(endpoint: string): void {
  vi.stubEnv('AWS_REGION', 'eu-west-3');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDFROMENV');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret-from-env');
  vi.stubEnv('AWS_SESSION_TOKEN', 'session-from-env');
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', endpoint);
  vi.stubEnv('AWS_ENDPOINT_URL_SQS', endpoint);
  vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', endpoint);
}

describe('the functions’ AWS clients', () => {
  interface Received {
    readonly target: string;
    readonly authorization: string;
    readonly securityToken: string;
    readonly host: string;
    readonly body: Record<string, unknown>;
  }
  const received: Received[] = [];
  let server: http.Server;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        const body = JSON.parse(text) as Record<string, unknown>;
        const target = String(request.headers['x-amz-target']);
        received.push({
          target,
          authorization: String(request.headers.authorization),
          securityToken: String(request.headers['x-amz-security-token']),
          host: String(request.headers.host),
          body,
        });
        const answers: Record<string, unknown> = {
          'DynamoDB_20120810.GetItem': { Item: { pk: { S: 'a' }, n: { N: '2' } } },
          'AmazonSQS.SendMessage': {
            MessageId: 'm-1',
            MD5OfMessageBody: createHash('md5').update(String(body.MessageBody)).digest('hex'),
          },
          'secretsmanager.GetSecretValue': { ARN: 'arn', Name: body.SecretId, SecretString: '{"k":"v"}' },
        };
        response.writeHead(200, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': 'req-1',
        });
        response.end(JSON.stringify(answers[target] ?? {}));
      });
    });
    stubAwsEnvironment(await listen(server));
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await close(server);
  });

  beforeEach(() => {
    received.length = 0;
  });

  it('send each call to its AWS_ENDPOINT_URL_* endpoint, signed with the environment’s credentials for AWS_REGION', async () => {
    const item = await documentClient().send(new GetCommand({ TableName: 't', Key: { pk: 'a' } }));
    expect(item.Item).toEqual({ pk: 'a', n: 2 });
    expect(item.$metadata).toMatchObject({ httpStatusCode: 200, requestId: 'req-1', attempts: 1 });
    const sent = await sqsClient().send(
      // The queue URL's host is not where the request goes (useQueueUrlAsEndpoint: false).
      new SendMessageCommand({ QueueUrl: 'https://sqs.invalid/000000000000/q', MessageBody: 'hello' }),
    );
    expect(sent.MessageId).toBe('m-1');
    const secret = await secretsManagerClient().send(
      new GetSecretValueCommand({ SecretId: 'p/tenants/t/twilio' }),
    );
    expect(secret.SecretString).toBe('{"k":"v"}');

    expect(received.map((request) => request.target)).toEqual([
      'DynamoDB_20120810.GetItem',
      'AmazonSQS.SendMessage',
      'secretsmanager.GetSecretValue',
    ]);
    const scopes = received.map((request) =>
      /Credential=AKIDFROMENV\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(request.authorization)?.slice(1),
    );
    expect(scopes).toEqual([
      ['eu-west-3', 'dynamodb'],
      ['eu-west-3', 'sqs'],
      ['eu-west-3', 'secretsmanager'],
    ]);
    for (const request of received) expect(request.securityToken).toBe('session-from-env');
    expect(received[0]?.body).toEqual({ TableName: 't', Key: { pk: { S: 'a' } } });
  });
});

/**
 * An endpoint that accepts every connection and reads every request, and answers only from the
 * `answerFrom`-th request on: the others stall, as a dead connection or a hung server does (or,
 * with `stallBody`, after sending the answer's headers).
 */
describe('the functions’ AWS clients against a stalled endpoint', () => {
  let stalling: http.Server;
  let requests = 0;
  let answerFrom = Infinity;
  let stallBody = false;

  beforeAll(async () => {
    stalling = http.createServer((request, response) => {
      requests += 1;
      const answered = requests >= answerFrom;
      request.resume();
      request.on('end', () => {
        if (stallBody) {
          // Headers and half of the body, then nothing.
          response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': '64' });
          response.write('{"Item":');
          return;
        }
        if (!answered) return;
        // No keep-alive: every attempt opens its own connection, so the counts are the attempts'.
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', connection: 'close' });
        response.end(JSON.stringify({ Item: { pk: { S: 'a' } } }));
      });
    });
    stubAwsEnvironment(await listen(stalling));
  });

  beforeEach(() => {
    requests = 0;
    answerFrom = Infinity;
    stallBody = false;
  });

  afterEach(() => setInvocationDeadline(undefined));

  afterAll(async () => {
    vi.unstubAllEnvs();
    await close(stalling);
  });

  const get = (timeouts?: AwsClientTimeouts) =>
    documentClient(timeouts).send(new GetCommand({ TableName: 't', Key: { pk: 'a' } }));

  /** Fails the test, rather than hanging it, if a stalled call is not cut short. */
  const GUARD_MS = 20_000;

  it(
    'abort each stalled attempt at requestTimeout and retry it as a TimeoutError (standard retries)',
    async () => {
      const started = Date.now();
      const error = await get({ maxAttempts: 3, requestTimeoutMs: 200 }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'TimeoutError', $metadata: { attempts: 3 } });
      expect(requests).toBe(3);
      // Three 200 ms attempts and two short backoffs, not the SDK's default of no timeout at all.
      expect(Date.now() - started).toBeLessThan(5_000);
    },
    GUARD_MS,
  );

  it(
    'succeed when the attempt after a stalled one is answered',
    async () => {
      answerFrom = 2;
      const result = await get({ maxAttempts: 3, requestTimeoutMs: 200 });
      expect(result.Item).toEqual({ pk: 'a' });
      expect(result.$metadata.attempts).toBe(2);
      expect(requests).toBe(2);
    },
    GUARD_MS,
  );

  it(
    "with the functions' configuration, give up before an invocation deadline 2 s out",
    async () => {
      const started = Date.now();
      const deadline = started + 2_000;
      setInvocationDeadline(deadline);
      const error = await get().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'TimeoutError', $metadata: { attempts: 1 } });
      // requestTimeout (3 s) would outlive the invocation: the one attempt is cut to end with the
      // safety margin still free, and no retry fits in what is left.
      expect(Date.now()).toBeLessThan(deadline - SAFETY_MARGIN_MS + 200);
      expect(requests).toBe(1);
    },
    GUARD_MS,
  );

  it(
    'retry while time remains, then stop before the deadline with attempts left',
    async () => {
      const deadline = Date.now() + 4_000;
      setInvocationDeadline(deadline);
      const error = await get({ maxAttempts: 10, requestTimeoutMs: 400 }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'TimeoutError' });
      expect(Date.now()).toBeLessThan(deadline - SAFETY_MARGIN_MS + 200);
      // At least one retry fits; ten 400 ms attempts do not fit before the deadline.
      expect(requests).toBeGreaterThanOrEqual(2);
      expect(requests).toBeLessThan(10);
      expect(error).toMatchObject({ $metadata: { attempts: requests } });
    },
    GUARD_MS,
  );

  it(
    'abandon an answer whose body stalls after its headers, before the deadline',
    async () => {
      stallBody = true;
      const deadline = Date.now() + 2_500;
      setInvocationDeadline(deadline);
      const error = await get({ maxAttempts: 3, requestTimeoutMs: 10_000 }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(Error);
      expect(Date.now()).toBeLessThan(deadline - SAFETY_MARGIN_MS + 200);
      expect(requests).toBe(1);
    },
    GUARD_MS,
  );

  it(
    'give a call made inside the safety margin (the bookkeeping after a stalled call) the margin, less the final reserve',
    async () => {
      const deadline = Date.now() + SAFETY_MARGIN_MS - 100;
      setInvocationDeadline(deadline);
      const error = await get().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'TimeoutError', $metadata: { attempts: 1 } });
      expect(Date.now()).toBeGreaterThanOrEqual(deadline - FINAL_RESERVE_MS - 50);
      expect(Date.now()).toBeLessThan(deadline);
    },
    GUARD_MS,
  );

  it(
    'do not send at all once the deadline has passed',
    async () => {
      setInvocationDeadline(Date.now() - 1);
      const error = await get().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'TimeoutError', $metadata: { attempts: 1 } });
      expect(requests).toBe(0);
    },
    GUARD_MS,
  );
});
