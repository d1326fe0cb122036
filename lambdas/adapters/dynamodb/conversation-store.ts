import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isConversationCounter } from '../../domain/campaign/conversation-counters';
import type { WebhookQueueMessage } from '../../domain/queue-messages';
import type { SlotState } from '../../domain/workflow/engine';
import { type ReminderMarker, reminderMarkerOf, resumedPromptOf } from '../../domain/workflow/reminders';
import type { TenantRetention } from '../../ports/tenant-profiles';
import type {
  ConversationRecord,
  ConversationScope,
  ConversationStartStore,
  ConversationStore,
  HandedOffConversation,
  HandoffCommit,
  HandoffListing,
  HandoffListingChange,
  HandoffStore,
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
  retentionDays: number,
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
    ...(reply.author ? { author: reply.author } : {}),
    at: turn.at,
    expiresAt: ttlSeconds(turn.at, retentionDays),
  };
}

/** A state item as a record (`load`, `loadAll`, the inbox's batch read). */
function recordOf(scope: ConversationScope, item: Record<string, unknown>): ConversationRecord {
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
    ...withReminderMarker(reminderMarkerOf(item.reminder)),
    ...withResumedPrompt(item.resumedPrompt),
  };
}

function withResumedPrompt(value: unknown): Pick<ConversationRecord, 'resumedPrompt'> {
  const resumed = resumedPromptOf(value);
  return resumed ? { resumedPrompt: resumed } : {};
}

function withReminderMarker(marker: ReminderMarker | undefined): { reminder?: ReminderMarker } {
  return marker ? { reminder: marker } : {};
}

/** BatchGetItem reads at most 100 keys a call. */
const BATCH_GET_LIMIT = 100;

