import { describe, expect, it } from 'vitest';
import { processInbound, type TurnDeps } from '../../../lambdas/conversation/turn';
import type { OutboundQueueMessage, WebhookQueueMessage } from '../../../lambdas/domain/queue-messages';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import type { ConversationRecord } from '../../../lambdas/ports/conversation-store';
import { RecordingQueue } from '../../support/fakes';
import { completionWebhookGroupId } from '../../../lambdas/domain/events/lanes';

const words = Array.from({ length: 400 }, (_, index) => `word${index}`);
const longReply = words.join(' ');
// Each text fits Twilio's 1,600 characters (the schema's bound); the greeting and the reply together do not.
const greeting = words.slice(0, 200).join(' ');
const completion = words.slice(200).join(' ');

function workflow(): Workflow {
  const parsed = parseWorkflow({
    id: 'long',
    greeting,
    routes: [
      { id: 'any', match: { keywords: [] }, mandatoryVariables: [], onComplete: { reply: completion } },
    ],
    fallback: { reply: 'Sorry?', maxAttempts: 2 },
    failureMessage: 'Oops.',
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.workflow;
}

function deps(outbound: RecordingQueue<OutboundQueueMessage>): TurnDeps {
  const conversations = new Map<string, ConversationRecord>();
  return {
    tenants: {
      getNumber: async (tenantId, number) => ({
        tenantId,
        number,
        workflowId: 'long',
        allowInboundStart: true,
      }),
      getWorkflow: async () => workflow(),
    },
    conversations: {
      load: async (scope) => conversations.get(scope.customer),
      commitTurn: async (commit) => {
        if (commit.conversation) conversations.set(commit.customer, commit.conversation);
        return { outcome: 'committed' };
      },
      recordReply: async () => undefined,
    },
    outbound,
    webhooks: new RecordingQueue<WebhookQueueMessage>(),
    optOuts: { isOptedOut: async () => false, optOut: async () => undefined, optIn: async () => undefined },
    onEvent: () => undefined,
  };
}

describe('conversation turn', () => {
  it('sends a reply over 1600 characters as ordered parts, each its own idempotent send', async () => {
    const outbound = new RecordingQueue<OutboundQueueMessage>();
    await processInbound(
      {
        v: 1,
        tenantId: 'demo',
        receivedAt: '2026-11-22T12:00:00.000Z',
        message: {
          messageSid: `SM${'a'.repeat(32)}`,
          accountSid: `AC${'d'.repeat(32)}`,
          from: '+15551234567',
          to: '+15005550006',
          body: 'hi',
          mediaUrls: [],
        },
      },
      deps(outbound),
    );
    const bodies = outbound.sent.map((message) => message.body.body);
    expect(longReply.length).toBeGreaterThan(1600);
    expect(bodies.length).toBe(2);
    expect(bodies.every((body) => body.length <= 1600)).toBe(true);
    expect(bodies.join(' ')).toBe(longReply);
    expect(outbound.sent.map((message) => message.deduplicationId)).toEqual([
      `SM${'a'.repeat(32)}-0`,
      `SM${'a'.repeat(32)}-1`,
    ]);
    expect(new Set(outbound.sent.map((message) => message.groupId))).toEqual(
      new Set(['demo#+15005550006#+15551234567']),
    );
  });
});

describe('completion webhook jobs', () => {
  const withWebhook = (): Workflow => {
    const parsed = parseWorkflow({
      id: 'orders',
      routes: [
        {
          id: 'track',
          match: { keywords: ['order'] },
          mandatoryVariables: [
            { name: 'order_number', type: 'pattern', pattern: '\\b\\d{6}\\b', prompt: 'Number?' },
          ],
          onComplete: { reply: 'Thanks!', webhook: { url: 'https://example.com/hook' } },
        },
      ],
      fallback: { reply: 'Sorry?' },
      failureMessage: 'Oops.',
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    return parsed.workflow;
  };
  const inbound = (sid: string, body: string) => ({
    v: 1 as const,
    tenantId: 'demo',
    receivedAt: '2026-11-22T12:00:00.000Z',
    message: {
      messageSid: sid,
      accountSid: `AC${'d'.repeat(32)}`,
      from: '+15551234567',
      to: '+15005550006',
      body,
      mediaUrls: [],
    },
  });

  it('queues exactly one job when the conversation completes, none before', async () => {
    const base = deps(new RecordingQueue<OutboundQueueMessage>());
    const webhooks = new RecordingQueue<WebhookQueueMessage>();
    const turnDeps: TurnDeps = {
      ...base,
      webhooks,
      tenants: { ...base.tenants, getWorkflow: async () => withWebhook() },
    };
    await processInbound(inbound(`SM${'1'.repeat(32)}`, 'where is my order'), turnDeps);
    expect(webhooks.sent).toHaveLength(0);
    await processInbound(inbound(`SM${'2'.repeat(32)}`, 'it is 123456'), turnDeps);
    expect(webhooks.sent).toHaveLength(1);
    const [queued] = webhooks.sent;
    expect(queued?.body).toMatchObject({
      tenantId: 'demo',
      conversationId: `SM${'1'.repeat(32)}`,
      workflowId: 'orders',
      routeId: 'track',
      customer: '+15551234567',
      variables: { order_number: '123456' },
      url: 'https://example.com/hook',
    });
    // webhooks.fifo: the destination's lane for this customer, deduplicated on the webhook id.
    expect(queued?.groupId).toBe(completionWebhookGroupId(queued?.body ?? ({} as WebhookQueueMessage)));
    expect(queued?.groupId).toMatch(/^demo#[0-9a-f]{16}#[0-3]$/);
    expect(queued?.deduplicationId).toBe(queued?.body.webhookId);
  });

  it('queues the recorded job again when a retry finds the turn already committed', async () => {
    const recorded: WebhookQueueMessage[] = [];
    const base = deps(new RecordingQueue<OutboundQueueMessage>());
    const webhooks = new RecordingQueue<WebhookQueueMessage>();
    let committed = false;
    const turnDeps: TurnDeps = {
      ...base,
      webhooks,
      tenants: { ...base.tenants, getWorkflow: async () => withWebhook() },
      conversations: {
        ...base.conversations,
        load: async () => undefined,
        commitTurn: async (commit) => {
          if (committed) return { outcome: 'duplicate', replies: [...commit.replies], webhook: recorded[0] };
          committed = true;
          if (commit.webhook) recorded.push(commit.webhook);
          return { outcome: 'committed' };
        },
      },
    };
    const message = inbound(`SM${'3'.repeat(32)}`, 'order 654321');
    await processInbound(message, turnDeps);
    await processInbound(message, turnDeps);
    expect(webhooks.sent).toHaveLength(2);
    expect(new Set(webhooks.sent.map((sent) => sent.body.webhookId)).size).toBe(1);
    expect(webhooks.sent[1]?.body).toEqual(recorded[0]);
  });
});
