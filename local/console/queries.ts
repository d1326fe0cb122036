import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoConversationStore } from '../../lambdas/adapters/dynamodb/conversation-store';
import { keys } from '../../lambdas/adapters/dynamodb/keys';
import { DynamoTenantAdmin, messageEventsOf } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { isOutboundStatus, statusRank } from '../../lambdas/domain/message-status';
import type { ConversationRecord, ConversationScope } from '../../lambdas/ports/conversation-store';
import type { ProvisionedQueue } from '../provision';
import type {
  ConsoleTenant,
  ConversationDetail,
  ConversationSummary,
  DlqDepth,
  StatusStep,
  TranscriptEntry,
} from './api-types';

/**
 * What the console reads from the local stand-ins: read-only, through the adapters the functions
 * and `smsctl` use where one exists, otherwise with the same SDK clients and key layout.
 */
export interface ConsoleQueries {
  tenants(): Promise<ConsoleTenant[]>;
  conversations(tenantId: string): Promise<ConversationSummary[]>;
  /** The customer's conversation with `businessNumber`, else their latest one; the transcript likewise. */
  conversation(tenantId: string, customer: string, businessNumber?: string): Promise<ConversationDetail>;
  dlqDepths(): Promise<DlqDepth[]>;
}

function rankOf(status: string): number {
  return isOutboundStatus(status) ? statusRank(status) : Number.MAX_SAFE_INTEGER;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function optionalString(value: unknown): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

function summaryOf(record: ConversationRecord): ConversationSummary {
  return {
    tenantId: record.tenantId,
    customer: record.customer,
    businessNumber: record.businessNumber,
    workflowId: record.workflowId,
    status: record.slots.status,
    ...(record.slots.routeId ? { routeId: record.slots.routeId } : {}),
    variables: record.slots.variables,
    startedAt: record.startedAt,
    lastActivityAt: record.lastActivityAt,
  };
}

export function consoleQueries(deps: {
  readonly dynamo: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly tableName: string;
  readonly queues: Readonly<Record<string, ProvisionedQueue>>;
}): ConsoleQueries {
  const admin = new DynamoTenantAdmin(deps.dynamo, deps.tableName);
  const conversations = new DynamoConversationStore(deps.dynamo, deps.tableName);

  async function statusHistory(sid: string): Promise<StatusStep[]> {
    const items = await admin.messageHistory(sid);
    return (
      messageEventsOf(items)
        .filter((item) => item.unknownMessage !== true)
        .map((item) => ({
          status: String(item.status),
          at: String(item.at),
          ...(optionalString(item.errorCode) ? { errorCode: String(item.errorCode) } : {}),
        }))
        // In lifecycle order: a late `sent` callback still reads queued -> sent -> delivered.
        .sort((a, b) => rankOf(a.status) - rankOf(b.status) || a.at.localeCompare(b.at))
    );
  }

  async function transcriptEntry(item: Record<string, unknown>): Promise<TranscriptEntry> {
    const direction = item.direction === 'inbound' ? 'inbound' : 'outbound';
    const sid = optionalString(item.sid);
    const errorCode = optionalString(item.errorCode);
    const note = optionalString(item.note);
    return {
      key: String(item.sk).replace(keys.transcriptPrefix, ''),
      direction,
      from: String(item.from ?? ''),
      to: String(item.to ?? ''),
      body: String(item.body ?? ''),
      at: String(item.at ?? ''),
      mediaUrls: strings(item.mediaUrls),
      ...(direction === 'outbound' ? { status: String(item.status ?? 'pending') } : {}),
      ...(sid ? { sid, statusHistory: await statusHistory(sid) } : {}),
      ...(errorCode ? { errorCode } : {}),
      ...(note ? { note } : {}),
      ...(item.author === 'agent' ? { author: 'agent' as const } : {}),
    };
  }

  return {
    async tenants() {
      const profiles = await admin.listProfiles();
      return Promise.all(
        profiles.map(async (profile) => {
          const tenantId = String(profile.tenantId);
          const numbers = await admin.listNumbers(tenantId);
          return {
            tenantId,
            name: String(profile.name ?? tenantId),
            numbers: numbers.map((item) => ({
              number: String(item.number),
              workflowId: String(item.workflowId),
            })),
          };
        }),
      );
    },

    async conversations(tenantId) {
      // A scan: the table has no index of a tenant's conversations, and this is a local tool.
      const prefix = keys.customerPartition(tenantId, '');
      const scopes: ConversationScope[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await deps.dynamo.send(
          new ScanCommand({
            TableName: deps.tableName,
            FilterExpression: 'begins_with(pk, :prefix) AND begins_with(sk, :state)',
            ExpressionAttributeValues: { ':prefix': prefix, ':state': keys.conversationStatePrefix },
            ProjectionExpression: 'pk, sk',
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        scopes.push(
          ...(page.Items ?? []).map((item) => ({
            tenantId,
            customer: String(item.pk).slice(prefix.length),
            businessNumber: String(item.sk).slice(keys.conversationStatePrefix.length),
          })),
        );
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      const records = await Promise.all(scopes.map((scope) => conversations.load(scope)));
      return records
        .filter((record): record is ConversationRecord => record !== undefined)
        .map(summaryOf)
        .sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));
    },

    async conversation(tenantId, customer, businessNumber) {
      const [states, items] = await Promise.all([
        deps.dynamo.send(
          new QueryCommand({
            TableName: deps.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :state)',
            ExpressionAttributeValues: {
              ':pk': keys.customerPartition(tenantId, customer),
              ':state': keys.conversationStatePrefix,
            },
            ProjectionExpression: 'sk, lastActivityAt',
            ConsistentRead: true,
          }),
        ),
        admin.transcript(tenantId, customer, businessNumber),
      ]);
      const numbers = (states.Items ?? [])
        .sort((a, b) => String(b.lastActivityAt).localeCompare(String(a.lastActivityAt)))
        .map((item) => String(item.sk).slice(keys.conversationStatePrefix.length));
      const number = businessNumber ?? numbers[0];
      const record =
        number === undefined
          ? undefined
          : await conversations.load({ tenantId, businessNumber: number, customer });
      const transcript = await Promise.all(items.map(transcriptEntry));
      return {
        tenantId,
        customer,
        ...(record ? { conversation: summaryOf(record) } : {}),
        // A turn's replies share the customer message's time: the message comes first, then its replies.
        transcript: transcript.sort(
          (a, b) =>
            a.at.localeCompare(b.at) ||
            Number(a.direction === 'outbound') - Number(b.direction === 'outbound') ||
            a.key.localeCompare(b.key),
        ),
      };
    },

    async dlqDepths() {
      return Promise.all(
        Object.values(deps.queues).map(async (queue) => {
          const result = await deps.sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: queue.dlqUrl,
              AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
            }),
          );
          return {
            queue: queue.spec.id,
            visible: Number(result.Attributes?.ApproximateNumberOfMessages ?? 0),
            inFlight: Number(result.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
          };
        }),
      );
    },
  };
}
