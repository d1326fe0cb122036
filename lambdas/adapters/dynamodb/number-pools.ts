import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { NumberPool, NumberPools } from '../../ports/number-pools';
import type { TenantNumber } from '../../ports/tenant-directory';
import { keys } from './keys';
import { tenantNumberOf } from './tenant-directory';

/** BatchGetItem takes at most 100 keys a request. */
const BATCH_GET_KEYS = 100;

/**
 * Which of `numbers` the tenant has registered (`smsctl number put`), by number. A number another
 * tenant registered has no item in this tenant's partition, so it is missing like an unknown one.
 */
export async function registeredNumbers(
  client: DynamoDBDocumentClient,
  tableName: string,
  tenantId: string,
  numbers: readonly string[],
): Promise<Map<string, TenantNumber>> {
  const found = new Map<string, TenantNumber>();
  for (let start = 0; start < numbers.length; start += BATCH_GET_KEYS) {
    let keysLeft: Record<string, unknown>[] = numbers
      .slice(start, start + BATCH_GET_KEYS)
      .map((number) => keys.tenantNumber(tenantId, number));
    while (keysLeft.length > 0) {
      const result = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keysLeft, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[tableName] ?? []) {
        const number = tenantNumberOf(tenantId, String(item.number), item);
        found.set(number.number, number);
      }
      keysLeft = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return found;
}

/** A pool item's numbers as stored (a sorted list of E.164 strings). */
export function poolNumbersOf(item: Record<string, unknown>): string[] {
  return Array.isArray(item.numbers) ? item.numbers.map(String) : [];
}

/**
 * A tenant's pools with each member's current rate. Read when a campaign starts, not per send, so
 * unlike the tenant directory it keeps no cache: a pool just put is the pool a campaign gets.
 */
export class DynamoNumberPools implements NumberPools {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getPool(tenantId: string, name: string): Promise<NumberPool | undefined> {
    const { Item: item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.tenantPool(tenantId, name),
        ConsistentRead: true,
      }),
    );
    if (!item) return undefined;
    const members = poolNumbersOf(item);
    const registered = await registeredNumbers(this.client, this.tableName, tenantId, members);
    return {
      tenantId,
      name,
      numbers: members.flatMap((number) => registered.get(number) ?? []),
      updatedAt: String(item.updatedAt),
    };
  }
}
