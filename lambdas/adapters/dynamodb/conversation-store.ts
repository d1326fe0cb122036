import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { WebhookQueueMessage } from '../../domain/queue-messages';
import type { SlotState } from '../../domain/workflow/engine';
import type {
  ConversationRecord,
  ConversationStartStore,
  ConversationStore,
  PlannedReply,
  StartCommit,
  TurnCommit,
  TurnCommitResult,
} from '../../ports/conversation-store';
import { cancellationItem, cancelledConditions, isConditionFailure } from './errors';
import { keys, RETENTION_DAYS, ttlSeconds } from './keys';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

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

  async load(tenantId: string, customer: string): Promise<ConversationRecord | undefined> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.conversationState(tenantId, customer),
        ConsistentRead: true,
      }),
    );
    const item = result.Item;
    if (!item) return undefined;
    return {
      tenantId,
      customer,
      conversationId: String(item.conversationId),
      businessNumber: String(item.businessNumber),
      workflowId: String(item.workflowId),
      slots: item.slots as SlotState,
      version: Number(item.version),
      startedAt: String(item.startedAt),
      lastActivityAt: String(item.lastActivityAt),
      expiresAt: String(item.conversationExpiresAt),
    };
  }

  async recordReply(
    reply: PlannedReply & { tenantId: string; customer: string; businessNumber: string; at: string },
  ): Promise<void> {
    await this.putReplyEntries(reply.tenantId, reply.customer, [reply], {
      conversationId: '',
      from: reply.businessNumber,
      at: reply.at,
    });
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
      items.push(this.conversationPut(tenantId, customer, conversation, commit.expectedVersion));
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

  /** The conversation's state, written only if nobody changed it since it was read. */
  private conversationPut(
    tenantId: string,
    customer: string,
    conversation: ConversationRecord,
    expectedVersion: number | undefined,
  ): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.conversationState(tenantId, customer),
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
        },
        ...(expectedVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: 'version = :expected',
              ExpressionAttributeValues: { ':expected': expectedVersion },
            }),
      },
    };
  }

  /**
   * The inbound message (only once: keyed by its MessageSid) and the new state (only if nobody
   * changed it since it was read) in one transaction; without a state change, one conditional put.
   * The inbound entry carries the replies (the transcript shows them as pending until the sender
   * writes their own entries when it claims them), so a retry finds the turn recorded (`duplicate`).
   */
  async commitTurn(commit: TurnCommit): Promise<TurnCommitResult> {
    const { tenantId, customer, inbound, conversation } = commit;
    const inboundPut = {
      TableName: this.tableName,
      Item: {
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
      },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
    let recorded: Record<string, unknown> | undefined;
    try {
      if (conversation) {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: inboundPut },
              this.conversationPut(tenantId, customer, conversation, commit.expectedVersion),
            ],
          }),
        );
      } else {
        await this.client.send(new PutCommand(inboundPut));
      }
    } catch (error) {
      if (isConditionFailure(error)) {
        recorded = error.Item ? unmarshall(error.Item as Record<string, AttributeValue>) : {};
      } else {
        const failed = cancelledConditions(error);
        if (!failed) throw error;
        if (failed[0]) recorded = cancellationItem(error, 0) ?? {};
        else if (failed[1]) return { outcome: 'conflict' };
        else throw error;
      }
    }
    if (!recorded) return { outcome: 'committed' };
    const replies = (recorded.replies as PlannedReply[] | undefined) ?? [];
    const webhook = recorded.webhook as WebhookQueueMessage | undefined;
    return { outcome: 'duplicate', replies, ...(webhook ? { webhook } : {}) };
  }

  /** The replies' transcript entries, each written once: a retry must not reset what the sender recorded. */
  private async putReplyEntries(
    tenantId: string,
    customer: string,
    replies: readonly PlannedReply[],
    turn: { conversationId: string; from: string; at: string },
  ): Promise<void> {
    for (const reply of replies) {
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: replyEntry(tenantId, customer, reply, turn),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
  }
}
