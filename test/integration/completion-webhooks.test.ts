import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionWebhookGroupId } from '../../lambdas/domain/events/lanes';
import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { webhookIdFor } from '../../lambdas/domain/completion-webhook/payload';
import type { WebhookQueueMessage } from '../../lambdas/domain/queue-messages';
import { parseWorkflow } from '../../lambdas/domain/workflow/definition';
import { METRICS } from '../../lib/metric-catalog';
import { putTenantSecret, putTenantWebhookSecret } from '../../local/tenants';
import { text, useLocalStack } from '../support/local-stack';
import { sleep, waitFor } from '../support/wait';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

/**
 * onComplete.webhook through the local stack: conversation -> webhooks queue -> notifier -> a
 * receiver on 127.0.0.1, with the signing key in the Secrets Manager stand-in and the delivery
 * records in DynamoDB Local. Retries, redeliveries and refusals as a tenant's endpoint causes them.
 */
const stack = useLocalStack();
let receiver: WebhookReceiver;

const TENANT = {
  tenantId: 'hooks',
  accountSid: `AC${'5'.repeat(32)}`,
  authToken: '5'.repeat(32),
  number: '+15005550006',
  signingKey: 'whsec_integration_0123456789abcdef0123',
};

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  const parsed = parseWorkflow({
    id: 'order-hook',
    routes: [
      {
        id: 'track-order',
        match: { keywords: ['order'] },
        mandatoryVariables: [
          { name: 'order_number', type: 'pattern', pattern: '\\b\\d{6}\\b', prompt: 'Your order number?' },
        ],
        onComplete: { reply: 'Checking order {{order_number}}.', webhook: { url: receiver.url } },
      },
    ],
    fallback: { reply: 'Sorry?', maxAttempts: 3 },
    failureMessage: 'Oops.',
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const { clients, tenantSecretPrefix, tableName } = stack();
  await putTenantSecret(clients.secrets, tenantSecretPrefix, TENANT.tenantId, {
    accountSid: TENANT.accountSid,
    authToken: TENANT.authToken,
  });
  await putTenantWebhookSecret(clients.secrets, tenantSecretPrefix, TENANT.tenantId, {
    signingKey: TENANT.signingKey,
  });
  const admin = new DynamoTenantAdmin(clients.dynamo, tableName);
  await admin.putProfile(TENANT.tenantId, { name: 'Hooks', updatedAt: new Date().toISOString() });
  await admin.putWorkflow(TENANT.tenantId, parsed.workflow);
  await admin.putNumber({
    tenantId: TENANT.tenantId,
    number: TENANT.number,
    workflowId: parsed.workflow.id,
    allowInboundStart: true,
  });
});

afterAll(async () => {
  await receiver?.close();
});

function complete(customer: string, orderNumber: string) {
  return text(stack(), {
    tenantId: TENANT.tenantId,
    from: customer,
    to: TENANT.number,
    body: `Where is my order ${orderNumber}?`,
  });
}

function waitForPosts(customer: string, count: number, timeoutMs = 20_000) {
  return waitFor(
    `${count} webhook POST(s) for ${customer}`,
    () => {
      const posts = receiver.forCustomer(customer);
      return posts.length >= count ? posts : undefined;
    },
    { timeoutMs },
  );
}

async function deliveryRecord(webhookId: string) {
  const result = await stack().clients.dynamo.send(
    new GetCommand({
      TableName: stack().tableName,
      Key: { pk: `WEBHOOK#${TENANT.tenantId}#${webhookId}`, sk: 'DELIVERY' },
    }),
  );
  return result.Item;
}

/** The job as the conversation function recorded it with the completing inbound message. */
async function recordedJob(customer: string): Promise<WebhookQueueMessage> {
  const result = await stack().clients.dynamo.send(
    new QueryCommand({
      TableName: stack().tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `CONV#${TENANT.tenantId}#${customer}` },
    }),
  );
  const job = (result.Items ?? []).find((item) => item.webhook)?.webhook as WebhookQueueMessage | undefined;
  if (!job) throw new Error(`no recorded webhook job for ${customer}`);
  return job;
}

async function webhooksQueueDrained(): Promise<true | undefined> {
  const attributes = await stack().clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack().queues.webhooks.url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const visible = Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 1);
  const inFlight = Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 1);
  return visible === 0 && inFlight === 0 ? true : undefined;
}

/** The Standard Webhooks headers of a POST, as the library's verify takes them. */
function headersOf(post: { headers: Record<string, string | string[] | undefined> } | undefined) {
  const header = (name: string) => String(post?.headers[name] ?? '');
  return {
    'webhook-id': header('webhook-id'),
    'webhook-timestamp': header('webhook-timestamp'),
    'webhook-signature': header('webhook-signature'),
  };
}

const metric = (name: string) => stack().metrics.sum(name, { TenantId: TENANT.tenantId });

/** The job with this id in the webhooks DLQ, once it is there (with its message attributes). */
function deadLettered(webhookId: string) {
  return waitFor('the job in the webhooks DLQ', async () => {
    const result = await stack().clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack().queues.webhooks.dlqUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 1,
      }),
    );
    return (result.Messages ?? []).find(
      (message) => (JSON.parse(message.Body ?? '{}') as WebhookQueueMessage).webhookId === webhookId,
    );
  });
}

