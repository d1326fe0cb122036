import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { WebhookQueueMessage } from '../../domain/queue-messages';
import type { SlotState } from '../../domain/workflow/engine';
import type {
  ConversationRecord,
  ConversationScope,
  ConversationStartStore,
  ConversationStore,
  PlannedReply,
  StartCommit,
  TurnCommit,
  TurnCommitResult,
} from '../../ports/conversation-store';
import { cancelledConditions, isConditionFailure } from './errors';
import { keys, RETENTION_DAYS, ttlSeconds } from './keys';
import { putIfAbsent } from './put-if-absent';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What the state keeps of the turn that wrote it, so a retry of that turn queues the same. */
interface LastTurn {
  readonly messageSid: string;
  readonly replies: readonly PlannedReply[];
  readonly webhook?: WebhookQueueMessage;
}

/** A turn found recorded: what its inbound entry says it owes. */
function recordedTurn(inbound: Record<string, unknown>): TurnCommitResult {
  const replies = (inbound.replies as PlannedReply[] | undefined) ?? [];
  const webhook = inbound.webhook as WebhookQueueMessage | undefined;
  return { outcome: 'duplicate', replies, ...(webhook ? { webhook } : {}) };
}

/**
 * The transcript entry of a reply written ahead of its send (an API start, an apology): pending
 * until the sender claims it. A turn's replies get theirs from the sender's claim (claimSend).
 */
function replyEntry(
  tenantId: string,
  customer: string,
  reply: PlannedReply,
  turn: { conversationId: string; from: string; at: string },
) {
  return {
    ...keys.transcriptEntry(tenantId, customer, reply.transcriptKey),
    direction: 'outbound',
    conversationId: turn.conversationId,
    sendId: reply.sendId,
    from: turn.from,
    to: customer,
    body: reply.body,
    at: turn.at,
    expiresAt: ttlSeconds(turn.at, RETENTION_DAYS),
  };
}

