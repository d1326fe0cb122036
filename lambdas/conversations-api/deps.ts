import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoConversationStore } from '../adapters/dynamodb/conversation-store';
import { DynamoIdempotencyStore } from '../adapters/dynamodb/idempotency-store';
import { DynamoOptOutStore } from '../adapters/dynamodb/opt-out-store';
import { DynamoTenantDirectory } from '../adapters/dynamodb/tenant-directory';
import { SqsMessageQueue } from '../adapters/sqs-message-queue';
import type { OutboundUrlPolicy } from '../domain/outbound-url-policy';
import type { ReminderTimerMessage } from '../domain/workflow/reminders';
import type { HandoffDeps } from './handoffs';
import type { StartOutboundDeps } from './start-outbound';

/** The adapters startOutbound runs on, wired the same way for the API function and for smsctl. */
export function startOutboundDeps(
  clients: { readonly dynamo: DynamoDBDocumentClient; readonly sqs: SQSClient },
  where: {
    readonly tableName: string;
    readonly outboundQueueUrl: string;
    /** The `reminders` queue: a start whose first prompt has reminders arms the first. */
    readonly remindersQueueUrl: string;
    /** The stage's outbound URL policy for pictures; absent: the deployed stages' (strict). */
    readonly mediaUrlPolicy?: OutboundUrlPolicy;
  },
): StartOutboundDeps {
  const { dynamo, sqs } = clients;
  const tenants = new DynamoTenantDirectory(dynamo, where.tableName);
  return {
    tenants,
    // The tenant's retention comes from the directory's cached profile.
    conversations: new DynamoConversationStore(dynamo, where.tableName, tenants),
    optOuts: new DynamoOptOutStore(dynamo, where.tableName),
    outbound: new SqsMessageQueue(sqs, where.outboundQueueUrl),
    idempotency: new DynamoIdempotencyStore(dynamo, where.tableName),
    reminders: new SqsMessageQueue<ReminderTimerMessage>(sqs, where.remindersQueueUrl),
    now: () => new Date(),
    randomId: () => randomUUID().replaceAll('-', ''),
    ...(where.mediaUrlPolicy ? { mediaUrlPolicy: where.mediaUrlPolicy } : {}),
  };
}

/** The adapters the hand-off use cases (handoffs.ts) run on: for the API function, smsctl and the local console. */
export function handoffDeps(
  clients: { readonly dynamo: DynamoDBDocumentClient; readonly sqs: SQSClient },
  where: {
    readonly tableName: string;
    readonly outboundQueueUrl: string;
    /** The `reminders` queue: a release that asks the prompt again arms its first reminder. */
    readonly remindersQueueUrl: string;
  },
): HandoffDeps {
  const { dynamo, sqs } = clients;
  const tenants = new DynamoTenantDirectory(dynamo, where.tableName);
  return {
    tenants,
    conversations: new DynamoConversationStore(dynamo, where.tableName, tenants),
    outbound: new SqsMessageQueue(sqs, where.outboundQueueUrl),
    idempotency: new DynamoIdempotencyStore(dynamo, where.tableName),
    optOuts: new DynamoOptOutStore(dynamo, where.tableName),
    reminders: new SqsMessageQueue<ReminderTimerMessage>(sqs, where.remindersQueueUrl),
    now: () => new Date(),
    randomId: () => randomUUID().replaceAll('-', ''),
  };
}
