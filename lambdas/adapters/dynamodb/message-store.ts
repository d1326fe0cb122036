import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { allowedPredecessors, isFinalStatus, type OutboundStatus } from '../../domain/message-status';
import { table } from '../../../lib/topology';
import type {
  MessageStore,
  OpenMessage,
  SendClaim,
  SendIdentity,
  StatusApplyResult,
} from '../../ports/message-store';
import { cancelledConditions, isConditionFailure } from './errors';
import { keys, openShardOf, RETENTION_DAYS, ttlSeconds } from './keys';

function transcriptKeyOf(send: SendIdentity) {
  return keys.transcriptEntry(
    send.conversationKey.tenantId,
    send.conversationKey.customer,
    send.transcriptKey,
  );
}

type SendState = 'sending' | 'released' | 'sent' | 'failed';

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

  async recordSent(
    send: SendIdentity,
    sent: { sid: string; status: OutboundStatus; numSegments?: number; at: string },
  ): Promise<void> {
    const expiresAt = ttlSeconds(sent.at, RETENTION_DAYS);
    const transcript = transcriptKeyOf(send);
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: keys.send(send.tenantId, send.sendId),
              UpdateExpression: 'SET #state = :sent, sid = :sid, sentAt = :at',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':sent': 'sent', ':sid': sent.sid, ':at': sent.at },
            },
          },
          {
            // if_not_exists everywhere: recording twice (a retry after a crash) changes nothing.
            Update: {
              TableName: this.tableName,
              Key: keys.message(sent.sid),
              UpdateExpression:
                'SET tenantId = if_not_exists(tenantId, :tenant), sendId = if_not_exists(sendId, :sendId), ' +
                '#from = if_not_exists(#from, :from), #to = if_not_exists(#to, :to), ' +
                '#status = if_not_exists(#status, :status), createdAt = if_not_exists(createdAt, :at), ' +
                'updatedAt = if_not_exists(updatedAt, :at), numSegments = if_not_exists(numSegments, :segments), ' +
                'conversationPk = if_not_exists(conversationPk, :conversationPk), ' +
                'transcriptSk = if_not_exists(transcriptSk, :transcriptSk), expiresAt = if_not_exists(expiresAt, :ttl), ' +
                'openShard = if_not_exists(openShard, :shard), openSince = if_not_exists(openSince, :at)',
              ExpressionAttributeNames: { '#from': 'from', '#to': 'to', '#status': 'status' },
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
                ':shard': openShardOf(sent.sid),
              },
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: {
                ...keys.messageEvent(sent.sid, sent.status),
                status: sent.status,
                at: sent.at,
                source: 'api',
                expiresAt,
              },
            },
          },
          {
            Update: {
              TableName: this.tableName,
              Key: transcript,
              UpdateExpression: 'SET sid = :sid, #status = :status',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':sid': sent.sid, ':status': sent.status },
            },
          },
        ],
      }),
    );
  }

  async recordFailed(
    send: SendIdentity,
    failure: { errorCode?: number; reason: string; at: string },
  ): Promise<void> {
    const transcript = transcriptKeyOf(send);
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: keys.send(send.tenantId, send.sendId),
              UpdateExpression: 'SET #state = :failed, errorCode = :code, reason = :reason, failedAt = :at',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: {
                ':failed': 'failed',
                ':code': failure.errorCode ?? null,
                ':reason': failure.reason,
                ':at': failure.at,
              },
            },
          },
          {
            Update: {
              TableName: this.tableName,
              Key: transcript,
              UpdateExpression: 'SET #status = :failed, errorCode = :code',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':failed': 'failed', ':code': failure.errorCode ?? null },
            },
          },
        ],
      }),
    );
  }

  async applyStatus(update: {
    tenantId: string;
    sid: string;
    status: OutboundStatus;
    errorCode?: string;
    rawDlrDoneDate?: string;
    at: string;
    recordUnknown: boolean;
  }): Promise<StatusApplyResult> {
    const meta = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.message(update.sid), ConsistentRead: true }),
    );
    const event = {
      ...keys.messageEvent(update.sid, update.status),
      tenantId: update.tenantId,
      status: update.status,
      at: update.at,
      source: 'callback',
      ...(update.errorCode ? { errorCode: update.errorCode } : {}),
      ...(update.rawDlrDoneDate ? { rawDlrDoneDate: update.rawDlrDoneDate } : {}),
      expiresAt: ttlSeconds(update.at, RETENTION_DAYS),
    };
    // A SID of another tenant is as unknown as one never sent: tenants never see each other's messages.
    if (!meta.Item || meta.Item.tenantId !== update.tenantId) {
      if (update.recordUnknown) await this.putEventOnce({ ...event, unknownMessage: true });
      return { outcome: 'unknown' };
    }
    const predecessors = allowedPredecessors(update.status);
    const values: Record<string, unknown> = {
      ':status': update.status,
      ':at': update.at,
      ':tenant': update.tenantId,
    };
    predecessors.forEach((status, index) => {
      values[`:p${index}`] = status;
    });
    const sets = ['#status = :status', 'updatedAt = :at'];
    if (update.errorCode) {
      sets.push('errorCode = :code');
      values[':code'] = update.errorCode;
    }
    if (update.rawDlrDoneDate) {
      sets.push('rawDlrDoneDate = :dlr');
      values[':dlr'] = update.rawDlrDoneDate;
    }
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: event,
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.message(update.sid),
                // A final status leaves the open-messages index: reconcile has nothing more to ask.
                UpdateExpression: `SET ${sets.join(', ')}${isFinalStatus(update.status) ? ' REMOVE openShard, openSince' : ''}`,
                ConditionExpression: `tenantId = :tenant AND #status IN (${predecessors.map((_, index) => `:p${index}`).join(', ')})`,
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: values,
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: { pk: String(meta.Item.conversationPk), sk: String(meta.Item.transcriptSk) },
                UpdateExpression: 'SET #status = :status',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':status': update.status },
              },
            },
          ],
        }),
      );
      return { outcome: 'advanced', createdAt: String(meta.Item.createdAt), from: String(meta.Item.from) };
    } catch (error) {
      const failed = cancelledConditions(error);
      if (!failed) throw error;
      if (failed[0]) return { outcome: 'duplicate' };
      if (failed[1])
        return (await this.putEventOnce(event)) ? { outcome: 'stale' } : { outcome: 'duplicate' };
      throw error;
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

  /** Records an event unless the same (MessageSid, status) is recorded already. */
  private async putEventOnce(item: Record<string, unknown>): Promise<boolean> {
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
