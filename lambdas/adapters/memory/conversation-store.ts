import type {
  ConversationRecord,
  ConversationScope,
  ConversationStore,
  InboundTranscriptEntry,
  PlannedReply,
  TurnCommit,
  TurnCommitResult,
} from '../../ports/conversation-store';

/** One entry of a customer's transcript as the memory store keeps it. */
export type MemoryTranscriptEntry =
  | ({ direction: 'inbound'; replies: readonly PlannedReply[] } & InboundTranscriptEntry)
  | ({ direction: 'outbound'; customer: string; businessNumber: string; at: string } & PlannedReply);

function scopeKey(scope: ConversationScope): string {
  return `${scope.tenantId}#${scope.businessNumber}#${scope.customer}`;
}

/**
 * The conversation store in memory, with the DynamoDB store's contract: a turn is refused as a
 * `conflict` when the state changed since it was read and recognised as a `duplicate` when its
 * message was recorded before. `workflow simulate` runs the conversation function's own turn on it.
 */
export class MemoryConversationStore implements ConversationStore {
  private readonly states = new Map<string, ConversationRecord>();
  private readonly entries = new Map<string, MemoryTranscriptEntry>();

  async load(scope: ConversationScope): Promise<ConversationRecord | undefined> {
    return this.states.get(scopeKey(scope));
  }

  async commitTurn(commit: TurnCommit): Promise<TurnCommitResult> {
    const entryKey = `${commit.tenantId}#${commit.customer}#${commit.inbound.transcriptKey}`;
    const earlier = this.entries.get(entryKey);
    if (earlier?.direction === 'inbound') return { outcome: 'duplicate', replies: [...earlier.replies] };
    const { conversation } = commit;
    if (conversation) {
      const current = this.states.get(scopeKey(conversation));
      if (current?.recentMessageSids?.includes(commit.inbound.messageSid))
        return { outcome: 'duplicate', replies: [] };
      if (current?.version !== commit.expectedVersion) return { outcome: 'conflict' };
      this.states.set(scopeKey(conversation), conversation);
    }
    this.entries.set(entryKey, { ...commit.inbound, direction: 'inbound', replies: commit.replies });
    return { outcome: 'committed' };
  }

  async recordReply(
    reply: PlannedReply & { tenantId: string; customer: string; businessNumber: string; at: string },
  ): Promise<void> {
    const key = `${reply.tenantId}#${reply.customer}#${reply.transcriptKey}`;
    if (!this.entries.has(key)) this.entries.set(key, { ...reply, direction: 'outbound' });
  }

  /** The recorded entries, in the order they were written. */
  transcript(): MemoryTranscriptEntry[] {
    return [...this.entries.values()];
  }
}
