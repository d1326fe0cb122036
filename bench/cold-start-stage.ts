import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { stageConfig } from '../lib/config';
import {
  type EnvironmentValues,
  type FunctionId,
  type FunctionSpec,
  functionEnvironment,
  functions,
  type QueueId,
} from '../lib/topology';
import { DynamoCampaignStore } from '../lambdas/adapters/dynamodb/campaign-store';
import { keys } from '../lambdas/adapters/dynamodb/keys';
import { campaignIdFor } from '../lambdas/domain/campaign/campaign';
import type {
  CampaignTickMessage,
  InboundQueueMessage,
  OutboundQueueMessage,
  StatusQueueMessage,
  WebhookQueueMessage,
} from '../lambdas/domain/queue-messages';
import { tenantSecretName } from '../lambdas/domain/tenant';
import type { ReminderTimerMessage } from '../lambdas/domain/workflow/reminders';
import { type ProvisionedQueue, provisionQueues } from '../local/provision';
import { proxyEvent } from '../local/runtime/api-gateway-event';
import { forwardRequest } from '../local/runtime/http-forward';
import { closeServer } from '../local/runtime/net';
import { lambdaSqsEvent } from '../local/runtime/sqs-event';
import { lambdaStreamEvent } from '../local/runtime/dynamodb-stream-source';
import { DEMO_TENANT, seedDemoTenant } from '../local/seed';
import {
  type AwsEndpoints,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  LOCAL_STAGE,
  LOCAL_TABLE_NAME,
  scheduledEvent,
  startLocalServices,
} from '../local/stack';
import { putTenantWebhookSecret, secretsBackedDirectory } from '../local/tenants';
import { startTwilioSimulator, type TwilioSimulator } from '../local/twilio-sim';
import { twilioSignature } from '../test/support/twilio-signing';
import { AwsRequestCounter, type AwsRequestCounts } from './aws-requests';

/**
 * The world the cold-start probes (bench/cold-start.ts) run against: the local stack's stand-ins
 * (DynamoDB Local, fauxqs, the Secrets Manager stand-in, the Twilio simulator) with its table,
 * queues and the seeded demo tenant, each function's environment as the local stack gives it, and
 * for each function a realistic first event. No event source mappings and no functions run here:
 * the only code reacting to an event is the probe's, so nothing else loads the machine meanwhile.
 *
 * The four functions of a turn are chained within a round, each fed what the previous one really
 * produced: ingest gets a signed inbound webhook from a new customer; conversation the inbound
 * queue message ingest sent; sender the reply conversation queued; status the delivered callback
 * for the message sender created at the simulator. conversations-api gets a signed-in start of the
 * demo workflow, campaign-dispatcher the first tick of a one-recipient campaign of the demo
 * workflow, notifier a completion webhook to a local receiver, events a customer's opt-out as the
 * table's stream gives it, reminders a due timer of a silence that ended, reconcile its scheduled event.
 * Every function's AWS endpoints go through a counting proxy (bench/aws-requests.ts), so a round
 * shows which calls each first event made.
 */

/** The order of a round: a function's first event may be what the one before it produced. */
export const CHAIN: readonly FunctionId[] = [
  'ingest',
  'conversation',
  'sender',
  'status',
  'conversations-api',
  'campaign-dispatcher',
  'notifier',
  'events',
  'reminders',
  'reconcile',
];

export interface FirstEvent {
  readonly event: unknown;
  /** Undefined when the handler's answer is what the event should get; else what is wrong. */
  check(result: unknown): string | undefined;
  /** Clean-up after the probe (e.g. take what it queued), awaited before the next probe starts. */
  after?(): Promise<void>;
}

export interface ColdStartStage {
  /** Each function's environment, less what the probe's Node sets (bench/cold-start.ts adds it). */
  readonly environments: Readonly<Record<FunctionId, Record<string, string>>>;
  readonly baselineEnvironment: Readonly<Record<string, string>>;
  /** A new customer per round, so every round's events are first contacts, not later turns. */
  startRound(): void;
  /** The first event of `id` this round (after the previous functions of the chain ran). */
  firstEvent(id: FunctionId): Promise<FirstEvent>;
  baselineEvent(): FirstEvent;
  /** AWS requests through the counting proxies since the last call. */
  takeAwsRequests(): AwsRequestCounts['requests'];
  close(): Promise<void>;
}

