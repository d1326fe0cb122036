import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryConversationStore } from '../../../lambdas/adapters/memory/conversation-store';
import { MemoryMessageQueue } from '../../../lambdas/adapters/memory/message-queue';
import { MemoryOptOutStore } from '../../../lambdas/adapters/memory/opt-out-store';
import { MemoryTenantDirectory } from '../../../lambdas/adapters/memory/tenant-directory';
import { processInbound, type TurnDeps, type TurnEvent } from '../../../lambdas/conversation/turn';
import type {
  InboundQueueMessage,
  OutboundQueueMessage,
  WebhookQueueMessage,
} from '../../../lambdas/domain/queue-messages';
import { parseWorkflow } from '../../../lambdas/domain/workflow/definition';
import { DEFAULT_HANDOFF_REPLY } from '../../../lambdas/domain/workflow/handoff';
import type { TurnCommit } from '../../../lambdas/ports/conversation-store';

const TENANT = 'acme';
const CUSTOMER = '+15551230000';
const NUMBER = '+15005550006';

const example = JSON.parse(readFileSync('examples/workflows/order-status.json', 'utf8')) as {
  fallback: Record<string, unknown>;
};
const parsed = parseWorkflow({
  ...example,
  fallback: { ...example.fallback, action: 'handoff', maxAttempts: 2 },
});
if (!parsed.ok) throw new Error(parsed.errors.join('; '));
const workflow = parsed.workflow;

/** The conversation function's turn on memory stores, keeping every commit to read what it asked the table for. */
function host() {
  const tenants = new MemoryTenantDirectory()
    .putNumber({ tenantId: TENANT, number: NUMBER, workflowId: workflow.id, allowInboundStart: true })
    .putWorkflow(TENANT, workflow);
  const events: TurnEvent[] = [];
  const commits: TurnCommit[] = [];
  const outbound = new MemoryMessageQueue<OutboundQueueMessage>();
  const store = new MemoryConversationStore();
  const conversations: TurnDeps['conversations'] = {
    load: (scope) => store.load(scope),
    commitTurn: (commit) => {
      commits.push(commit);
      return store.commitTurn(commit);
    },
    recordReply: (reply) => store.recordReply(reply),
  };
  const optOuts = new MemoryOptOutStore();
  const deps: TurnDeps = {
    tenants,
    conversations,
    outbound,
    webhooks: new MemoryMessageQueue<WebhookQueueMessage>(),
    optOuts,
    onEvent: (event) => events.push(event),
  };
  let clock = Date.UTC(2026, 11, 3, 12, 0, 0);
  let sequence = 0;
  const text = async (body: string, afterMs = 1000) => {
    sequence += 1;
    clock += afterMs;
    const queued: InboundQueueMessage = {
      v: 1,
      tenantId: TENANT,
      receivedAt: new Date(clock).toISOString(),
      message: {
        messageSid: `SM${String(sequence).padStart(32, '0')}`,
        accountSid: `AC${'d'.repeat(32)}`,
        from: CUSTOMER,
        to: NUMBER,
        body,
        mediaUrls: [],
      },
    };
    await processInbound(queued, deps);
    return outbound.drain().map((message) => message.body.body);
  };
  const state = () => store.load({ tenantId: TENANT, businessNumber: NUMBER, customer: CUSTOMER });
  return { text, state, events, commits, optOuts };
}

describe('hand-off in the conversation turn', () => {
  it('a keyword hands off once: listed, acknowledged, then every message is held for the person', async () => {
    const { text, state, events, commits } = host();
    await text('Where is my package?');
    expect(await text('AGENT')).toEqual([DEFAULT_HANDOFF_REPLY]);
    const conversationId = (await state())?.conversationId;
    expect(commits.at(-1)?.handoffListing).toEqual({
      change: 'add',
      entry: expect.objectContaining({
        businessNumber: NUMBER,
        customer: CUSTOMER,
        reason: 'keyword',
        conversationId,
      }),
    });
    expect(events).toContainEqual({
      type: 'handedOff',
      tenantId: TENANT,
      conversationId,
      businessNumber: NUMBER,
      customer: CUSTOMER,
      reason: 'keyword',
    });

    expect(await text('hello?')).toEqual([]);
    expect(await text('AGENT')).toEqual([]);
    const held = commits.slice(-2);
    expect(held.map((commit) => commit.inbound.note)).toEqual(['handed-off', 'handed-off']);
    expect(held.every((commit) => commit.handoffListing === undefined)).toBe(true);
    expect(events.filter((event) => event.type === 'heldForPerson')).toHaveLength(2);
    expect(events.filter((event) => event.type === 'handedOff')).toHaveLength(1);
    // Held messages are activity: the expiry moves on.
    expect((await state())?.expiresAt).toBe(
      new Date(Date.parse(held[1]!.inbound.at) + 24 * 3_600_000).toISOString(),
    );
  });

  it('the fallback hands off with action handoff', async () => {
    const { text, events } = host();
    await text('track my order');
    await text('no idea');
    expect(await text('still no idea')).toEqual([DEFAULT_HANDOFF_REPLY]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'handedOff', reason: 'fallback' }));
  });

  it('HELP is answered and STOP opts out while handed off; the conversation stays with the person', async () => {
    const { text, state, optOuts } = host();
    await text('HUMAN');
    expect(await text('HELP')).toHaveLength(1);
    expect(await text('STOP')).toEqual([]);
    expect(await optOuts.isOptedOut(TENANT, CUSTOMER)).toBe(true);
    expect((await state())?.slots.status).toBe('handed-off');
  });

  it('after the expiry the next message starts over with the bot and leaves the inbox', async () => {
    const { text, state, commits } = host();
    await text('HUMAN');
    const replies = await text('Where is my package?', 25 * 3_600_000);
    expect(replies[0]).toMatch(/^Thanks for reaching out!/);
    expect(commits.at(-1)?.handoffListing).toEqual({ change: 'remove' });
    expect((await state())?.slots.status).toBe('collecting');
  });
});