describe('completion webhooks', () => {
  it('POSTs the collected variables once, signed with the tenant key', async () => {
    const customer = '+15551250001';
    const { messageSid } = await complete(customer, '123456');
    const [post] = await waitForPosts(customer, 1);
    const webhookId = webhookIdFor(TENANT.tenantId, messageSid, messageSid);

    expect(post?.path).toBe('/hooks/sms-completed');
    expect(post?.headers['content-type']).toBe('application/json');
    // Standard Webhooks: verified with the standardwebhooks library, as receivers do. The key was
    // stored before Standard Webhooks (not a whsec_ secret): receivers use whsec_ + its base64.
    expect(post?.headers['webhook-id']).toBe(webhookId);
    const timestamp = String(post?.headers['webhook-timestamp']);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    const receiverSecret = `whsec_${Buffer.from(TENANT.signingKey).toString('base64')}`;
    expect(new Webhook(receiverSecret).verify(post?.body ?? '', headersOf(post))).toEqual(
      JSON.parse(post?.body ?? ''),
    );
    expect(() => new Webhook(receiverSecret).verify(`${post?.body ?? ''} `, headersOf(post))).toThrow(
      WebhookVerificationError,
    );
    expect(JSON.parse(post?.body ?? '')).toEqual({
      type: 'conversation.completed',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      event: 'conversation.completed',
      webhookId,
      tenantId: TENANT.tenantId,
      conversationId: messageSid,
      workflowId: 'order-hook',
      routeId: 'track-order',
      customer,
      variables: { order_number: '123456' },
      completedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });

    await waitFor('delivered record', async () =>
      (await deliveryRecord(webhookId))?.state === 'delivered' ? true : undefined,
    );
    await waitFor('delivered metric', () => (metric(METRICS.webhooksDelivered) >= 1 ? true : undefined));
    await sleep(1000);
    expect(receiver.forCustomer(customer)).toHaveLength(1);
  });

  it('does not POST again when the same job is delivered again', async () => {
    const customer = '+15551250001';
    const job = await recordedJob(customer);
    expect((await deliveryRecord(job.webhookId))?.state).toBe('delivered');
    // What an SQS redelivery, or the conversation function queueing the job again after a crash, does.
    await stack().clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack().queues.webhooks.url,
        MessageBody: JSON.stringify(job),
        MessageGroupId: completionWebhookGroupId(job),
        // Past SQS's five-minute deduplication, as a redrive or a late retry would be.
        MessageDeduplicationId: `${job.webhookId}-again`,
      }),
    );
    await waitFor('the redelivered job to be consumed', webhooksQueueDrained);
    await sleep(500);
    expect(receiver.forCustomer(customer)).toHaveLength(1);
  });

  it('retries a receiver failing with 500 twice, then delivers exactly once', async () => {
    const customer = '+15551250002';
    receiver.script(customer, [500, 500, 200]);
    const retriedBefore = metric(METRICS.webhookAttemptsFailed);
    await complete(customer, '234567');
    // Backoff with full jitter: at most 5 s, then at most 10 s.
    const posts = await waitForPosts(customer, 3, 45_000);
    expect(posts.map((post) => post.answeredStatus)).toEqual([500, 500, 200]);
    expect(new Set(posts.map((post) => post.headers['webhook-id'])).size).toBe(1);
    expect(new Set(posts.map((post) => post.body)).size).toBe(1);
    await waitFor('retried metric', () =>
      metric(METRICS.webhookAttemptsFailed) >= retriedBefore + 2 ? true : undefined,
    );
    const webhookId = String(posts[0]?.headers['webhook-id']);
    await waitFor('delivered record', async () =>
      (await deliveryRecord(webhookId))?.state === 'delivered' ? true : undefined,
    );
    expect((await deliveryRecord(webhookId))?.attempts).toBe(3);
    await sleep(1000);
    expect(receiver.forCustomer(customer)).toHaveLength(3);
  }, 90_000);

  it('moves a job the receiver refuses with 400 to the webhooks DLQ, with the reason, without retrying', async () => {
    const customer = '+15551250003';
    receiver.script(customer, [400]);
    const failedBefore = metric(METRICS.webhooksFailed);
    const { messageSid } = await complete(customer, '345678');
    await waitForPosts(customer, 1);
    const webhookId = webhookIdFor(TENANT.tenantId, messageSid, messageSid);
    const dead = await deadLettered(webhookId);
    expect(dead.MessageAttributes?.DeadLetterReason?.StringValue).toBe('receiver refused: HTTP 400');
    expect((await deliveryRecord(webhookId))?.state).toBe('rejected');
    await waitFor('failed metric', () => (metric(METRICS.webhooksFailed) > failedBefore ? true : undefined));
    await sleep(1000);
    expect(receiver.forCustomer(customer)).toHaveLength(1);
  }, 60_000);

  it('moves a job naming the metadata service to the DLQ at once, as "endpoint not allowed"', async () => {
    const customer = '+15551250004';
    const job = { ...(await recordedJob('+15551250001')), customer, webhookId: 'wh_endpoint_not_allowed' };
    // A job can only name it by crossing the queue (the schema refuses it): the notifier checks again.
    await stack().clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack().queues.webhooks.url,
        MessageBody: JSON.stringify({ ...job, url: 'http://169.254.169.254/latest/meta-data' }),
        MessageGroupId: completionWebhookGroupId(job),
        MessageDeduplicationId: `${job.webhookId}-metadata`,
      }),
    );
    const dead = await deadLettered(job.webhookId);
    expect(dead.MessageAttributes?.DeadLetterReason?.StringValue).toBe('endpoint not allowed');
    expect(receiver.forCustomer(customer)).toHaveLength(0);
  }, 60_000);
});