export class DynamoConversationStore implements ConversationStore, ConversationStartStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async load(scope: ConversationScope): Promise<ConversationRecord | undefined> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.conversationState(scope),
        ConsistentRead: true,
      }),
    );
    const item = result.Item;
    if (!item) return undefined;
    return {
      tenantId: scope.tenantId,
      customer: scope.customer,
      conversationId: String(item.conversationId),
      businessNumber: scope.businessNumber,
      workflowId: String(item.workflowId),
      slots: item.slots as SlotState,
      version: Number(item.version),
      startedAt: String(item.startedAt),
      lastActivityAt: String(item.lastActivityAt),
      expiresAt: String(item.conversationExpiresAt),
      recentMessageSids: Array.isArray(item.recentMessageSids) ? item.recentMessageSids.map(String) : [],
    };
  }

  async recordReply(
    reply: PlannedReply & { tenantId: string; customer: string; businessNumber: string; at: string },
  ): Promise<void> {
    // Written once: a retry must not reset what the sender recorded on it since.
    await putIfAbsent(
      this.client,
      this.tableName,
      replyEntry(reply.tenantId, reply.customer, reply, {
        conversationId: '',
        from: reply.businessNumber,
        at: reply.at,
      }),
    );
  }

  async commitStart(commit: StartCommit): Promise<'committed' | 'conflict' | 'duplicate'> {
    const { tenantId, customer, conversation } = commit;
    const turn = { conversationId: commit.conversationId, from: commit.businessNumber, at: commit.at };
    const items: TransactItem[] = commit.replies.map((reply, index) => ({
      Put: {
        TableName: this.tableName,
        Item: replyEntry(tenantId, customer, reply, turn),
        // The first entry is the start's marker: present means an earlier attempt committed it.
        ...(index === 0 ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
      },
    }));
    if (conversation)
      items.push({
        Update: this.conversationUpdate(conversation, commit.expectedVersion),
      });
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return 'committed';
    } catch (error) {
      const failed = cancelledConditions(error);
      if (!failed) throw error;
      if (failed[0]) return 'duplicate';
      if (conversation && failed[items.length - 1]) return 'conflict';
      throw error;
    }
  }

  /**
   * The conversation's state, written only if nobody changed it since it was read: an update, so
   * that a start leaves the record of the last turn (`lastTurn`, `recentMessageSids`) as it was. A
   * turn's write also records itself, and is refused when its message is already applied.
   */
  private conversationUpdate(
    conversation: ConversationRecord,
    expectedVersion: number | undefined,
    turn?: LastTurn,
  ) {
    const fields: Record<string, unknown> = {
      conversationId: conversation.conversationId,
      businessNumber: conversation.businessNumber,
      workflowId: conversation.workflowId,
      slots: conversation.slots,
      version: conversation.version,
      startedAt: conversation.startedAt,
      lastActivityAt: conversation.lastActivityAt,
      conversationExpiresAt: conversation.expiresAt,
      // The state outlives the conversation so an expired one is still shown; TTL tidies up.
      expiresAt: ttlSeconds(conversation.expiresAt, RETENTION_DAYS),
      ...(turn ? { lastTurn: turn, recentMessageSids: conversation.recentMessageSids ?? [] } : {}),
    };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(fields).map(([name, value], index) => {
      names[`#f${index}`] = name;
      values[`:f${index}`] = value;
      return `#f${index} = :f${index}`;
    });
    let condition = 'attribute_not_exists(pk)';
    if (expectedVersion !== undefined) {
      names['#version'] = 'version';
      values[':expected'] = expectedVersion;
      condition = '#version = :expected';
      if (turn) {
        names['#recent'] = 'recentMessageSids';
        values[':sid'] = turn.messageSid;
        condition += ' AND NOT contains(#recent, :sid)';
      }
    }
    return {
      TableName: this.tableName,
      Key: keys.conversationState(conversation),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  /**
   * Without a transaction (which bills every item twice), in an order a crash cannot break: the
   * inbound entry is looked up first (a message turned long ago is `duplicate`); the state is
   * written next, recording the turn's message and replies (`lastTurn`), refused if that message
   * is among the last ones applied (a retry after a crash: `duplicate`, with the replies it
   * recorded); the inbound entry, carrying the replies, last. A message that touches no
   * conversation is one conditional put of its inbound entry. The transcript shows the replies as
   * pending until the sender writes their own entries when it claims them.
   */
  async commitTurn(commit: TurnCommit): Promise<TurnCommitResult> {
    const { tenantId, customer, inbound, conversation } = commit;
    const inboundKey = keys.transcriptEntry(tenantId, customer, inbound.transcriptKey);
    const inboundItem = (replies: readonly PlannedReply[], webhook: WebhookQueueMessage | undefined) => ({
      ...inboundKey,
      direction: 'inbound',
      conversationId: inbound.conversationId,
      messageSid: inbound.messageSid,
      from: inbound.from,
      to: inbound.to,
      body: inbound.body,
      mediaUrls: inbound.mediaUrls,
      at: inbound.at,
      ...(inbound.note ? { note: inbound.note } : {}),
      replies,
      // The outbox of the completion webhook: a retry that finds this turn recorded queues it again.
      ...(webhook ? { webhook } : {}),
      expiresAt: ttlSeconds(inbound.at, RETENTION_DAYS),
    });
    if (!conversation) {
      const earlier = await putIfAbsent(
        this.client,
        this.tableName,
        inboundItem(commit.replies, commit.webhook),
      );
      return earlier ? recordedTurn(earlier) : { outcome: 'committed' };
    }
    const earlier = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: inboundKey, ConsistentRead: true }),
    );
    if (earlier.Item) return recordedTurn(earlier.Item);
    const turn: LastTurn = {
      messageSid: inbound.messageSid,
      replies: commit.replies,
      ...(commit.webhook ? { webhook: commit.webhook } : {}),
    };
    try {
      await this.client.send(
        new UpdateCommand({
          ...this.conversationUpdate(conversation, commit.expectedVersion, turn),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = error.Item ? unmarshall(error.Item as Record<string, AttributeValue>) : {};
      const applied =
        Array.isArray(current.recentMessageSids) && current.recentMessageSids.includes(turn.messageSid);
      if (!applied) return { outcome: 'conflict' };
      // Applied by an earlier attempt that died before recording the inbound entry (or queueing).
      const last = current.lastTurn as LastTurn | undefined;
      const recorded =
        last?.messageSid === turn.messageSid ? last : { messageSid: turn.messageSid, replies: [] };
      await putIfAbsent(this.client, this.tableName, inboundItem(recorded.replies, recorded.webhook));
      return {
        outcome: 'duplicate',
        replies: [...recorded.replies],
        ...(recorded.webhook ? { webhook: recorded.webhook } : {}),
      };
    }
    await putIfAbsent(this.client, this.tableName, inboundItem(commit.replies, commit.webhook));
    return { outcome: 'committed' };
  }
}
