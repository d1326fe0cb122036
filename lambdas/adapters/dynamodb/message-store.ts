import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type CampaignCounter, campaignCountersForStatus } from '../../domain/campaign/campaign';
import {
  allowedPredecessors,
  isFinalStatus,
  isOutboundStatus,
  type OutboundStatus,
} from '../../domain/message-status';
import { table } from '../../../lib/topology';
import type {
  MessageStore,
  OpenMessage,
  RecordedSend,
  SendClaim,
  SendFailureCounter,
  SendHistory,
  SendIdentity,
  StatusApplyResult,
} from '../../ports/message-store';
import {
  campaignCountersUpdate,
  lostTransactionRace,
  MAX_COUNTING_ATTEMPTS,
  raceBackoff,
} from './campaign-counters';
import { cancellationReasons, isConditionFailure } from './errors';
import { keys, openShardOf, RETENTION_DAYS, ttlSeconds } from './keys';
import { putIfAbsent } from './put-if-absent';

function transcriptKeyOf(send: SendIdentity) {
  return keys.transcriptEntry(
    send.conversationKey.tenantId,
    send.conversationKey.customer,
    send.transcriptKey,
  );
}

/** A reply's send, on its transcript entry (absent: not claimed yet). */
type SendState = 'sending' | 'released' | 'sent' | 'failed';

/** What a reply's transcript entry holds before any send state (see replyEntry in conversation-store). */
const OUTBOUND_ENTRY_FIELDS = {
  '#direction': 'direction',
  '#conversationId': 'conversationId',
  '#sendId': 'sendId',
  '#from': 'from',
  '#to': 'to',
  '#body': 'body',
  '#at': 'at',
  '#expiresAt': 'expiresAt',
} as const;

/** One entry of a message item's `events` map (keyed by status): its history, one entry per status. */
interface MessageEvent {
  readonly at: string;
  readonly source: 'api' | 'callback';
  readonly errorCode?: string;
  readonly rawDlrDoneDate?: string;
  /** The delivery (SQS message) of the callback that recorded the event. */
  readonly deliveryId?: string;
  /** Recorded without moving the status (it came after a later one). */
  readonly stale?: true;
  /** Its metrics are emitted (confirmStatusReported). */
  readonly reported?: true;
}

function sendHistory(entry: Record<string, unknown>): SendHistory {
  const slotAt = entry.slotAt;
  const parks = entry.parks;
  return {
    ...(typeof slotAt === 'number' ? { bookedSlotAtMs: slotAt } : {}),
    parks: typeof parks === 'number' ? parks : 0,
  };
}

/** The delivery id of a status a send recorded itself (a message Twilio had finished already). */
function sendDeliveryId(sendId: string): string {
  return `send#${sendId}`;
}

/** An item returned with a failed condition: wire form. */
function oldItem(item: unknown): Record<string, unknown> | undefined {
  return item ? unmarshall(item as Record<string, AttributeValue>) : undefined;
}

/** The campaign counters a message item has added (`campaignCounted`, a string set). */
function countedOn(item: Record<string, unknown>): ReadonlySet<string> {
  const counted = item.campaignCounted;
  if (counted instanceof Set) return new Set([...counted].map(String));
  return new Set(Array.isArray(counted) ? counted.map(String) : []);
}

/** The campaign a message item belongs to, if any. */
function campaignOf(item: Record<string, unknown>): { campaignId?: string } {
  return typeof item.campaignId === 'string' ? { campaignId: item.campaignId } : {};
}

