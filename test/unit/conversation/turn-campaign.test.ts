import { describe, expect, it } from 'vitest';
import { MemoryMessageQueue } from '../../../lambdas/adapters/memory/message-queue';
import { MemoryOptOutStore } from '../../../lambdas/adapters/memory/opt-out-store';
import { MemoryTenantDirectory } from '../../../lambdas/adapters/memory/tenant-directory';
import { processInbound, type TurnDeps } from '../../../lambdas/conversation/turn';
import type {
  InboundQueueMessage,
  OutboundQueueMessage,
  WebhookQueueMessage,
} from '../../../lambdas/domain/queue-messages';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import { startWorkflow } from '../../../lambdas/domain/workflow/start';
import type {
  ConversationRecord,
  ConversationScope,
  ConversationStore,
  TurnCommit,
  TurnCommitResult,
} from '../../../lambdas/ports/conversation-store';

const TENANT = 'acme';
const CUSTOMER = '+15551230000';
const NUMBER = '+15005550006';
const CAMPAIGN = `cmp-${'c'.repeat(32)}`;
const STARTED_AT = '2026-12-03T11:59:00.000Z';

function parsed(definition: Record<string, unknown>): Workflow {
  const result = parseWorkflow(definition);
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.workflow;
}

const confirm = parsed({
  id: 'confirm',
  routes: [
    {
      id: 'confirm',
      mandatoryVariables: [{ name: 'ok', type: 'yesno', prompt: 'Keep your visit? Reply YES or NO.' }],
      onComplete: { reply: 'Thanks, noted: {{ok}}.' },
    },
  ],
  fallback: { reply: 'Sorry?', maxAttempts: 3 },
  failureMessage: 'Oops, our side.',
});

/**
 * The conversation store's contract (duplicate by transcript key or recent SID, conflict by
 * version), with the campaign counters a committed turn adds, by campaign and counter.
 */
class CountingConversations implements ConversationStore {
  readonly states = new Map<string, ConversationRecord>();
  readonly entries = new Set<string>();
  readonly counters = new Map<string, number>();
  readonly commits: TurnCommit[] = [];
  /** Runs once before the next commit: another writer changing the state under the turn. */
  interleave: (() => void) | undefined;

  static key(scope: ConversationScope): string {
    return `${scope.businessNumber}#${scope.customer}`;
  }

  async load(scope: ConversationScope): Promise<ConversationRecord | undefined> {
    return this.states.get(CountingConversations.key(scope));
  }

  async commitTurn(commit: TurnCommit): Promise<TurnCommitResult> {
    this.interleave?.();
    this.interleave = undefined;
    this.commits.push(commit);
    if (this.entries.has(commit.inbound.transcriptKey)) return { outcome: 'duplicate', replies: [] };
    const { conversation } = commit;
    if (conversation) {
      const current = this.states.get(CountingConversations.key(conversation));
      if (current?.recentMessageSids?.includes(commit.inbound.messageSid))
        return { outcome: 'duplicate', replies: [] };
      if (current?.version !== commit.expectedVersion) return { outcome: 'conflict' };
      this.states.set(CountingConversations.key(conversation), conversation);
      for (const counter of commit.campaignCounters?.counters ?? []) {
        const key = `${commit.campaignCounters?.campaignId}:${counter}`;
        this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
      }
    }
    this.entries.add(commit.inbound.transcriptKey);
    return { outcome: 'committed' };
  }

  async recordReply(): Promise<void> {}

  counted(): Record<string, number> {
    return Object.fromEntries(this.counters);
  }
}

/** A campaign's conversation as startOutbound leaves it: the workflow opened, the campaign kept. */
function campaignConversation(overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  const opened = startWorkflow({ workflow: confirm, variables: {}, now: new Date(STARTED_AT) });
  if (!opened.ok) throw new Error(opened.reason);
  return {
    tenantId: TENANT,
    customer: CUSTOMER,
    conversationId: `${CAMPAIGN}-recipient`,
    businessNumber: NUMBER,
    workflowId: confirm.id,
    slots: opened.state,
    version: 1,
    startedAt: STARTED_AT,
    lastActivityAt: STARTED_AT,
    expiresAt: '2026-12-04T11:59:00.000Z',
    campaignId: CAMPAIGN,
    ...overrides,
  };
}

function host(seed?: ConversationRecord) {
  const conversations = new CountingConversations();
  if (seed) conversations.states.set(CountingConversations.key(seed), seed);
  const tenants = new MemoryTenantDirectory()
    .putNumber({ tenantId: TENANT, number: NUMBER, workflowId: confirm.id, allowInboundStart: true })
    .putWorkflow(TENANT, confirm);
  const deps: TurnDeps = {
    tenants,
    conversations,
    outbound: new MemoryMessageQueue<OutboundQueueMessage>(),
    webhooks: new MemoryMessageQueue<WebhookQueueMessage>(),
    optOuts: new MemoryOptOutStore(),
    onEvent: () => undefined,
  };
  let sequence = 0;
  const inbound = (body: string, messageSid?: string): InboundQueueMessage => {
    sequence += 1;
    return {
      v: 1,
      tenantId: TENANT,
      receivedAt: new Date(Date.UTC(2026, 11, 3, 12, 0, sequence)).toISOString(),
      message: {
        messageSid: messageSid ?? `SM${String(sequence).padStart(32, '0')}`,
        accountSid: `AC${'d'.repeat(32)}`,
        from: CUSTOMER,
        to: NUMBER,
        body,
        mediaUrls: [],
      },
    };
  };
  const text = async (body: string) => {
    const queued = inbound(body);
    await processInbound(queued, deps);
    return queued;
  };
  const state = () => conversations.states.get(`${NUMBER}#${CUSTOMER}`);
  return { conversations, deps, text, inbound, state };
}

