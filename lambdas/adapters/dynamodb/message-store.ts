import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
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
  SendIdentity,
  StatusApplyResult,
} from '../../ports/message-store';
import { isConditionFailure } from './errors';
import { keys, openShardOf, RETENTION_DAYS, ttlSeconds } from './keys';

function transcriptKeyOf(send: SendIdentity) {
  return keys.transcriptEntry(
    send.conversationKey.tenantId,
    send.conversationKey.customer,
    send.transcriptKey,
  );
}

type SendState = 'sending' | 'released' | 'sent' | 'failed';

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

/** The delivery id of a status a send recorded itself (a message Twilio had finished already). */
function sendDeliveryId(sendId: string): string {
  return `send#${sendId}`;
}

export class DynamoMessageStore implements MessageStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Exactly one attempt holds a send at a time; a finished send is never claimed again. */
  async claimSend(tenantId: string, sendId: string, now: string): Promise<SendClaim> {
    const key = keys.send(tenantId, sendId);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key,
            state: 'sending',
            claimedAt: now,
            attempts: 1,
            expiresAt: ttlSeconds(now, RETENTION_DAYS),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { outcome: 'claimed' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    const state = existing.Item?.state as SendState | undefined;
    if (state === 'sent' || state === 'failed') {
      return { outcome: 'done', ...(existing.Item?.sid ? { sid: String(existing.Item.sid) } : {}) };
    }
    if (state === 'sending') return { outcome: 'inFlight', claimedAt: String(existing.Item?.claimedAt) };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET #state = :sending, claimedAt = :now ADD attempts :one',
          ConditionExpression: '#state = :released',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':sending': 'sending',
            ':released': 'released',
            ':now': now,
            ':one': 1,
          },
        }),
      );
      return { outcome: 'claimed' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { outcome: 'inFlight', claimedAt: now };
    }
  }

  async releaseSend(tenantId: string, sendId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.send(tenantId, sendId),
        UpdateExpression: 'SET #state = :released',
        ConditionExpression: '#state = :sending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':released': 'released', ':sending': 'sending' },
      }),
    );
  }

  /**
   * Single-item writes instead of one transaction (a transaction bills every item twice), in an
   * order that a crash between any two of them leaves recoverable: the send item, written last,
   * is the marker. Until it says `sent`, a retry finds the claim in flight, asks Twilio for the
   * message and records it again; every write is idempotent and none moves a status back.
   */
  async recordSent(
    send: SendIdentity,
    sent: { sid: string; status: OutboundStatus; numSegments?: number; at: string },
  ): Promise<RecordedSend> {
    const expiresAt = ttlSeconds(sent.at, RETENTION_DAYS);
    const transcript = transcriptKeyOf(send);
    // Named by the send, so that a retry of this send can tell its own unreported outcome apart.
    const deliveryId = sendDeliveryId(send.sendId);
    const initialEvent: MessageEvent = { at: sent.at, source: 'api', deliveryId };
    const recorded = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.message(sent.sid),
        // if_not_exists everywhere: recording twice (a retry after a crash) changes nothing.
        UpdateExpression:
          'SET tenantId = if_not_exists(tenantId, :tenant), sendId = if_not_exists(sendId, :sendId), ' +
          '#from = if_not_exists(#from, :from), #to = if_not_exists(#to, :to), ' +
          '#status = if_not_exists(#status, :status), createdAt = if_not_exists(createdAt, :at), ' +
          'updatedAt = if_not_exists(updatedAt, :at), numSegments = if_not_exists(numSegments, :segments), ' +
          'conversationPk = if_not_exists(conversationPk, :conversationPk), ' +
          'transcriptSk = if_not_exists(transcriptSk, :transcriptSk), expiresAt = if_not_exists(expiresAt, :ttl), ' +
          // A message Twilio already finished (recorded late, after a crash) has nothing to reconcile.
          (isFinalStatus(sent.status)
            ? ''
            : 'openShard = if_not_exists(openShard, :shard), openSince = if_not_exists(openSince, :at), ') +
          '#events = if_not_exists(#events, :events)',
        ExpressionAttributeNames: { '#from': 'from', '#to': 'to', '#status': 'status', '#events': 'events' },
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
          // The initial status is an event like the callbacks' (Twilio never calls back with it).
          ':events': { [sent.status]: initialEvent },
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    // After the message item, so that status callbacks (which need it) can be applied at once.
    // Only a `pending` entry takes the initial status: a callback may have moved it on already.
    const sidOnly = await this.updateTranscriptEntry(transcript, {
      UpdateExpression: 'SET sid = :sid, #status = :status',
      ConditionExpression: 'attribute_exists(pk) AND #status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':sid': sent.sid, ':status': sent.status, ':pending': 'pending' },
    });
    if (sidOnly) {
      await this.updateTranscriptEntry(transcript, {
        UpdateExpression: 'SET sid = :sid',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':sid': sent.sid },
      });
    }
    const event = (recorded.Attributes?.events as Record<string, MessageEvent | undefined> | undefined)?.[
      sent.status
    ];
    return {
      reportOutcome:
        isFinalStatus(sent.status) && event?.deliveryId === deliveryId && !event.reported && !event.stale,
    };
  }

  /**
   * The transcript entry only: until `completeSend`, a crash leaves the claim in flight, and the
   * retry meets the same refusal (Twilio, opt-out, credentials) again.
   */
  async recordFailed(
    send: SendIdentity,
    failure: { errorCode?: number; reason: string; at: string },
  ): Promise<void> {
    await this.updateTranscriptEntry(transcriptKeyOf(send), {
      UpdateExpression: 'SET #status = :failed, errorCode = :code',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':failed': 'failed', ':code': failure.errorCode ?? null },
    });
  }

  /** The send item is the marker: written last, after the outcome is recorded and reported. */
  async completeSend(
    send: SendIdentity,
    outcome:
      | { state: 'sent'; sid: string; at: string }
      | { state: 'failed'; errorCode?: number; reason: string; at: string },
  ): Promise<void> {
    const update =
      outcome.state === 'sent'
        ? {
            UpdateExpression: 'SET #state = :state, sid = :sid, sentAt = :at',
            ExpressionAttributeValues: { ':state': 'sent', ':sid': outcome.sid, ':at': outcome.at },
          }
        : {
            UpdateExpression: 'SET #state = :state, errorCode = :code, reason = :reason, failedAt = :at',
            ExpressionAttributeValues: {
              ':state': 'failed',
              ':code': outcome.errorCode ?? null,
              ':reason': outcome.reason,
              ':at': outcome.at,
            },
          };
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.send(send.tenantId, send.sendId),
        ...update,
        ExpressionAttributeNames: { '#state': 'state' },
      }),
    );
  }

  /**
   * One conditional write to the message item both moves its status forward and records the event
   * in its `events` map, keyed by status: the (MessageSid, status) dedup and the forward-only rule
   * are one atomic condition, so of concurrent duplicates exactly one is `advanced` (and emits
   * metrics). No read first: a failed condition returns the item as it was. The transcript entry's
   * copy of the status follows, forward-only too; a crash before it is healed by the duplicate.
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
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        const message = advanced.Attributes ?? {};
        await this.copyStatusToTranscript(message, update.status);
        return { outcome: 'advanced', createdAt: String(message.createdAt), from: String(message.from) };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        previous = error.Item ? unmarshall(error.Item as Record<string, AttributeValue>) : undefined;
      }
      // A SID of another tenant is as unknown as one never sent: tenants never see each other's messages.
      if (!previous || previous.tenantId !== update.tenantId) {
        if (update.recordUnknown) {
          await this.putEventItemOnce({
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
      await this.copyStatusToTranscript(previous, String(previous.status));
      return { outcome: 'advanced', createdAt: String(previous.createdAt), from: String(previous.from) };
    }
    if (earlier !== undefined) {
      // The same (MessageSid, status) again: perhaps the retry of an attempt that died before
      // copying the status to the transcript, so copy the message's current status once more.
      await this.copyStatusToTranscript(previous ?? {}, String(previous?.status));
      return { outcome: 'duplicate' };
    }
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

  /**
   * The transcript entry's copy of a message's status, moved forward only (a late copy of an older
   * status must not overwrite a newer one). Not finding it forward is not an error.
   */
  private async copyStatusToTranscript(message: Record<string, unknown>, status: string): Promise<void> {
    if (typeof message.conversationPk !== 'string' || typeof message.transcriptSk !== 'string') return;
    if (!isOutboundStatus(status)) return;
    const earlier = ['pending', ...allowedPredecessors(status)];
    const values: Record<string, unknown> = { ':status': status };
    earlier.forEach((value, index) => {
      values[`:e${index}`] = value;
    });
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: message.conversationPk, sk: message.transcriptSk },
          UpdateExpression: 'SET #status = :status',
          ConditionExpression: `attribute_exists(pk) AND #status IN (${earlier.map((_, index) => `:e${index}`).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * A conditional update of a reply's transcript entry that must find the entry (a send has one).
   * True when the entry is there but its condition did not hold (a retry, or a callback was first).
   */
  private async updateTranscriptEntry(
    key: { pk: string; sk: string },
    update: Pick<
      UpdateCommandInput,
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          ...update,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return false;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Present but past this step (a retry): done. Missing: the send has nowhere to be recorded.
      if (!error.Item) {
        throw new Error(`Transcript entry ${key.pk} ${key.sk} of a send is missing`, { cause: error });
      }
      return true;
    }
  }

  /** Records an event of an unknown message unless the same (MessageSid, status) is recorded already. */
  private async putEventItemOnce(item: Record<string, unknown>): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
