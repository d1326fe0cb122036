import { describe, expect, it } from 'vitest';
import { MemoryConversationStore } from '../../../lambdas/adapters/memory/conversation-store';
import { MemoryMessageQueue } from '../../../lambdas/adapters/memory/message-queue';
import { MemoryOptOutStore } from '../../../lambdas/adapters/memory/opt-out-store';
import { MemoryTenantDirectory } from '../../../lambdas/adapters/memory/tenant-directory';
import { processInbound, type TurnDeps } from '../../../lambdas/conversation/turn';
import type {
  InboundQueueMessage,
  OutboundQueueMessage,
  WebhookQueueMessage,
} from '../../../lambdas/domain/queue-messages';
import type { ReminderTimerMessage } from '../../../lambdas/domain/workflow/reminders';
import { BUSINESS, CUSTOMER, reminderWorkflow, TENANT } from './fixtures';

function world() {
  const workflow = reminderWorkflow();
  const reminders = new MemoryMessageQueue<ReminderTimerMessage>();
  const conversations = new MemoryConversationStore();
  const deps: TurnDeps = {
    tenants: new MemoryTenantDirectory()
      .putWorkflow(TENANT, workflow)
      .putNumber({ tenantId: TENANT, number: BUSINESS, workflowId: workflow.id, allowInboundStart: true }),
    conversations,
    outbound: new MemoryMessageQueue<OutboundQueueMessage>(),
    webhooks: new MemoryMessageQueue<WebhookQueueMessage>(),
    optOuts: new MemoryOptOutStore(),
    onEvent: () => undefined,
    reminders,
  };
  return { deps, reminders, conversations };
}

function message(sid: string, body: string, receivedAt: string): InboundQueueMessage {
  return {
    v: 1,
    tenantId: TENANT,
    receivedAt,
    message: {
      messageSid: sid,
      accountSid: `AC${'0'.repeat(32)}`,
      from: CUSTOMER,
      to: BUSINESS,
      body,
      mediaUrls: [],
    },
  };
}

describe('the conversation function arms the first reminder of a prompt', () => {
  it('after a turn that asks a prompt of a route with reminders, due afterSeconds after the message', async () => {
    const { deps, reminders } = world();
    await processInbound(message('SM1', 'where is my order', '2026-12-01T15:00:00.000Z'), deps);
    expect(reminders.drain()).toEqual([
      {
        body: {
          v: 1,
          tenantId: TENANT,
          businessNumber: BUSINESS,
          customer: CUSTOMER,
          conversationId: 'SM1',
          silenceKey: 'SM1',
          index: 0,
          dueAt: '2026-12-01T15:00:10.000Z',
        },
        delaySeconds: expect.any(Number),
      },
    ]);
  });

  it('not after a turn of a route without reminders, nor one that completes', async () => {
    const { deps, reminders } = world();
    await processInbound(message('SM1', 'opening hours?', '2026-12-01T15:00:00.000Z'), deps);
    expect(reminders.drain()).toEqual([]);
    await processInbound(message('SM2', 'order 123456 placed Nov 30', '2026-12-01T15:01:00.000Z'), deps);
    expect(reminders.drain()).toEqual([]);
  });

  it('again when a redelivered message finds its turn recorded and is still the last one', async () => {
    const { deps, reminders } = world();
    const first = message('SM1', 'where is my order', '2026-12-01T15:00:00.000Z');
    await processInbound(first, deps);
    reminders.drain();
    await processInbound(first, deps);
    expect(reminders.drain().map((timer) => timer.body.silenceKey)).toEqual(['SM1']);
    await processInbound(message('SM2', '123456', '2026-12-01T15:00:05.000Z'), deps);
    expect(reminders.drain().map((timer) => timer.body.silenceKey)).toEqual(['SM2']);
    // SM1 is no longer the last message: its redelivery arms nothing.
    await processInbound(first, deps);
    expect(reminders.drain()).toEqual([]);
  });
});