export class DynamoMessageStore implements MessageStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * One conditional upsert of the reply's transcript entry: it creates the entry when the turn left
   * the reply on its inbound entry only, claims one written as pending (an API start, an apology),
   * or reclaims a released one. A failed condition returns the entry, so no read follows.
   */
  async claimSend(send: SendIdentity, now: string): Promise<SendClaim> {
    try {
      const claimed = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: transcriptKeyOf(send),
          UpdateExpression:
            `SET ${Object.keys(OUTBOUND_ENTRY_FIELDS)
              .map((name) => `${name} = if_not_exists(${name}, :${name.slice(1)})`)
              .join(', ')}, ` + '#sendState = :sending, #claimedAt = :now ADD #attempts :one',
          ConditionExpression: 'attribute_not_exists(#sendState) OR #sendState = :released',
          ExpressionAttributeNames: {
            ...OUTBOUND_ENTRY_FIELDS,
            '#sendState': 'sendState',
            '#claimedAt': 'claimedAt',
            '#attempts': 'attempts',
          },
          ExpressionAttributeValues: {
            ':direction': 'outbound',
            ':conversationId': send.conversationId,
            ':sendId': send.sendId,
            ':from': send.from,
            ':to': send.to,
            ':body': send.body,
            ':at': send.queuedAt,
            ':expiresAt': ttlSeconds(send.queuedAt, send.retentionDays ?? RETENTION_DAYS),
            ':sending': 'sending',
            ':released': 'released',
            ':now': now,
            ':one': 1,
          },
          // The entry is small; its slot and parks come back with the claim, so no read follows.
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { outcome: 'claimed', ...sendHistory(claimed.Attributes ?? {}) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = error.Item ? unmarshall(error.Item as Record<string, AttributeValue>) : {};
      const state = existing.sendState as SendState | undefined;
      if (state === 'sent' || state === 'failed') {
        return { outcome: 'done', ...(existing.sid ? { sid: String(existing.sid) } : {}) };
      }
      return { outcome: 'inFlight', claimedAt: String(existing.claimedAt ?? now), ...sendHistory(existing) };
    }
  }

  async releaseSend(send: SendIdentity): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: transcriptKeyOf(send),
        UpdateExpression: 'SET #sendState = :released REMOVE #slotAt',
        ConditionExpression: '#sendState = :sending',
        ExpressionAttributeNames: { '#sendState': 'sendState', '#slotAt': 'slotAt' },
        ExpressionAttributeValues: { ':released': 'released', ':sending': 'sending' },
      }),
    );
  }

  async parkSend(send: SendIdentity, slot: { slotAtMs: number }): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: transcriptKeyOf(send),
        UpdateExpression: 'SET #sendState = :released, #slotAt = :slotAt ADD #parks :one',
        ConditionExpression: '#sendState = :sending',
        ExpressionAttributeNames: { '#sendState': 'sendState', '#slotAt': 'slotAt', '#parks': 'parks' },
        ExpressionAttributeValues: {
          ':released': 'released',
          ':sending': 'sending',
          ':slotAt': slot.slotAtMs,
          ':one': 1,
        },
      }),
    );
  }

  /**
   * The message item alone: the transcript entry, written last by `completeSend`, is the marker.
   * Until it says `sent`, a retry finds the claim in flight, asks Twilio for the message and
   * records it again; the write is idempotent and never moves a status back.
   */
  async recordSent(
    send: SendIdentity,
    sent: { sid: string; status: OutboundStatus; numSegments?: number; at: string },
  ): Promise<RecordedSend> {
    const expiresAt = ttlSeconds(sent.at, send.retentionDays ?? RETENTION_DAYS);
    const transcript = transcriptKeyOf(send);
    // Named by the send, so that a retry of this send can tell its own unreported outcome apart.
    const deliveryId = sendDeliveryId(send.sendId);
    const initialEvent: MessageEvent = { at: sent.at, source: 'api', deliveryId };
    const recorded = await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.message(sent.sid),
          // Never a message another send recorded (a recovery can find an earlier send's same text).
          ConditionExpression: 'attribute_not_exists(sendId) OR sendId = :sendId',
          // if_not_exists everywhere: recording twice (a retry after a crash) changes nothing.
          UpdateExpression:
            'SET tenantId = if_not_exists(tenantId, :tenant), sendId = if_not_exists(sendId, :sendId), ' +
            '#from = if_not_exists(#from, :from), #to = if_not_exists(#to, :to), ' +
            '#status = if_not_exists(#status, :status), createdAt = if_not_exists(createdAt, :at), ' +
            'updatedAt = if_not_exists(updatedAt, :at), numSegments = if_not_exists(numSegments, :segments), ' +
            'conversationPk = if_not_exists(conversationPk, :conversationPk), ' +
            'transcriptSk = if_not_exists(transcriptSk, :transcriptSk), expiresAt = if_not_exists(expiresAt, :ttl), ' +
            (send.campaignId !== undefined ? 'campaignId = if_not_exists(campaignId, :campaignId), ' : '') +
            // A message Twilio already finished (recorded late, after a crash) has nothing to reconcile.
            (isFinalStatus(sent.status)
              ? ''
              : 'openShard = if_not_exists(openShard, :shard), openSince = if_not_exists(openSince, :at), ') +
            '#events = if_not_exists(#events, :events)',
          ExpressionAttributeNames: {
            '#from': 'from',
            '#to': 'to',
            '#status': 'status',
            '#events': 'events',
          },
          ExpressionAttributeValues: {
            ':tenant': send.tenantId,
            ':sendId': send.sendId,
            ':from': send.from,
            ':to': send.to,
            ':status': sent.status,
            ':at': sent.at,
            ':segments': sent.numSegments ?? null,
            ':conversationPk': transcript.pk,
            ':transcriptSk': transcript.sk,
            ':ttl': expiresAt,
            ...(isFinalStatus(sent.status) ? {} : { ':shard': openShardOf(sent.sid) }),
            ...(send.campaignId !== undefined ? { ':campaignId': send.campaignId } : {}),
            // The initial status is an event like the callbacks' (Twilio never calls back with it).
            ':events': { [sent.status]: initialEvent },
          },
          ReturnValues: 'ALL_NEW',
        }),
      )
      .catch((error: unknown) => {
        if (isConditionFailure(error)) return undefined;
        throw error;
      });
    if (!recorded) return { belongsToAnotherSend: true };
    const event = (recorded.Attributes?.events as Record<string, MessageEvent | undefined> | undefined)?.[
      sent.status
    ];
    // The status is this send's own (not a callback's, which counted it): its move from nothing.
    if (send.campaignId !== undefined && event?.deliveryId === deliveryId) {
      const counters = campaignCountersForStatus(undefined, sent.status);
      if (counters.length > 0)
        await this.countForCampaign(
          sent.sid,
          { tenantId: send.tenantId, campaignId: send.campaignId },
          counters,
        );
    }
    return {
      reportOutcome:
        isFinalStatus(sent.status) && event?.deliveryId === deliveryId && !event.reported && !event.stale,
    };
  }

  /** The transcript entry is the marker: written last, after the outcome is recorded and reported. */
  async completeSend(
    send: SendIdentity,
    outcome: Parameters<MessageStore['completeSend']>[1],
  ): Promise<void> {
    const update =
      outcome.state === 'sent'
        ? {
            UpdateExpression: 'SET #sendState = :state, sid = :sid, sentAt = :at',
            ExpressionAttributeValues: { ':state': 'sent', ':sid': outcome.sid, ':at': outcome.at },
          }
        : {
            UpdateExpression: 'SET #sendState = :state, errorCode = :code, reason = :reason, failedAt = :at',
            ExpressionAttributeValues: {
              ':state': 'failed',
              ':code': outcome.errorCode ?? null,
              ':reason': outcome.reason,
              ':at': outcome.at,
            },
          };
    if (outcome.state === 'failed' && send.campaignId !== undefined) {
      const counted = await this.completeCampaignFailure(
        send,
        { ...update, campaignId: send.campaignId },
        outcome.campaignCounter ?? 'failed',
      );
      if (counted) return;
    }
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: transcriptKeyOf(send),
        ...update,
        ExpressionAttributeNames: { '#sendState': 'sendState' },
      }),
    );
  }

  /**
   * A campaign's send that failed for good: its completion and the campaign's counter in one
   * transaction, conditional on the send not being complete yet, so a retry adds nothing. False
   * when the campaign is gone: the caller completes the send alone.
   */
  private async completeCampaignFailure(
    send: SendIdentity,
    update: {
      UpdateExpression: string;
      ExpressionAttributeValues: Record<string, unknown>;
      campaignId: string;
    },
    counter: SendFailureCounter,
  ): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: transcriptKeyOf(send),
                  UpdateExpression: update.UpdateExpression,
                  ConditionExpression: 'NOT (#sendState IN (:state, :sentState))',
                  ExpressionAttributeNames: { '#sendState': 'sendState' },
                  ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':sentState': 'sent' },
                },
              },
              campaignCountersUpdate(
                this.tableName,
                { tenantId: send.tenantId, campaignId: update.campaignId },
                [counter],
              ),
            ],
          }),
        );
        return true;
      } catch (error) {
        const [entry, campaign] = cancellationReasons(error) ?? [];
        // Completed (and counted) by an earlier attempt.
        if (entry?.Code === 'ConditionalCheckFailed') return true;
        if (campaign?.Code === 'ConditionalCheckFailed') return false;
        if (!lostTransactionRace(error) || attempt >= MAX_COUNTING_ATTEMPTS) throw error;
        await raceBackoff(attempt);
      }
    }
  }

  /**
   * Adds `counters` to a message's campaign, those the message has not added yet: the marks on the
   * message item (`campaignCounted`, a string set) and the campaign's counters are one transaction,
   * conditional on the marks being absent. A move that happened once counts once, however often a
   * crash has it applied or reported again.
   */
  private async countForCampaign(
    sid: string,
    campaign: { readonly tenantId: string; readonly campaignId: string },
    counters: readonly CampaignCounter[],
  ): Promise<void> {
    let uncounted = [...new Set(counters)];
    for (let attempt = 1; uncounted.length > 0; attempt++) {
      const values: Record<string, unknown> = { ':counted': new Set(uncounted) };
      const unmarked = uncounted.map((counter, index) => {
        values[`:c${index}`] = counter;
        return `NOT contains(#counted, :c${index})`;
      });
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: keys.message(sid),
                  UpdateExpression: 'ADD #counted :counted',
                  ConditionExpression: `attribute_exists(pk) AND ${unmarked.join(' AND ')}`,
                  ExpressionAttributeNames: { '#counted': 'campaignCounted' },
                  ExpressionAttributeValues: values,
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
              campaignCountersUpdate(this.tableName, campaign, uncounted),
            ],
          }),
        );
        return;
      } catch (error) {
        const [message, campaignItem] = cancellationReasons(error) ?? [];
        if (message?.Code === 'ConditionalCheckFailed') {
          const item = oldItem(message.Item);
          if (!item) return;
          const counted = countedOn(item);
          const left = uncounted.filter((counter) => !counted.has(counter));
          // Nothing marked that was not before: the condition failed for another reason.
          if (left.length === uncounted.length) return;
          uncounted = left;
          continue;
        }
        // The campaign is gone: nothing left to count into.
        if (campaignItem?.Code === 'ConditionalCheckFailed') return;
        if (!lostTransactionRace(error) || attempt >= MAX_COUNTING_ATTEMPTS) throw error;
        await raceBackoff(attempt);
      }
    }
  }

  /**
   * One conditional write to the message item both moves its status forward and records the event
   * in its `events` map, keyed by status: the (MessageSid, status) dedup and the forward-only rule
   * are one atomic condition, so of concurrent duplicates exactly one is `advanced` (and emits
   * metrics). No read first: a failed condition returns the item as it was. The message item is
   * the only place a status is kept: transcripts read it from there. A campaign's message then
   * counts the move toward its campaign (countForCampaign) before `advanced` is answered.
   */
  async applyStatus(update: {
    tenantId: string;
    sid: string;
    status: OutboundStatus;
    errorCode?: string;
    rawDlrDoneDate?: string;
    at: string;
    deliveryId: string;
    recordUnknown: boolean;
  }): Promise<StatusApplyResult> {
    const event: MessageEvent = {
      at: update.at,
      source: 'callback',
      deliveryId: update.deliveryId,
      ...(update.errorCode ? { errorCode: update.errorCode } : {}),
      ...(update.rawDlrDoneDate ? { rawDlrDoneDate: update.rawDlrDoneDate } : {}),
    };
    const predecessors = allowedPredecessors(update.status);
    const values: Record<string, unknown> = {
      ':status': update.status,
      ':at': update.at,
      ':tenant': update.tenantId,
      ':event': event,
    };
    predecessors.forEach((status, index) => {
      values[`:p${index}`] = status;
    });
    const sets = ['#status = :status', 'updatedAt = :at', '#events.#event = :event'];
    if (update.errorCode) {
      sets.push('errorCode = :code');
      values[':code'] = update.errorCode;
    }
    if (update.rawDlrDoneDate) {
      sets.push('rawDlrDoneDate = :dlr');
      values[':dlr'] = update.rawDlrDoneDate;
    }
    const names = { '#status': 'status', '#events': 'events', '#event': update.status };
    let previous: Record<string, unknown> | undefined;
    // Twice at most: a message recorded before events moved into its item gets an empty map first.
    for (let round = 0; round < 2; round++) {
      try {
        const advanced = await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.message(update.sid),
            // A final status leaves the open-messages index: reconcile has nothing more to ask.
            UpdateExpression: `SET ${sets.join(', ')}${isFinalStatus(update.status) ? ' REMOVE openShard, openSince' : ''}`,
            ConditionExpression:
              `tenantId = :tenant AND #status IN (${predecessors.map((_, index) => `:p${index}`).join(', ')}) ` +
              'AND attribute_exists(#events) AND attribute_not_exists(#events.#event)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            // The item before the move: its status is where the move came from.
            ReturnValues: 'ALL_OLD',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        const message = advanced.Attributes ?? {};
        const from =
          typeof message.status === 'string' && isOutboundStatus(message.status) ? message.status : undefined;
        await this.countMove(update.sid, message, campaignCountersForStatus(from, update.status));
        return {
          outcome: 'advanced',
          createdAt: String(message.createdAt),
          from: String(message.from),
          ...campaignOf(message),
        };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        previous = error.Item ? unmarshall(error.Item as Record<string, AttributeValue>) : undefined;
      }
      // A SID of another tenant is as unknown as one never sent: tenants never see each other's messages.
      if (!previous || previous.tenantId !== update.tenantId) {
        if (update.recordUnknown) {
          // Once per (MessageSid, status): a second callback finds it there.
          await putIfAbsent(this.client, this.tableName, {
            ...keys.messageEvent(update.sid, update.status),
            tenantId: update.tenantId,
            status: update.status,
            ...event,
            unknownMessage: true,
            expiresAt: ttlSeconds(update.at, RETENTION_DAYS),
          });
        }
        return { outcome: 'unknown' };
      }
      if (previous.events !== undefined) break;
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.message(update.sid),
          UpdateExpression: 'SET #events = if_not_exists(#events, :empty)',
          ExpressionAttributeNames: { '#events': 'events' },
          ExpressionAttributeValues: { ':empty': {} },
        }),
      );
    }
    const recorded = (previous?.events ?? {}) as Record<string, MessageEvent | undefined>;
    const earlier = recorded[update.status];
    if (earlier?.deliveryId === update.deliveryId && !earlier.reported && !earlier.stale && previous) {
      // This delivery applied it before and died before reporting it: report it now (see the port).
      // Where the move came from is lost: every counter the status reaches, those marked left out.
      await this.countMove(update.sid, previous, campaignCountersForStatus(undefined, update.status));
      return {
        outcome: 'advanced',
        createdAt: String(previous.createdAt),
        from: String(previous.from),
        ...campaignOf(previous),
      };
    }
    // The same (MessageSid, status) again.
    if (earlier !== undefined) return { outcome: 'duplicate' };
    // Not a step forward: keep the event, leave the status.
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.message(update.sid),
          UpdateExpression: 'SET #events.#event = :event',
          ConditionExpression: 'attribute_exists(#events) AND attribute_not_exists(#events.#event)',
          ExpressionAttributeNames: { '#events': 'events', '#event': update.status },
          ExpressionAttributeValues: { ':event': { ...event, stale: true } },
        }),
      );
      return { outcome: 'stale' };
    } catch (error) {
      if (isConditionFailure(error)) return { outcome: 'duplicate' };
      throw error;
    }
  }

  /** A status move of a campaign's message (`message`: its item) counts toward the campaign. */
  private async countMove(
    sid: string,
    message: Record<string, unknown>,
    counters: readonly CampaignCounter[],
  ): Promise<void> {
    const { campaignId } = campaignOf(message);
    if (campaignId === undefined || counters.length === 0) return;
    await this.countForCampaign(sid, { tenantId: String(message.tenantId), campaignId }, counters);
  }

  async confirmStatusReported(sid: string, status: OutboundStatus): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.message(sid),
          UpdateExpression: 'SET #events.#event.reported = :true',
          ConditionExpression: 'attribute_exists(#events.#event)',
          ExpressionAttributeNames: { '#events': 'events', '#event': status },
          ExpressionAttributeValues: { ':true': true },
        }),
      );
    } catch (error) {
      // No such event (e.g. applied to an older EVENT# item): nothing a redelivery could re-report.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async openMessages(shard: string, openBefore: string, limit: number): Promise<OpenMessage[]> {
    const index = table.openMessagesIndex;
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#shard = :shard AND #since < :before',
        ExpressionAttributeNames: { '#shard': index.partitionKey, '#since': index.sortKey },
        ExpressionAttributeValues: { ':shard': shard, ':before': openBefore },
        Limit: limit,
      }),
    );
    // The index holds keys only: read each message's tenant and status from the table.
    const open: OpenMessage[] = [];
    for (const key of result.Items ?? []) {
      const item = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }),
      );
      if (!item.Item?.openShard) continue;
      open.push({
        sid: String(item.Item.pk).replace(/^MESSAGE#/, ''),
        tenantId: String(item.Item.tenantId),
        status: item.Item.status as OutboundStatus,
        openSince: String(item.Item.openSince),
      });
    }
    return open;
  }

  async closeOpen(sid: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.message(sid),
        UpdateExpression: 'REMOVE openShard, openSince',
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  }
}
