import type { APIGatewayProxyEvent } from 'aws-lambda';
import { processInbound } from '../lambdas/conversation/turn';
import type {
  InboundQueueMessage,
  OutboundQueueMessage,
  WebhookQueueMessage,
  StatusQueueMessage,
} from '../lambdas/domain/queue-messages';
import { parseWorkflow } from '../lambdas/domain/workflow/definition';
import { handleWebhook } from '../lambdas/ingest/webhook';
import type { ConversationRecord } from '../lambdas/ports/conversation-store';
import type { MessageStore } from '../lambdas/ports/message-store';
import { processSend } from '../lambdas/sender/send';
import { writeNow } from '../lambdas/shared/reported-batch';
import { applyStatusCallback } from '../lambdas/status/apply';
import orderStatus from '../examples/workflows/order-status.json';
import { MemorySendPacer, RecordingQueue, StaticCredentials } from '../test/support/fakes';
import { twilioSignature } from '../test/support/twilio-signing';
import { percentile, round } from './stats';

/** Per-event time of each use case with in-memory adapters: the CPU a warm container spends on our code. */
async function timeEach(events: number, run: (index: number) => Promise<unknown>) {
  for (let index = 0; index < 100; index++) await run(index); // JIT warm-up
  const samples: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let index = 0; index < events; index++) {
    const start = performance.now();
    await run(index);
    samples.push(performance.now() - start);
  }
  const cpu = process.cpuUsage(cpuBefore);
  return {
    p50Ms: round(percentile(samples, 50), 4),
    p95Ms: round(percentile(samples, 95), 4),
    cpuMsPerEvent: round((cpu.user + cpu.system) / 1000 / events, 4),
    events,
  };
}

const TOKEN = '0123456789abcdef0123456789abcdef';
const ACCOUNT = `AC${'d'.repeat(32)}`;
const BASE = 'https://abc123.execute-api.us-east-1.amazonaws.com/prod';

function signedInbound(index: number): APIGatewayProxyEvent {
  const params = {
    ToCountry: 'US',
    ToState: 'CA',
    SmsMessageSid: `SM${index.toString(16).padStart(32, '0')}`,
    NumMedia: '0',
    ToCity: '',
    FromZip: '94105',
    SmsSid: `SM${index.toString(16).padStart(32, '0')}`,
    FromState: 'CA',
    SmsStatus: 'received',
    FromCity: 'SAN FRANCISCO',
    Body: 'Where is my package?',
    FromCountry: 'US',
    To: '+15005550006',
    ToZip: '',
    NumSegments: '1',
    MessageSid: `SM${index.toString(16).padStart(32, '0')}`,
    AccountSid: ACCOUNT,
    From: '+15551234567',
    ApiVersion: '2010-04-01',
  };
  const url = `${BASE}/webhooks/twilio/demo/inbound`;
  return {
    resource: '/webhooks/twilio/{tenantId}/inbound',
    path: '/webhooks/twilio/demo/inbound',
    httpMethod: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Twilio-Signature': twilioSignature(TOKEN, url, params),
    },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { tenantId: 'demo' },
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    body: new URLSearchParams(params).toString(),
    isBase64Encoded: false,
  };
}

const noop = () => undefined;

const memoryMessages: MessageStore = {
  claimSend: async () => ({ outcome: 'claimed', parks: 0 }),
  releaseSend: async () => undefined,
  parkSend: async () => undefined,
  recordSent: async () => ({ reportOutcome: false }),
  completeSend: async () => undefined,
  confirmStatusReported: async () => undefined,
  applyStatus: async () => ({
    outcome: 'advanced',
    createdAt: '2026-11-22T12:00:00.000Z',
    from: '+15005550006',
  }),
  openMessages: async () => [],
  closeOpen: async () => undefined,
};