const RECEIVE_ATTEMPTS = 20;

/** A local receiver for what the functions send out of AWS: status callbacks, completion webhooks. */
async function startSink(): Promise<{ url: string; requests: () => string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      seen.push(`${request.method} ${request.url}`);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests: () => [...seen], close: () => closeServer(server) };
}

/**
 * In AWS a queue URL names the host the SDK sends to, so a default SQSClient (useQueueUrlAsEndpoint)
 * sends where the endpoint says. fauxqs's URLs name `sqs.<region>.localhost`, which does not resolve
 * here: the baseline gets queue URLs naming this front, which puts fauxqs's URL back in the body and
 * forwards to `upstream` (the counting proxy).
 */
async function startQueueUrlFront(
  upstream: string,
  fauxqsQueueUrl: string,
): Promise<{ queueUrl: string; endpoint: string; close: () => Promise<void> }> {
  const queueName = new URL(fauxqsQueueUrl).pathname;
  let front = '';
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.from(
        Buffer.concat(chunks).toString().replaceAll(`${front}${queueName}`, fauxqsQueueUrl),
      );
      void forwardRequest(upstream, request, body)
        .then((answer) => response.writeHead(answer.status, answer.headers).end(answer.body))
        .catch((error: unknown) => response.writeHead(502).end(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { queueUrl: `${front}${queueName}`, endpoint: front, close: () => closeServer(server) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function httpCheck(result: unknown): string | undefined {
  const status = isRecord(result) ? result.statusCode : undefined;
  return typeof status === 'number' && status >= 200 && status < 300
    ? undefined
    : `answered ${JSON.stringify(result)}`;
}

function batchCheck(result: unknown): string | undefined {
  const failures = isRecord(result) ? result.batchItemFailures : undefined;
  return result === null || (Array.isArray(failures) && failures.length === 0)
    ? undefined
    : `reported ${JSON.stringify(result)}`;
}

export async function startColdStartStage(): Promise<ColdStartStage> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    const config = stageConfig(LOCAL_STAGE);
    const { dynamoLocal, sqsLocal, secretsLocal, dynamo, sqs, secrets } = await startLocalServices(closers);
    const provisioned = await provisionQueues(sqs);
    const baselineQueue = await sqs.send(new CreateQueueCommand({ QueueName: 'bench-default-baseline' }));
    if (!baselineQueue.QueueUrl) throw new Error('bench: the baseline queue was not created');

    // The demo tenant, as `npm start` seeds it, and a completion-webhook signing key.
    const workflow = await seedDemoTenant({
      clients: { secrets, dynamo },
      tenantSecretPrefix: config.tenantSecretPrefix,
      tableName: LOCAL_TABLE_NAME,
    });
    await putTenantWebhookSecret(secrets, config.tenantSecretPrefix, DEMO_TENANT.tenantId, {
      signingKey: 'bench-signing-key-0123456789abcdef',
    });

    // Status callbacks and completion webhooks end at the sink: nothing else runs a function.
    const sink = await startSink();
    closers.push(sink.close);
    const simulator: TwilioSimulator = await startTwilioSimulator({
      port: 0,
      directory: secretsBackedDirectory(secrets, config.tenantSecretPrefix),
      platformBaseUrl: sink.url,
      callbackDelayMs: 20,
    });
    closers.push(() => simulator.close());

    const counter = new AwsRequestCounter();
    closers.push(() => counter.close());
    const standIns: AwsEndpoints = {
      dynamodb: dynamoLocal.endpoint,
      sqs: sqsLocal.endpoint,
      secretsManager: secretsLocal.endpoint,
    };
    const endpoints = await counter.proxyAll(standIns);

    const values: EnvironmentValues = {
      tableName: LOCAL_TABLE_NAME,
      tenantSecretPrefix: config.tenantSecretPrefix,
      publicBaseUrl: sink.url,
      twilioApiBaseUrl: simulator.url,
      metricsNamespace: config.metricsNamespace,
      logLevel: config.logLevel,
      stage: config.stage,
      queueUrls: Object.fromEntries(
        Object.entries(provisioned).map(([id, queue]) => [id, queue.url]),
      ) as Record<QueueId, string>,
      dlqUrls: Object.fromEntries(
        Object.entries(provisioned).map(([id, queue]) => [id, queue.dlqUrl]),
      ) as Record<QueueId, string>,
    };
    // What the Lambda service and the SDK's standard settings provide (local/stack.ts platformEnv).
    const platformEnv: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_SQS: endpoints.sqs,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
    };
    const environments = Object.fromEntries(
      Object.values(functions).map((spec: FunctionSpec) => [
        spec.id,
        { ...functionEnvironment(spec, values), ...platformEnv },
      ]),
    ) as Record<FunctionId, Record<string, string>>;
    const baselineFront = await startQueueUrlFront(endpoints.sqs, baselineQueue.QueueUrl);
    closers.push(baselineFront.close);
    const demoNumberKey = keys.tenantNumber(DEMO_TENANT.tenantId, DEMO_TENANT.number);
    const baselineEnvironment = {
      ...platformEnv,
      TABLE_NAME: LOCAL_TABLE_NAME,
      ITEM_PK: demoNumberKey.pk,
      ITEM_SK: demoNumberKey.sk,
      SECRET_ID: tenantSecretName(config.tenantSecretPrefix, DEMO_TENANT.tenantId),
      AWS_ENDPOINT_URL_SQS: baselineFront.endpoint,
      QUEUE_URL: baselineFront.queueUrl,
    };

    /** Waits for the message `match` picks on a queue, deletes it (and anything else there). */
    async function take(queue: ProvisionedQueue, match: (body: unknown) => boolean): Promise<Message> {
      for (let attempt = 0; attempt < RECEIVE_ATTEMPTS; attempt++) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        let found: Message | undefined;
        for (const message of Messages) {
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }),
          );
          if (!found && match(JSON.parse(message.Body ?? 'null'))) found = message;
        }
        if (found) return found;
      }
      throw new Error(`bench: no expected message on ${queue.spec.localName}`);
    }

    /** Sends `body` to a queue and receives it back as the event source mapping would. */
    async function viaQueue(queue: ProvisionedQueue, body: object, id: string): Promise<Message> {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: JSON.stringify(body),
          // FIFO queues (webhooks.fifo) need a group and a deduplication id.
          ...(queue.spec.fifo ? { MessageGroupId: id, MessageDeduplicationId: id } : {}),
        }),
      );
      return take(queue, (received) => isRecord(received) && JSON.stringify(received).includes(id));
    }

    const sqsEvent = (queue: ProvisionedQueue, message: Message) =>
      lambdaSqsEvent([message], queue.arn, LOCAL_REGION);

    let rounds = 0;
    let customer = '';
    let tag = '';

    const builders: Record<FunctionId, () => Promise<FirstEvent>> = {
      ingest: async () => {
        const sid = `SM${randomUUID().replace(/-/g, '')}`;
        const params: Record<string, string> = {
          ToCountry: 'US',
          SmsMessageSid: sid,
          NumMedia: '0',
          SmsSid: sid,
          SmsStatus: 'received',
          Body: 'Where is my package?',
          FromCountry: 'US',
          To: DEMO_TENANT.number,
          NumSegments: '1',
          MessageSid: sid,
          AccountSid: DEMO_TENANT.accountSid,
          From: customer,
          ApiVersion: '2010-04-01',
        };
        const path = `/webhooks/twilio/${DEMO_TENANT.tenantId}/inbound`;
        const body = new URLSearchParams(params).toString();
        const event = proxyEvent(
          {
            method: 'POST',
            url: path,
            rawHeaders: [
              'Host',
              new URL(sink.url).host,
              'Content-Type',
              'application/x-www-form-urlencoded',
              'User-Agent',
              'TwilioProxy/1.1',
              'X-Twilio-Signature',
              twilioSignature(DEMO_TENANT.authToken, `${sink.url}${path}`, params),
            ],
            body: Buffer.from(body),
            sourceIp: '127.0.0.1',
          },
          {
            stage: config.stage,
            resource: '/webhooks/twilio/{tenantId}/inbound',
            pathParameters: { tenantId: DEMO_TENANT.tenantId },
            requestId: randomUUID(),
            now: new Date(),
          },
        );
        return { event, check: httpCheck };
      },
      conversation: async () => {
        const message = await take(
          provisioned.inbound,
          (body) => (body as InboundQueueMessage | null)?.message?.from === customer,
        );
        return { event: sqsEvent(provisioned.inbound, message), check: batchCheck };
      },
      sender: async () => {
        const message = await take(
          provisioned.outbound,
          (body) => (body as OutboundQueueMessage | null)?.to === customer,
        );
        return { event: sqsEvent(provisioned.outbound, message), check: batchCheck };
      },
      status: async () => {
        const sent = simulator.messages().find((message) => message.resource.to === customer);
        if (!sent) throw new Error('bench: sender created no message at the simulator');
        const body: StatusQueueMessage = {
          v: 1,
          tenantId: DEMO_TENANT.tenantId,
          receivedAt: new Date().toISOString(),
          callback: {
            messageSid: sent.sid,
            accountSid: DEMO_TENANT.accountSid,
            status: 'delivered',
            from: DEMO_TENANT.number,
            to: customer,
          },
        };
        const message = await viaQueue(provisioned.status, body, sent.sid);
        return { event: sqsEvent(provisioned.status, message), check: batchCheck };
      },
      'conversations-api': async () => {
        const path = `/v1/tenants/${DEMO_TENANT.tenantId}/conversations`;
        const to = `${customer.slice(0, -1)}9`;
        const body = JSON.stringify({ from: DEMO_TENANT.number, to, workflowId: workflow.id, variables: {} });
        const event = proxyEvent(
          {
            method: 'POST',
            url: path,
            rawHeaders: [
              'Host',
              'local.execute-api',
              'Content-Type',
              'application/json',
              'Idempotency-Key',
              `bench-${tag}`,
            ],
            body: Buffer.from(body),
            sourceIp: '127.0.0.1',
          },
          {
            stage: config.stage,
            resource: '/v1/tenants/{tenantId}/conversations',
            pathParameters: { tenantId: DEMO_TENANT.tenantId },
            requestId: randomUUID(),
            now: new Date(),
            identity: {
              accessKey: LOCAL_CREDENTIALS.accessKeyId,
              userArn: 'arn:aws:iam::000000000000:user/local',
            },
          },
        );
        return {
          event,
          check: httpCheck,
          // The start queued its first message: take it, so the outbound queue stays empty.
          after: async () => {
            await take(provisioned.outbound, (queued) => (queued as OutboundQueueMessage | null)?.to === to);
          },
        };
      },
      'campaign-dispatcher': async () => {
        // A campaign of the demo workflow from the demo number to one new customer, ready to go.
        const to = `${customer.slice(0, -1)}8`;
        const campaignId = campaignIdFor(DEMO_TENANT.tenantId, `bench-${tag}`, () => '');
        const campaigns = new DynamoCampaignStore(dynamo, LOCAL_TABLE_NAME);
        const at = new Date();
        await campaigns.create({
          tenantId: DEMO_TENANT.tenantId,
          campaignId,
          sender: {
            kind: 'number',
            from: DEMO_TENANT.number,
            segmentsPerSecond: DEMO_TENANT.segmentsPerSecond,
          },
          content: { kind: 'workflow', workflowId: workflow.id },
          defaultTimeZone: 'UTC',
          startAt: at.toISOString(),
          createdAt: at.toISOString(),
        });
        await campaigns.addRecipients(DEMO_TENANT.tenantId, campaignId, [
          { phone: to, variables: {}, line: 2, notBeforeMs: at.getTime() },
        ]);
        await campaigns.markRecipientsComplete(DEMO_TENANT.tenantId, campaignId);
        const tick: CampaignTickMessage = { v: 1, tenantId: DEMO_TENANT.tenantId, campaignId };
        const message = await viaQueue(provisioned.campaigns, tick, campaignId);
        return {
          event: sqsEvent(provisioned.campaigns, message),
          check: batchCheck,
          // The tick started its one recipient and completed the campaign (no next tick): take the
          // start's first message, so the outbound queue stays empty.
          after: async () => {
            await take(provisioned.outbound, (queued) => (queued as OutboundQueueMessage | null)?.to === to);
          },
        };
      },
      notifier: async () => {
        const webhookId = `bench-${tag}`;
        const body: WebhookQueueMessage = {
          v: 1,
          webhookId,
          tenantId: DEMO_TENANT.tenantId,
          conversationId: `bench-conversation-${tag}`,
          workflowId: workflow.id,
          routeId: workflow.routes[0]?.id ?? 'main',
          customer,
          variables: { orderNumber: '123456' },
          completedAt: new Date().toISOString(),
          url: `${sink.url}/completions`,
        };
        const message = await viaQueue(provisioned.webhooks, body, webhookId);
        const posted = () => sink.requests().filter((request) => request === 'POST /completions').length;
        const before = posted();
        return {
          event: sqsEvent(provisioned.webhooks, message),
          check: (result) =>
            batchCheck(result) ?? (posted() > before ? undefined : 'did not POST the completion webhook'),
        };
      },
      // A customer's opt-out as the table's stream gives it: the demo tenant has no subscription.
      events: async () => ({
        event: lambdaStreamEvent([
          {
            eventID: randomUUID(),
            eventName: 'INSERT',
            eventVersion: '1.1',
            eventSource: 'aws:dynamodb',
            awsRegion: LOCAL_REGION,
            dynamodb: {
              ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
              Keys: { pk: { S: `OPTOUT#${DEMO_TENANT.tenantId}#${customer}` }, sk: { S: 'OPTOUT' } },
              NewImage: {
                pk: { S: `OPTOUT#${DEMO_TENANT.tenantId}#${customer}` },
                sk: { S: 'OPTOUT' },
                optedOutAt: { S: new Date().toISOString() },
                source: { S: 'keyword' },
              },
              SequenceNumber: '1',
              StreamViewType: 'NEW_AND_OLD_IMAGES',
            },
          },
        ]),
        check: batchCheck,
      }),
      // A due reminder timer of a silence that ended (the common case: the customer answered): it
      // reads the customer's conversation and drops the timer.
      reminders: async () => {
        const timerId = `bench-${tag}`;
        const body: ReminderTimerMessage = {
          v: 1,
          tenantId: DEMO_TENANT.tenantId,
          businessNumber: DEMO_TENANT.number,
          customer,
          conversationId: timerId,
          silenceKey: timerId,
          index: 0,
          dueAt: new Date().toISOString(),
        };
        const message = await viaQueue(provisioned.reminders, body, timerId);
        return { event: sqsEvent(provisioned.reminders, message), check: batchCheck };
      },
      reconcile: async () => ({
        event: scheduledEvent('reconcile'),
        check: (result) => (result === null || isRecord(result) ? undefined : `answered ${String(result)}`),
      }),
    };

    return {
      environments,
      baselineEnvironment,
      startRound: () => {
        // A new customer per round of the stage's life (every Node's rounds): +1555030NNN0,
        // +1555030NNN9 for the conversations API's start and +1555030NNN8 for the campaign's.
        rounds++;
        tag = `${rounds}-${randomUUID().slice(0, 8)}`;
        customer = `+1555030${String(rounds % 1000).padStart(3, '0')}0`;
      },
      firstEvent: (id) => builders[id](),
      baselineEvent: () => ({ event: { from: customer, body: 'Where is my package?' }, check: httpCheck }),
      takeAwsRequests: () => {
        const { requests } = counter.snapshot();
        counter.reset();
        return requests;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