describe("a campaign's conversation", () => {
  it('counts the first answer once and the completion once, and keeps its campaign', async () => {
    const { conversations, text, state } = host(campaignConversation());
    await text('hmm, not sure');
    expect(conversations.counted()).toEqual({ [`${CAMPAIGN}:replied`]: 1 });
    await text('maybe later');
    expect(conversations.counted()).toEqual({ [`${CAMPAIGN}:replied`]: 1 });
    await text('yes');
    expect(state()?.slots.status).toBe('completed');
    expect(conversations.counted()).toEqual({ [`${CAMPAIGN}:replied`]: 1, [`${CAMPAIGN}:completed`]: 1 });
    // Texting again after the end: the workflow answers, the campaign counts nothing more.
    await text('yes');
    await text('no');
    expect(conversations.counted()).toEqual({ [`${CAMPAIGN}:replied`]: 1, [`${CAMPAIGN}:completed`]: 1 });
    expect(state()).toMatchObject({ campaignId: CAMPAIGN, campaignCounted: ['replied', 'completed'] });
  });

  it('counts an answer that completes the workflow at once as both', async () => {
    const { conversations, text } = host(campaignConversation());
    await text('YES');
    expect(conversations.counted()).toEqual({ [`${CAMPAIGN}:replied`]: 1, [`${CAMPAIGN}:completed`]: 1 });
  });

  it('counts a STOP once, however often the customer opts out and in again', async () => {
    const { conversations, text, state } = host(campaignConversation());
    await text('STOP');
    expect(conversations.counted()).toEqual({ [`${CAMPAIGN}:optedOut`]: 1 });
    // The conversation is left as it was: only the mark and the STOP's SID are new.
    expect(state()).toMatchObject({
      version: 2,
      campaignCounted: ['optedOut'],
      slots: { status: 'collecting' },
    });
    await text('START');
    await text('STOP');
    expect(conversations.counted()).toEqual({ [`${CAMPAIGN}:optedOut`]: 1 });
  });

  it('counts nothing twice for a message delivered twice', async () => {
    const { conversations, deps, inbound } = host(campaignConversation());
    const answer = inbound('not sure');
    await processInbound(answer, deps);
    await processInbound(answer, deps);
    const stop = inbound('STOP');
    await processInbound(stop, deps);
    await processInbound(stop, deps);
    expect(conversations.counted()).toEqual({ [`${CAMPAIGN}:replied`]: 1, [`${CAMPAIGN}:optedOut`]: 1 });
  });

  it('reads again after a conflict and counts against the state it then finds', async () => {
    const { conversations, text } = host(campaignConversation());
    // Another message of the customer's was applied meanwhile, and counted the answer.
    conversations.interleave = () => {
      const current = conversations.states.get(`${NUMBER}#${CUSTOMER}`);
      if (current)
        conversations.states.set(`${NUMBER}#${CUSTOMER}`, {
          ...current,
          version: current.version + 1,
          campaignCounted: ['replied'],
        });
    };
    await text('not sure');
    expect(conversations.commits.map((commit) => commit.campaignCounters?.counters)).toEqual([
      ['replied'],
      undefined,
    ]);
    expect(conversations.counted()).toEqual({});
  });

  it('counts nothing for a conversation that is not a campaign’s', async () => {
    const { conversations, text, state } = host(campaignConversation({ campaignId: undefined }));
    await text('yes');
    await text('STOP');
    expect(conversations.counted()).toEqual({});
    expect(conversations.commits.every((commit) => commit.campaignCounters === undefined)).toBe(true);
    expect(state()?.campaignId).toBeUndefined();
  });

  it('does not carry an expired campaign conversation into the one that replaces it', async () => {
    const { conversations, text, state } = host(
      campaignConversation({ expiresAt: '2026-12-03T12:00:00.000Z', campaignCounted: [] }),
    );
    await text('hello');
    expect(conversations.counted()).toEqual({});
    expect(state()?.conversationId).not.toBe(`${CAMPAIGN}-recipient`);
    expect(state()?.campaignId).toBeUndefined();
    expect(state()?.campaignCounted).toBeUndefined();
  });

  it('queues its replies without the campaign: they are the conversation’s, never refused by a cancel', async () => {
    const { deps, text } = host(campaignConversation());
    await text('not sure');
    const sent = (deps.outbound as MemoryMessageQueue<OutboundQueueMessage>).sent;
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((message) => message.body.campaignId === undefined)).toBe(true);
  });
});
