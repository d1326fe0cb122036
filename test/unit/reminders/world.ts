import { MemoryMessageQueue } from '../../../lambdas/adapters/memory/message-queue';
import { MemoryOptOutStore } from '../../../lambdas/adapters/memory/opt-out-store';
import { MemoryTenantDirectory } from '../../../lambdas/adapters/memory/tenant-directory';
import type { OutboundQueueMessage } from '../../../lambdas/domain/queue-messages';
import type { Workflow } from '../../../lambdas/domain/workflow/definition';
import type { ReminderTimerMessage } from '../../../lambdas/domain/workflow/reminders';
import type {
  ConversationRecord,
  ConversationScope,
  PlannedReply,
} from '../../../lambdas/ports/conversation-store';
import type { ReminderCommit, ReminderStore } from '../../../lambdas/ports/reminder-store';
import type { ReminderDeps } from '../../../lambdas/reminders/remind';
import { awaitingOrderNumber, BUSINESS, reminderWorkflow, T0, TENANT } from './fixtures';

/** The reminder store's contract in memory: the version check, the first entry's existence, inbound entries. */
export class MemoryReminderStore implements ReminderStore {
  record: ConversationRecord | undefined;
  readonly replies = new Map<string, PlannedReply & { at: string }>();
  /** Transcript keys of inbound messages (to the business number). */
  readonly inbound: string[] = [];
  commits = 0;

  constructor(record: ConversationRecord | undefined) {
    this.record = record;
  }

  async load(_scope: ConversationScope): Promise<ConversationRecord | undefined> {
    return this.record;
  }

  async commitReminder(commit: ReminderCommit): Promise<'committed' | 'conflict' | 'duplicate'> {
    const [first] = commit.replies;
    if (first && this.replies.has(first.transcriptKey)) return 'duplicate';
    if (this.record?.version !== commit.expectedVersion) return 'conflict';
    this.record = commit.conversation;
    for (const reply of commit.replies) this.replies.set(reply.transcriptKey, { ...reply, at: commit.at });
    this.commits += 1;
    return 'committed';
  }

  async inboundAfter(_scope: ConversationScope, after: string): Promise<boolean> {
    return this.inbound.some((key) => key > after);
  }
}

export interface ReminderWorld {
  readonly deps: ReminderDeps;
  readonly store: MemoryReminderStore;
  readonly outbound: MemoryMessageQueue<OutboundQueueMessage>;
  readonly timers: MemoryMessageQueue<ReminderTimerMessage>;
  readonly optOuts: MemoryOptOutStore;
  clock: Date;
  quietHours: string | undefined;
}

export function reminderWorld(
  options: { workflow?: Workflow; record?: ConversationRecord | undefined } = {},
): ReminderWorld {
  const workflow = options.workflow ?? reminderWorkflow();
  const tenants = new MemoryTenantDirectory().putWorkflow(TENANT, workflow).putNumber({
    tenantId: TENANT,
    number: BUSINESS,
    workflowId: workflow.id,
    allowInboundStart: true,
    mms: true,
  });
  const store = new MemoryReminderStore('record' in options ? options.record : awaitingOrderNumber());
  const outbound = new MemoryMessageQueue<OutboundQueueMessage>();
  const timers = new MemoryMessageQueue<ReminderTimerMessage>();
  const optOuts = new MemoryOptOutStore();
  const world: ReminderWorld = {
    store,
    outbound,
    timers,
    optOuts,
    clock: new Date(T0),
    quietHours: undefined,
    deps: {
      tenants,
      quietHours: { quietHours: async () => world.quietHours },
      conversations: store,
      optOuts,
      outbound,
      timers,
      now: () => world.clock,
    },
  };
  return world;
}
