import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { checkPoolNumbers, isValidPoolName, PoolNumbersNotFoundError } from '../../domain/number-pool';
import type { Workflow } from '../../domain/workflow/definition';
import type { TenantNumber } from '../../ports/tenant-directory';
import { cancelledConditions, isConditionFailure } from './errors';
import { keys } from './keys';
import { registeredNumbers } from './number-pools';
import { sentReplySids, transcriptView } from './transcript-view';

/**
 * Which tenant owns a phone number. Kept outside every tenant's partition so that claiming a
 * number is one conditional write that sees all tenants (a number belongs to one Twilio account).
 */
export function numberOwnerKey(number: string) {
  return { pk: `NUMBEROWNER#${number}`, sk: 'OWNER' };
}

/** The number belongs to another tenant. */
export class NumberOwnedElsewhereError extends Error {
  constructor(readonly number: string) {
    super(`${number} belongs to another tenant`);
    this.name = 'NumberOwnedElsewhereError';
  }
}

/** Writes tenant configuration (numbers, workflows); used by operators' tools and seeding. */
export class DynamoTenantAdmin {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The profile holds no secret: SIDs and, during a rotation, when the previous token expires. */
  async putProfile(
    tenantId: string,
    profile: {
      name?: string;
      accountSid?: string;
      messagingServiceSid?: string;
      previousTokenValidUntil?: string;
      /** `tenant put --retention-days`: the TTL of the tenant's traffic (DynamoTenantDirectory reads it). */
      retentionDays?: number;
      /** `tenant put --llm-tokens-per-month`: the understanding port's monthly budget (DynamoUnderstandingBudget). */
      llmTokensPerMonth?: number;
      /** `tenant put --quiet-hours HH:MM-HH:MM`: when reminders wait (DynamoTenantDirectory reads it). */
      quietHours?: string;
      updatedAt: string;
    },
  ): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.tenantProfile(tenantId), tenantId, ...profile },
      }),
    );
  }

  async putNumber(number: TenantNumber): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.tenantNumber(number.tenantId, number.number),
          tenantId: number.tenantId,
          number: number.number,
          workflowId: number.workflowId,
          allowInboundStart: number.allowInboundStart,
          segmentsPerSecond: number.segmentsPerSecond,
          mms: number.mms,
          language: number.language,
        },
      }),
    );
  }

  async putWorkflow(tenantId: string, workflow: Workflow): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.workflow(tenantId, workflow.id), tenantId, definition: JSON.stringify(workflow) },
      }),
    );
  }

  /**
   * A customer's transcript with a tenant, each reply with its delivery status (see
   * transcriptView): every conversation of theirs, or only the one with `businessNumber`.
   */
  async transcript(
    tenantId: string,
    customer: string,
    businessNumber?: string,
  ): Promise<Record<string, unknown>[]> {
    const all = await this.queryPrefix(keys.customerPartition(tenantId, customer), keys.transcriptPrefix);
    const items =
      businessNumber === undefined ? all : all.filter((item) => businessNumberOf(item) === businessNumber);
    return transcriptView(items, await this.messageItems(sentReplySids(items)));
  }

  /** The META items of these messages, by SID (BatchGetItem takes 100 keys a request). */
  private async messageItems(sids: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    const bySid = new Map<string, Record<string, unknown>>();
    for (let start = 0; start < sids.length; start += 100) {
      let keysLeft: Record<string, unknown>[] = sids
        .slice(start, start + 100)
        .map((sid) => keys.message(sid));
      while (keysLeft.length > 0) {
        const result = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: keysLeft, ConsistentRead: true } },
          }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          bySid.set(String(item.pk).slice('MESSAGE#'.length), item);
        }
        keysLeft = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return bySid;
  }

  async getProfile(tenantId: string): Promise<Record<string, unknown> | undefined> {
    return this.get(keys.tenantProfile(tenantId));
  }

  /** Every tenant's profile. A scan: an operator's occasional listing, not a request path. */
  async listProfiles(): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :profile AND begins_with(pk, :tenant)',
          ExpressionAttributeValues: { ':profile': 'PROFILE', ':tenant': 'TENANT#' },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items.sort((a, b) => String(a.tenantId).localeCompare(String(b.tenantId)));
  }

  async getWorkflowItem(tenantId: string, workflowId: string): Promise<Record<string, unknown> | undefined> {
    return this.get(keys.workflow(tenantId, workflowId));
  }

  async getNumber(tenantId: string, number: string): Promise<Record<string, unknown> | undefined> {
    return this.get(keys.tenantNumber(tenantId, number));
  }

  async listNumbers(tenantId: string): Promise<Record<string, unknown>[]> {
    return this.queryPrefix(keys.tenantProfile(tenantId).pk, 'NUMBER#');
  }

  /**
   * Routes a number for a tenant, refusing one another tenant owns: the owner item and the
   * number item are written together, the owner item only if absent or already this tenant's.
   */
  async claimNumber(number: TenantNumber): Promise<void> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...numberOwnerKey(number.number), tenantId: number.tenantId, number: number.number },
                ConditionExpression: 'attribute_not_exists(pk) OR tenantId = :tenant',
                ExpressionAttributeValues: { ':tenant': number.tenantId },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.tenantNumber(number.tenantId, number.number),
                  tenantId: number.tenantId,
                  number: number.number,
                  workflowId: number.workflowId,
                  allowInboundStart: number.allowInboundStart,
                  segmentsPerSecond: number.segmentsPerSecond,
                  mms: number.mms,
                  language: number.language,
                },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (cancelledConditions(error)?.[0]) throw new NumberOwnedElsewhereError(number.number);
      throw error;
    }
  }

  /**
   * Creates or replaces a pool of the tenant's numbers, refusing (PoolNumbersNotFoundError) any
   * number the tenant has not registered; returns the members with their rates. Checked, then
   * written: nothing unregisters a number (its owner item is never deleted), so a member cannot
   * stop being the tenant's in between.
   */
  async putPool(
    tenantId: string,
    name: string,
    numbers: readonly string[],
    updatedAt: string,
  ): Promise<TenantNumber[]> {
    if (!isValidPoolName(name)) throw new RangeError(`invalid pool name "${name}"`);
    const checked = checkPoolNumbers(numbers);
    if (!checked.ok) throw new RangeError(checked.reason);
    const registered = await registeredNumbers(this.client, this.tableName, tenantId, checked.numbers);
    const missing = checked.numbers.filter((number) => !registered.has(number));
    if (missing.length > 0) throw new PoolNumbersNotFoundError(tenantId, missing);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.tenantPool(tenantId, name), tenantId, name, numbers: checked.numbers, updatedAt },
      }),
    );
    return checked.numbers.map((number) => registered.get(number) as TenantNumber);
  }

  /** The tenant's pools, by name. */
  async listPools(tenantId: string): Promise<Record<string, unknown>[]> {
    return this.queryPrefix(keys.tenantProfile(tenantId).pk, keys.tenantPoolPrefix);
  }

  /** False when there was no such pool. */
  async deletePool(tenantId: string, name: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.tenantPool(tenantId, name),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * A message's META item and its EVENT# items (one partition per SID). A message's own history is
   * the `events` map of its META item (see messageEventsOf); EVENT# items are a callback's for a
   * message unknown at the time, and the history of messages recorded before the map existed.
   */
  async messageHistory(sid: string): Promise<Record<string, unknown>[]> {
    return this.queryPrefix(keys.message(sid).pk);
  }

  private async get(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return result.Item;
  }

  /** All of a partition, or only sort keys starting with `prefix`. */
  private async queryPrefix(pk: string, prefix?: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          ...(prefix
            ? {
                KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
                ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
              }
            : { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }),
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}

/** One status of a message's history, from its META item's `events` map or an EVENT# item. */
export interface MessageEventRecord extends Record<string, unknown> {
  readonly status: string;
  readonly at: string;
}

/** The status history in the items of `messageHistory`, oldest first. */
export function messageEventsOf(items: readonly Record<string, unknown>[]): MessageEventRecord[] {
  const byStatus = new Map<string, MessageEventRecord>();
  for (const item of items) {
    const sk = String(item.sk);
    if (!sk.startsWith('EVENT#')) continue;
    const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...rest } = item;
    const status = sk.slice('EVENT#'.length);
    byStatus.set(status, { ...rest, status, at: String(item.at ?? '') });
  }
  const meta = items.find((item) => item.sk === 'META');
  const inline = (meta?.events ?? {}) as Record<string, Record<string, unknown>>;
  for (const [status, event] of Object.entries(inline)) {
    byStatus.set(status, { ...event, status, at: String(event.at ?? '') });
  }
  return [...byStatus.values()].sort((a, b) => a.at.localeCompare(b.at));
}

/** The business number of a transcript entry: a customer's message went to it, a reply came from it. */
export function businessNumberOf(entry: Record<string, unknown>): string {
  return String(entry.direction === 'inbound' ? entry.to : entry.from);
}
