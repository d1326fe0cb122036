import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { suppressionHash } from '../../domain/data-requests';
import type { OptOutInForce, OptOutLookup, OptOutStore } from '../../ports/opt-out-store';
import { keys } from './keys';

/**
 * Opt-outs by tenant + customer. A customer erased (`smsctl customer erase`) keeps an opt-out as a
 * suppression keyed by a hash of the number (keys.optOutSuppression): a check reads both keys in
 * one BatchGetItem, one round trip as before (one more read unit per check).
 */
export class DynamoOptOutStore implements OptOutStore, OptOutLookup {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private keysOf(tenantId: string, customer: string) {
    return [
      keys.optOut(tenantId, customer),
      keys.optOutSuppression(tenantId, suppressionHash(tenantId, customer)),
    ];
  }

  async isOptedOut(tenantId: string, customer: string): Promise<boolean> {
    return (await this.optOutInForce(tenantId, customer)) !== undefined;
  }

  /** The same one round trip as isOptedOut, with the opting message's SID when the number's item has one. */
  async optOutInForce(tenantId: string, customer: string): Promise<OptOutInForce | undefined> {
    const numbersKey = keys.optOut(tenantId, customer).pk;
    let pending: Record<string, unknown>[] = this.keysOf(tenantId, customer);
    let found: OptOutInForce | undefined;
    // UnprocessedKeys only under throttling: asked again until both are answered.
    for (let attempt = 0; pending.length > 0; attempt++) {
      const result = await this.client.send(
        new BatchGetCommand({
          RequestItems: {
            [this.tableName]: {
              Keys: pending,
              ConsistentRead: true,
              ProjectionExpression: 'pk, messageSid',
            },
          },
        }),
      );
      for (const item of result.Responses?.[this.tableName] ?? []) {
        const messageSid = item.pk === numbersKey ? item.messageSid : undefined;
        found = typeof messageSid === 'string' ? { messageSid } : (found ?? {});
      }
      // Both keys answered is the whole truth; one found already means opted out, but the number's
      // item (with the SID) may still be among the unprocessed.
      pending = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      if (pending.length > 0) await backoff(attempt);
    }
    return found;
  }

  async optOut(
    tenantId: string,
    customer: string,
    change: { at: string; source: string; messageSid?: string },
  ): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.optOut(tenantId, customer),
          tenantId,
          customer,
          optedOutAt: change.at,
          source: change.source,
          ...(change.messageSid !== undefined ? { messageSid: change.messageSid } : {}),
        },
      }),
    );
  }

  /** Removes the opt-out and, for a customer erased earlier, the suppression. */
  async optIn(tenantId: string, customer: string): Promise<void> {
    let pending = this.keysOf(tenantId, customer).map((key) => ({ DeleteRequest: { Key: key } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      const result = await this.client.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
      );
      pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      if (pending.length > 0) await backoff(attempt);
    }
  }
}

const MAX_BATCH_ATTEMPTS = 8;

/** Waits before asking again for what a batch left unprocessed; gives up (a retry of the whole) after a few. */
function backoff(attempt: number): Promise<void> {
  if (attempt + 1 >= MAX_BATCH_ATTEMPTS)
    throw new Error('DynamoDB left opt-out keys unprocessed (throttled)');
  return new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
}
