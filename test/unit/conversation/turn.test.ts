import { describe, expect, it } from 'vitest';
import { processInbound, type TurnDeps } from '../../../lambdas/conversation/turn';
import type { OutboundQueueMessage } from '../../../lambdas/domain/queue-messages';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import type { ConversationRecord } from '../../../lambdas/ports/conversation-store';
import { RecordingQueue } from '../../support/fakes';

const longReply = Array.from({ length: 400 }, (_, index) => `word${index}`).join(' ');

function workflow(): Workflow {
  const parsed = parseWorkflow({
    id: 'long',
    routes: [
      { id: 'any', match: { keywords: [] }, mandatoryVariables: [], onComplete: { reply: longReply } },
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
      load: async (_tenant, customer) => conversations.get(customer),
      commitTurn: async (commit) => {
        if (commit.conversation) conversations.set(commit.customer, commit.conversation);
        return { outcome: 'committed' };
      },
      recordReply: async () => undefined,
    },
    outbound,
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
    expect(new Set(outbound.sent.map((message) => message.groupId))).toEqual(new Set(['demo#+15551234567']));
  });
});
