import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isConversationCounter } from '../../domain/campaign/conversation-counters';
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
import { campaignCountersUpdate, lostTransactionRace } from './campaign-counters';
import { cancellationReasons, cancelledConditions } from './errors';
import { keys, RETENTION_DAYS, ttlSeconds } from './keys';
import { putIfAbsent } from './put-if-absent';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A turn found recorded: what its inbound entry says it owes. */
function recordedTurn(inbound: Record<string, unknown>): TurnCommitResult {
  const replies = (inbound.replies as PlannedReply[] | undefined) ?? [];
  const webhook = inbound.webhook as WebhookQueueMessage | undefined;
  return { outcome: 'duplicate', replies, ...(webhook ? { webhook } : {}) };
}

/** An item a cancelled transaction returned (ReturnValuesOnConditionCheckFailure): wire form. */
function oldItem(item: unknown): Record<string, unknown> {
  return item ? unmarshall(item as Record<string, AttributeValue>) : {};
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
    ...(reply.mediaUrls?.length ? { mediaUrls: reply.mediaUrls } : {}),
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
      ...(typeof item.lastInboundAt === 'string' ? { lastInboundAt: item.lastInboundAt } : {}),
      ...(typeof item.campaignId === 'string' ? { campaignId: item.campaignId } : {}),
      ...(Array.isArray(item.campaignCounted)
        ? { campaignCounted: item.campaignCounted.filter(isConversationCounter) }
        : {}),
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
   * that a start leaves what the last turn recorded (`recentMessageSids`, `lastInboundAt`) as it
   * was. A turn's write is also refused when its message is among the last ones applied. A
   * conversation that is not a campaign's (a new one in its place) leaves no campaign behind.
   */
  private conversationUpdate(
    conversation: ConversationRecord,
    expectedVersion: number | undefined,
    turnMessageSid?: string,
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
      ...(turnMessageSid
        ? {
            recentMessageSids: conversation.recentMessageSids ?? [],
            ...(conversation.lastInboundAt ? { lastInboundAt: conversation.lastInboundAt } : {}),
          }
        : {}),
      ...(conversation.campaignId !== undefined ? { campaignId: conversation.campaignId } : {}),
      ...(conversation.campaignId !== undefined && conversation.campaignCounted?.length
        ? { campaignCounted: conversation.campaignCounted }
        : {}),
    };
    const removed = ['campaignId', 'campaignCounted'].filter((name) => !(name in fields));
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
      if (turnMessageSid) {
        names['#recent'] = 'recentMessageSids';
        values[':sid'] = turnMessageSid;
        condition += ' AND NOT contains(#recent, :sid)';
      }
    }
    return {
      TableName: this.tableName,
      Key: keys.conversationState(conversation),
      UpdateExpression: `SET ${sets.join(', ')}${removed.length > 0 ? ` REMOVE ${removed.join(', ')}` : ''}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  /**
   * One transaction: the state (conditional on the version read, and on the message not being
   * among the last ones applied) and the inbound entry carrying the turn's replies and webhook
   * (conditional on not existing). Either both are written or neither, so no crash can leave a
   * turn applied without its record, and a message redriven any time later is recognised by its
   * entry. Transactions bill each item twice; measured in `npm run bench` (docs/performance.md).
   * A message that touches no conversation is one conditional put of its inbound entry. The
   * campaign counters a turn adds (`campaignCounters`) are a third item of the same transaction.
   */
  async commitTurn(commit: TurnCommit): Promise<TurnCommitResult> {
    const { tenantId, customer, inbound, conversation } = commit;
    const inboundItem = {
      ...keys.transcriptEntry(tenantId, customer, inbound.transcriptKey),
      direction: 'inbound',
      conversationId: inbound.conversationId,
      messageSid: inbound.messageSid,
      from: inbound.from,
      to: inbound.to,
      body: inbound.body,
      mediaUrls: inbound.mediaUrls,
      at: inbound.at,
      ...(inbound.note ? { note: inbound.note } : {}),
      replies: commit.replies,
      // The outbox of the completion webhook: a retry that finds this turn recorded queues it again.
      ...(commit.webhook ? { webhook: commit.webhook } : {}),
      expiresAt: ttlSeconds(inbound.at, RETENTION_DAYS),
    };
    if (!conversation) {
      const earlier = await putIfAbsent(this.client, this.tableName, inboundItem);
      return earlier ? recordedTurn(earlier) : { outcome: 'committed' };
    }
    const counting = commit.campaignCounters?.counters.length ? commit.campaignCounters : undefined;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                ...this.conversationUpdate(conversation, commit.expectedVersion, inbound.messageSid),
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: inboundItem,
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            ...(counting
              ? [
                  campaignCountersUpdate(
                    this.tableName,
                    { tenantId, campaignId: counting.campaignId },
                    counting.counters,
                  ),
                ]
              : []),
          ],
        }),
      );
      return { outcome: 'committed' };
    } catch (error) {
      // Another transaction on the same state (or campaign) at the same moment: read again, as for
      // a conflict.
      if ((error as Error)?.name === 'TransactionConflictException') return { outcome: 'conflict' };
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const [state, entry, campaign] = reasons;
      if (entry?.Code === 'ConditionalCheckFailed') return recordedTurn(oldItem(entry.Item));
      if (state?.Code !== 'ConditionalCheckFailed') {
        // The campaign is gone: nothing left to count into, and the turn must not fail for it.
        if (campaign?.Code === 'ConditionalCheckFailed')
          return this.commitTurn({ ...commit, campaignCounters: undefined });
        if (lostTransactionRace(error)) return { outcome: 'conflict' };
        throw error;
      }
      const recent = oldItem(state.Item).recentMessageSids;
      // The same message applied under another transcript key (a second webhook for one SID):
      // its own entry owes the replies, so this one owes nothing.
      if (Array.isArray(recent) && recent.includes(inbound.messageSid))
        return { outcome: 'duplicate', replies: [] };
      return { outcome: 'conflict' };
    }
  }
}
