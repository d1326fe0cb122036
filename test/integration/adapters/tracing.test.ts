import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tracerEnvironment } from '../../../lib/topology';
import { bundleEntry, REPO_ROOT } from '../../../local/runtime/bundle';

/**
 * Powertools Tracer in a bundle built as the functions' are (lib/bundling.ts), run in a fresh
 * process with a function's environment: in a traced stage every AWS call and the Twilio call is an
 * X-Ray subsegment (sent to a stand-in daemon here); in the local stage nothing is sent or printed.
 */

const outDir = path.join(REPO_ROOT, '.local', `tracing-test-${process.pid}`);
const PHONE = '+15551234567';
let bundlePath: string;
let endpoint: string;
let server: http.Server;
let daemon: dgram.Socket;
const datagrams: string[] = [];

beforeAll(async () => {
  bundlePath = (
    await bundleEntry('test/integration/adapters/fixtures/traced-calls.ts', path.join(outDir, 'traced.mjs'))
  ).path;
  server = http.createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      if (request.url?.startsWith('/2010-04-01/')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ messages: [] }));
        return;
      }
      const body = JSON.parse(text) as Record<string, unknown>;
      const answers: Record<string, unknown> = {
        'DynamoDB_20120810.GetItem': { Item: { pk: { S: 'a' } } },
        'AmazonSQS.SendMessage': {
          MessageId: 'm-1',
          MD5OfMessageBody: createHash('md5').update(String(body.MessageBody)).digest('hex'),
        },
        'secretsmanager.GetSecretValue': { ARN: 'arn', Name: 'n', SecretString: '{}' },
      };
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'req-1' });
      response.end(JSON.stringify(answers[String(request.headers['x-amz-target'])] ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  daemon = dgram.createSocket('udp4');
  daemon.on('message', (message) => datagrams.push(message.toString()));
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  daemon.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(outDir, { recursive: true, force: true });
});

beforeEach(() => {
  datagrams.length = 0;
});

/**
 * Runs the handler once in a fresh process with the environment Lambda and the topology give it
 * (asynchronously: the stand-ins answer from this process).
 */
function invoke(stage: string): Promise<{ stdout: string; stderr: string }> {
  const probe = [
    'const { handler } = await import(process.argv[1]);',
    "const context = { functionName: 'sender', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 10000 };",
    'process.stdout.write(await handler({}, context));',
  ].join(' ');
  const env = {
    PATH: process.env.PATH ?? '',
    // What Lambda sets (an active-tracing function gets a trace header per invocation).
    AWS_REGION: 'us-east-1',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: 'sender',
    LAMBDA_TASK_ROOT: path.dirname(bundlePath),
    _HANDLER: 'traced.handler',
    _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
    AWS_ACCESS_KEY_ID: 'AKID',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_SESSION_TOKEN: 'session',
    // Lambda runs Node 22; on an older local Node the SDK's upgrade notice would be the only output.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ENDPOINT_URL_SQS: endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    TWILIO_API_BASE_URL: endpoint,
    POWERTOOLS_SERVICE_NAME: 'sender',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    ...tracerEnvironment(stage),
  };
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--input-type=module', '-e', probe, pathToFileURL(bundlePath).href],
      { encoding: 'utf8', timeout: 30_000, env },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`the traced handler failed: ${stderr}`, { cause: error }))
          : resolve({ stdout, stderr }),
    ),
  );
}

interface Subsegment {
  readonly name: string;
  readonly namespace?: string;
  readonly aws?: { operation?: string };
  readonly http?: { request?: { method?: string; url?: string }; response?: { status?: number } };
  readonly subsegments?: Subsegment[];
}

/** Every subsegment the stand-in daemon received, nested ones included. */
async function receivedSubsegments(): Promise<Subsegment[]> {
  // UDP: give the datagrams sent just before the process exited a moment to be read.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const all: Subsegment[] = [];
  const walk = (segment: Subsegment) => {
    all.push(segment);
    for (const child of segment.subsegments ?? []) walk(child);
  };
  for (const datagram of datagrams) {
    // `{"format":"json","version":1}` then a newline and the (sub)segment document.
    walk(JSON.parse(datagram.slice(datagram.indexOf('\n') + 1)) as Subsegment);
  }
  return all;
}

describe('X-Ray tracing of the functions', () => {
  it('records every AWS call and the Twilio call as a subsegment in a deployed stage', async () => {
    const { stdout, stderr } = await invoke('dev');
    expect(stdout).toBe('done');
    expect(stderr).toBe('');
    const subsegments = await receivedSubsegments();
    const byName = new Map(subsegments.map((subsegment) => [subsegment.name, subsegment]));
    expect(byName.get('DynamoDB')).toMatchObject({ namespace: 'aws', aws: { operation: 'GetItem' } });
    expect(byName.get('SQS')).toMatchObject({ namespace: 'aws', aws: { operation: 'SendMessage' } });
    expect(byName.get('SecretsManager')).toMatchObject({
      namespace: 'aws',
      aws: { operation: 'GetSecretValue' },
    });
    const host = new URL(endpoint).host;
    expect(byName.get(host)).toMatchObject({
      namespace: 'remote',
      http: {
        request: { method: 'GET', url: `${endpoint}/2010-04-01/Accounts/AC${'d'.repeat(32)}/Messages.json` },
        response: { status: 200 },
      },
    });
    expect(subsegments.some((subsegment) => subsegment.name.startsWith('## '))).toBe(true);
    // The Twilio list query names the customer: no trace may carry it.
    expect(datagrams.join('\n')).not.toContain(PHONE.slice(2));
  });

  it('sends and prints nothing in the local stage, which has no X-Ray daemon', async () => {
    const { stdout, stderr } = await invoke('local');
    expect(stdout).toBe('done');
    expect(stderr).toBe('');
    expect(await receivedSubsegments()).toEqual([]);
  });
});