export async function measureWarmCpu(events: number) {
  const credentials = new StaticCredentials({ demo: { accountSid: ACCOUNT, authToken: TOKEN } });
  const inboundEvents = Array.from({ length: 100 }, (_, index) => signedInbound(index));
  const ingest = await timeEach(events, async (index) => {
    const result = await handleWebhook(inboundEvents[index % 100] as APIGatewayProxyEvent, {
      publicBaseUrl: BASE,
      credentials,
      inboundQueue: new RecordingQueue<InboundQueueMessage>(),
      statusQueue: new RecordingQueue<StatusQueueMessage>(),
      now: () => new Date(),
      onSignatureRejected: noop,
      onAccepted: noop,
    });
    if (result.statusCode !== 200) throw new Error(`ingest answered ${result.statusCode}`);
  });

  const parsed = parseWorkflow(orderStatus);
  if (!parsed.ok) throw new Error('example workflow invalid');
  const workflow = parsed.workflow;
  const conversations = new Map<string, ConversationRecord>();
  const conversation = await timeEach(events, async (index) => {
    const customer = `+1555${String(index % 500).padStart(7, '0')}`;
    await processInbound(
      {
        v: 1,
        tenantId: 'demo',
        receivedAt: new Date().toISOString(),
        message: {
          messageSid: `SM${index.toString(16).padStart(32, '0')}`,
          accountSid: ACCOUNT,
          from: customer,
          to: '+15005550006',
          body: index % 3 === 0 ? 'Where is my package?' : index % 3 === 1 ? '123456' : 'December 10th',
          mediaUrls: [],
        },
      },
      {
        tenants: {
          getNumber: async (tenantId, number) => ({
            tenantId,
            number,
            workflowId: workflow.id,
            allowInboundStart: true,
          }),
          getWorkflow: async () => workflow,
        },
        conversations: {
          load: async (scope) => conversations.get(scope.customer),
          commitTurn: async (commit) => {
            if (commit.conversation) conversations.set(commit.customer, commit.conversation);
            return { outcome: 'committed' };
          },
          recordReply: async () => undefined,
        },
        outbound: new RecordingQueue<OutboundQueueMessage>(),
        webhooks: new RecordingQueue<WebhookQueueMessage>(),
        optOuts: {
          isOptedOut: async () => false,
          optOut: async () => undefined,
          optIn: async () => undefined,
        },
        onEvent: noop,
      },
    );
  });

  const sender = await timeEach(events, async (index) => {
    await processSend(
      {
        v: 1,
        tenantId: 'demo',
        sendId: `SM${index}-0`,
        conversationId: 'c',
        transcriptKey: 't',
        from: `+1500555${String(index).padStart(4, '0')}`,
        to: '+15551234567',
        body: "I'd be happy to help! Can you provide your order number?",
        mediaUrls: [],
        queuedAt: new Date().toISOString(),
      },
      1,
      {
        publicBaseUrl: BASE,
        credentials,
        sms: {
          send: async () => ({ sid: `SM${'1'.repeat(32)}`, status: 'queued', numSegments: 1 }),
          findRecent: async () => [],
          fetch: async () => undefined,
        },
        messages: memoryMessages,
        optOuts: {
          isOptedOut: async () => false,
          optOutInForce: async () => undefined,
          optOut: async () => undefined,
          optIn: async () => undefined,
        },
        campaigns: { stateOf: async () => undefined },
        // Each event from its own number: the warm path, not a paced wait, is what is measured.
        pacer: new MemorySendPacer(),
        pacingWaitBudgetMs: () => 0,
        failureBudget: 8,
        sleep: async () => undefined,
        now: () => new Date(),
        random: Math.random,
        onEvent: noop,
      },
    );
  });

  const status = await timeEach(events, async (index) => {
    await applyStatusCallback(
      {
        v: 1,
        tenantId: 'demo',
        receivedAt: new Date().toISOString(),
        callback: {
          messageSid: `SM${index.toString(16).padStart(32, '0')}`,
          accountSid: ACCOUNT,
          status: 'delivered',
        },
      },
      { id: `delivery-${index}`, receiveCount: 1 },
      { messages: memoryMessages, onEvent: noop, afterReport: writeNow },
    );
  });

  return { ingest, conversation, sender, status };
}