export class DynamoConversationStore implements ConversationStore, ConversationStartStore, HandoffStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The tenant's retention (a cached read: DynamoTenantDirectory); absent: RETENTION_DAYS for all. */
    private readonly retention?: TenantRetention,
  ) {}

  private async retentionDaysOf(tenantId: string): Promise<number> {
    return (await this.retention?.retentionDays(tenantId)) ?? RETENTION_DAYS;
  }

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
    return recordOf(scope, item);
  }

  async loadAll(tenantId: string, customer: string): Promise<ConversationRecord[]> {
    const records: ConversationRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :state)',
          ExpressionAttributeValues: {
            ':pk': keys.customerPartition(tenantId, customer),
            ':state': keys.conversationStatePrefix,
          },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const businessNumber = String(item.sk).slice(keys.conversationStatePrefix.length);
        records.push(recordOf({ tenantId, customer, businessNumber }, item));
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return records;
  }

  /**
   * One transaction, as a start's: the replies' entries (the first conditional on not existing, so
   * a retry is recognised), the state (conditional on the version read) and, for a release, the
   * removal of the conversation's hand-off listing.
   */
  async commitHandoff(commit: HandoffCommit): Promise<'committed' | 'conflict' | 'duplicate'> {
    const { tenantId, customer, conversation } = commit;
    const turn = { conversationId: conversation.conversationId, from: commit.businessNumber, at: commit.at };
    const retentionDays = await this.retentionDaysOf(tenantId);
    const items = this.replyPuts(tenantId, customer, commit.replies, turn, retentionDays);
    const stateAt = items.length;
    items.push({ Update: this.conversationUpdate(conversation, retentionDays, commit.expectedVersion) });
    if (commit.removeListing)
      items.push(this.handoffListingItem(tenantId, conversation, { change: 'remove' }, retentionDays));
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return 'committed';
    } catch (error) {
      if ((error as Error)?.name === 'TransactionConflictException') return 'conflict';
      const failed = cancelledConditions(error);
      if (!failed) throw error;
      if (stateAt > 0 && failed[0]) return 'duplicate';
      if (failed[stateAt]) return 'conflict';
      throw error;
    }
  }

  async listHandedOff(tenantId: string, now: string): Promise<HandedOffConversation[]> {
    const listed: HandoffListing[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.handoffListPartition(tenantId) },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? [])
        listed.push({
          businessNumber: String(item.businessNumber),
          customer: String(item.customer),
          conversationId: String(item.conversationId),
          at: String(item.at),
          reason: item.reason === 'fallback' ? 'fallback' : 'keyword',
        });
      start = page.LastEvaluatedKey;
    } while (start);
    // The listing says where to look; the state says whether it is still handed off (a listing
    // outlives an expiry until the customer's next message removes it).
    const states = new Map<string, ConversationRecord>();
    for (let at = 0; at < listed.length; at += BATCH_GET_LIMIT) {
      let wanted: Record<string, unknown>[] = listed
        .slice(at, at + BATCH_GET_LIMIT)
        .map((entry) => keys.conversationState({ tenantId, ...entry }));
      while (wanted.length > 0) {
        const result = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: wanted, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const customer = String(item.pk).slice(keys.customerPartition(tenantId, '').length);
          const businessNumber = String(item.sk).slice(keys.conversationStatePrefix.length);
          states.set(`${businessNumber}#${customer}`, recordOf({ tenantId, customer, businessNumber }, item));
        }
        wanted =
          (result.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      }
    }
    return listed
      .flatMap((entry) => {
        const state = states.get(`${entry.businessNumber}#${entry.customer}`);
        if (!state || state.slots.status !== 'handed-off' || state.expiresAt <= now) return [];
        return [
          {
            ...entry,
            conversationId: state.conversationId,
            lastActivityAt: state.lastActivityAt,
            expiresAt: state.expiresAt,
            workflowId: state.workflowId,
            ...(state.slots.routeId !== undefined ? { routeId: state.slots.routeId } : {}),
          },
        ];
      })
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  /** The conversation's entry in its tenant's hand-off list: put on a hand-off, deleted when it ends. */
  private handoffListingItem(
    tenantId: string,
    scope: { businessNumber: string; customer: string },
    listing: HandoffListingChange,
    retentionDays: number,
  ): TransactItem {
    const key = keys.handoffListing(tenantId, scope.businessNumber, scope.customer);
    if (listing.change === 'remove') return { Delete: { TableName: this.tableName, Key: key } };
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...key,
          ...listing.entry,
          // Kept no longer than the conversation's state would be.
          expiresAt: ttlSeconds(listing.entry.at, retentionDays),
        },
      },
    };
  }

  async recordReply(
    reply: PlannedReply & { tenantId: string; customer: string; businessNumber: string; at: string },
  ): Promise<void> {
    // Written once: a retry must not reset what the sender recorded on it since.
    await putIfAbsent(
      this.client,
      this.tableName,
      replyEntry(
        reply.tenantId,
        reply.customer,
        reply,
        { conversationId: '', from: reply.businessNumber, at: reply.at },
        await this.retentionDaysOf(reply.tenantId),
      ),
    );
  }

  /**
   * The transcript entries of replies the business sends (a start's, a person's): the first is the
   * commit's marker, conditional on not existing, so an earlier attempt that committed is recognised.
   */
  private replyPuts(
    tenantId: string,
    customer: string,
    replies: readonly PlannedReply[],
    turn: Parameters<typeof replyEntry>[3],
    retentionDays: number,
  ): TransactItem[] {
    return replies.map((reply, index) => ({
      Put: {
        TableName: this.tableName,
        Item: replyEntry(tenantId, customer, reply, turn, retentionDays),
        ...(index === 0 ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
      },
    }));
  }

  async commitStart(commit: StartCommit): Promise<'committed' | 'conflict' | 'duplicate'> {
    const { tenantId, customer, conversation } = commit;
    const turn = { conversationId: commit.conversationId, from: commit.businessNumber, at: commit.at };
    const retentionDays = await this.retentionDaysOf(tenantId);
    const items = this.replyPuts(tenantId, customer, commit.replies, turn, retentionDays);
    if (conversation)
      items.push({
        Update: this.conversationUpdate(conversation, retentionDays, commit.expectedVersion),
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
    retentionDays: number,
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
      expiresAt: ttlSeconds(conversation.expiresAt, retentionDays),
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
      ...(conversation.reminder ? { reminder: conversation.reminder } : {}),
      ...(conversation.resumedPrompt ? { resumedPrompt: conversation.resumedPrompt } : {}),
    };
    const removed = ['campaignId', 'campaignCounted', 'reminder', 'resumedPrompt'].filter(
      (name) => !(name in fields),
    );
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
    const retentionDays = await this.retentionDaysOf(tenantId);
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
      expiresAt: ttlSeconds(inbound.at, retentionDays),
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
                ...this.conversationUpdate(
                  conversation,
                  retentionDays,
                  commit.expectedVersion,
                  inbound.messageSid,
                ),
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
            // Unconditional, and last: the reasons above keep their places.
            ...(commit.handoffListing
              ? [this.handoffListingItem(tenantId, conversation, commit.handoffListing, retentionDays)]
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
