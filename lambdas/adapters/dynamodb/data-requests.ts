import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  paginateScan,
  type QueryCommandInput,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { countKind, itemBelongsToTenant, itemKind, suppressionHash } from '../../domain/data-requests';
import { isConditionFailure } from './errors';
import { keys } from './keys';
import { replyStatus } from './transcript-view';

type Item = Record<string, unknown>;
type Key = { readonly pk: string; readonly sk: string };

/** BatchWriteItem takes at most 25 requests; BatchGetItem at most 100 keys. */
const WRITE_BATCH = 25;
const GET_BATCH = 100;
/** Rounds of UnprocessedItems before giving up: the command is resumable, so running it again finishes. */
const MAX_BATCH_ROUNDS = 10;
/** Parallel scan segments of a tenant delete (each one request at a time). */
export const DELETE_SCAN_SEGMENTS = 4;
/**
 * How long the events function may still route a tenant's changes to subscriptions it cached
 * (SUBSCRIPTIONS_TTL_MS in lambdas/events/handler.ts, 10 s), plus a margin: a tenant delete removes
 * the subscriptions first and waits this long, so the deletes that follow are told to nobody.
 */
export const EVENT_SUBSCRIPTIONS_CACHE_MS = 12_000;

/** Counts per kind of item (itemKind), e.g. `{ numbers: 2, transcriptEntries: 40 }`. */
export type RemovedCounts = Record<string, number>;

export interface CustomerErasure {
  readonly removed: RemovedCounts;
  /** The customer had opted out: the opt-out is kept as a hashed suppression. */
  readonly suppressionKept: boolean;
}

/** One JSON line of `smsctl conversation export`. */
export type ExportLine =
  | {
      readonly type: 'conversation';
      readonly tenantId: string;
      readonly customer: string;
      readonly businessNumber: string;
      readonly conversationId: string;
      readonly workflowId: string;
      readonly status: string;
      readonly startedAt: string;
      readonly lastActivityAt: string;
      readonly expiresAt: string;
    }
  | ({ readonly type: 'message'; readonly tenantId: string; readonly customer: string } & Item);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The operator's data requests on the single table (lambdas/adapters/dynamodb/keys.ts): everything
 * of a tenant (delete), everything of one customer of a tenant (erase), a tenant's transcripts as
 * a stream (export). Deletes are idempotent: running one again removes what is left and counts it.
 */
export class DynamoDataRequests {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: { readonly segments?: number; readonly subscriptionsCacheMs?: number } = {},
  ) {}

  /**
   * The tenant's event subscriptions, deleted before anything else; then a wait for the events
   * function's cache of them, so the removals of the tenant's items (an opt-out's removal reads as
   * an opt-in) reach no endpoint of a tenant being deleted.
   */
  private async deleteEventSubscriptions(tenantId: string, removed: RemovedCounts): Promise<void> {
    let found = 0;
    await this.forEachQueryPage(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sub)',
        ExpressionAttributeValues: {
          ':pk': keys.tenantProfile(tenantId).pk,
          ':sub': keys.eventSubscriptionPrefix,
        },
        ProjectionExpression: 'pk, sk',
      },
      async (items) => {
        await this.deleteKeys(items.map(keyOf));
        for (const item of items) countKind(removed, itemKind(item));
        found += items.length;
      },
    );
    if (found > 0) await sleep(this.options.subscriptionsCacheMs ?? EVENT_SUBSCRIPTIONS_CACHE_MS);
  }

  /**
   * Deletes every item of the tenant but its profile, which goes last (`deleteProfile`), so an
   * interrupted delete is still found and resumed. A parallel Scan of the whole table: a customer's
   * partition (`CONV#<tenant>#<customer>`) and a message's (`MESSAGE#<sid>`) cannot be listed by
   * tenant with a Query, and the table has no index by tenant (docs/operations.md states the cost).
   * Only keys and `tenantId` are projected; each page's items are deleted before the next is read.
   */
  async deleteTenantItems(tenantId: string): Promise<RemovedCounts> {
    const removed: RemovedCounts = {};
    const profile = keys.tenantProfile(tenantId);
    await this.deleteEventSubscriptions(tenantId, removed);
    const segments = this.options.segments ?? DELETE_SCAN_SEGMENTS;
    await Promise.all(
      Array.from({ length: segments }, async (_, segment) => {
        let startKey: Item | undefined;
        do {
          const page = await this.client.send(
            new ScanCommand({
              TableName: this.tableName,
              Segment: segment,
              TotalSegments: segments,
              ProjectionExpression: 'pk, sk, tenantId',
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          );
          const mine = (page.Items ?? []).filter(
            (item) =>
              itemBelongsToTenant(item, tenantId) && !(item.pk === profile.pk && item.sk === profile.sk),
          );
          await this.deleteKeys(mine.map((item) => ({ pk: String(item.pk), sk: String(item.sk) })));
          for (const item of mine) countKind(removed, itemKind(item));
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      }),
    );
    return removed;
  }

  /** The tenant's profile: deleted last, it is what makes the tenant unknown to the CLI and the API. */
  async deleteProfile(tenantId: string): Promise<boolean> {
    const key = keys.tenantProfile(tenantId);
    const found = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    if (!found.Item) return false;
    await this.deleteKeys([key]);
    return true;
  }

  /**
   * Removes a customer's history with a tenant: the customer's partition (every conversation's
   * state and the transcript), the message items (and their events) of the replies sent to them,
   * their campaign recipient entries, and their opt-out, which becomes a hashed suppression in the
   * same transaction (an opted-out customer stays opted out, without the number kept in clear).
   */
  async eraseCustomer(tenantId: string, customer: string, at: string): Promise<CustomerErasure> {
    const removed: RemovedCounts = {};
    const partition = keys.customerPartition(tenantId, customer);
    // Page by page: a customer's history is bounded by retention, but needs no bound here.
    await this.forEachQueryPage(
      { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': partition } },
      async (items) => {
        const sids = items.flatMap((item) => (typeof item.sid === 'string' ? [item.sid] : []));
        for (const sid of sids) await this.deletePartition(keys.message(sid).pk, removed);
        // A conversation handed off to a person is also listed in the tenant's inbox.
        for (const item of items) {
          const sk = String(item.sk);
          if (!sk.startsWith(keys.conversationStatePrefix)) continue;
          const listing = keys.handoffListing(
            tenantId,
            sk.slice(keys.conversationStatePrefix.length),
            customer,
          );
          await this.deleteIfPresent(listing, removed);
        }
        await this.deleteKeys(items.map(keyOf));
        for (const item of items) countKind(removed, itemKind(item));
      },
    );
    await this.eraseCampaignRecipients(tenantId, customer, removed);
    const suppressionKept = await this.suppressOptOut(tenantId, customer, at);
    if (suppressionKept) countKind(removed, 'optOuts');
    return { removed, suppressionKept };
  }

  private async deleteIfPresent(key: Key, removed: RemovedCounts): Promise<void> {
    const found = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    if (!found.Item) return;
    await this.deleteKeys([key]);
    countKind(removed, itemKind(found.Item));
  }

  /** All items of one partition, deleted, counted. */
  private async deletePartition(pk: string, removed: RemovedCounts): Promise<void> {
    await this.forEachQueryPage(
      { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } },
      async (items) => {
        await this.deleteKeys(items.map(keyOf));
        for (const item of items) countKind(removed, itemKind(item));
      },
    );
  }

  /** The customer's recipient entry and due entries in each of the tenant's campaigns (counters stay). */
  private async eraseCampaignRecipients(
    tenantId: string,
    customer: string,
    removed: RemovedCounts,
  ): Promise<void> {
    await this.forEachQueryPage(
      {
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.campaignListPartition(tenantId) },
        ProjectionExpression: 'pk, sk, campaignId',
      },
      async (entries) => {
        for (const entry of entries) {
          const campaignId =
            typeof entry.campaignId === 'string' ? entry.campaignId : String(entry.sk).split('#').pop();
          if (!campaignId) continue;
          await this.eraseCampaignRecipient(
            keys.campaignRecipient(tenantId, campaignId, customer),
            customer,
            removed,
          );
        }
      },
    );
  }

  /** A recipient entry is keyed by the number; its due entries (at most one) are found by `phone`. */
  private async eraseCampaignRecipient(recipient: Key, customer: string, removed: RemovedCounts) {
    await this.deleteIfPresent(recipient, removed);
    await this.forEachQueryPage(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :due)',
        ExpressionAttributeValues: {
          ':pk': recipient.pk,
          ':due': keys.campaignDuePrefix,
          ':phone': customer,
        },
        FilterExpression: 'phone = :phone',
        ProjectionExpression: 'pk, sk',
      },
      async (items) => {
        await this.deleteKeys(items.map(keyOf));
        for (const item of items) countKind(removed, itemKind(item));
      },
    );
  }

  /**
   * An opted-out customer's opt-out item (the number in its key and attributes) becomes a
   * suppression keyed by the number's hash, holding only when: one transaction, so no moment
   * leaves the customer neither opted out nor suppressed. True when the customer had opted out.
   */
  private async suppressOptOut(tenantId: string, customer: string, at: string): Promise<boolean> {
    const clear = keys.optOut(tenantId, customer);
    const found = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: clear, ConsistentRead: true }),
    );
    if (!found.Item) return false;
    // Marked first (a change the events function ignores), so that the removal below reads as an
    // erasure, not as the customer opting in (lambdas/domain/events/from-changes.ts).
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: clear,
          UpdateExpression: 'SET erasedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (error) {
      // Opted in (START) since it was read: nothing to keep.
      if (isConditionFailure(error)) return false;
      throw error;
    }
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: {
                ...keys.optOutSuppression(tenantId, suppressionHash(tenantId, customer)),
                tenantId,
                ...(typeof found.Item.optedOutAt === 'string' ? { optedOutAt: found.Item.optedOutAt } : {}),
                source: 'erasure',
                erasedAt: at,
              },
            },
          },
          { Delete: { TableName: this.tableName, Key: clear } },
        ],
      }),
    );
    return true;
  }

  /**
   * A tenant's transcripts, one line per conversation state and per transcript entry, each reply
   * with its delivery status (from its message item, the one place callbacks write it). Streamed a
   * page at a time: one customer's partition by Query, or every customer's by a Scan filtered to the
   * tenant's partitions. `since` (ISO, as Date#toISOString) keeps entries at or after it and
   * conversations active since.
   */
  async *exportTranscripts(
    tenantId: string,
    options: {
      readonly since?: string;
      readonly customer?: string;
      /** Items read per request (DynamoDB's Limit); default: up to 1 MB a page. */
      readonly pageSize?: number;
    },
  ): AsyncGenerator<ExportLine> {
    const limit = options.pageSize !== undefined ? { Limit: options.pageSize } : {};
    const pages =
      options.customer !== undefined
        ? this.customerPages(keys.customerPartition(tenantId, options.customer), options.since, limit)
        : this.scanPages({
            FilterExpression:
              options.since === undefined
                ? 'begins_with(pk, :tenantConv)'
                : 'begins_with(pk, :tenantConv) AND ((begins_with(sk, :msg) AND sk >= :since) OR ' +
                  '(begins_with(sk, :state) AND lastActivityAt >= :active))',
            ExpressionAttributeValues: {
              ':tenantConv': `CONV#${tenantId}#`,
              ...(options.since === undefined
                ? {}
                : {
                    ':since': `${keys.transcriptPrefix}${options.since}`,
                    ':msg': keys.transcriptPrefix,
                    ':state': keys.conversationStatePrefix,
                    ':active': options.since,
                  }),
            },
            ...limit,
          });
    for await (const items of pages) {
      const statuses = await this.messageStatuses(
        items.flatMap((item) =>
          item.direction === 'outbound' && typeof item.sid === 'string' ? [item.sid] : [],
        ),
      );
      for (const item of items) {
        const line = exportLineOf(tenantId, item, statuses);
        if (line) yield line;
      }
    }
  }

  /** Status, error code of each message, by SID (BatchGetItem, projected). */
  private async messageStatuses(sids: readonly string[]): Promise<Map<string, Item>> {
    const bySid = new Map<string, Item>();
    for (let start = 0; start < sids.length; start += GET_BATCH) {
      let pending: Item[] = sids.slice(start, start + GET_BATCH).map((sid) => keys.message(sid));
      for (let round = 0; pending.length > 0; round++) {
        if (round >= MAX_BATCH_ROUNDS) throw new Error('DynamoDB kept message keys unprocessed (throttled)');
        if (round > 0) await sleep(Math.min(2000, 50 * 2 ** round));
        const result = await this.client.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: pending,
                ProjectionExpression: 'pk, #status, errorCode',
                ExpressionAttributeNames: { '#status': 'status' },
              },
            },
          }),
        );
        for (const item of result.Responses?.[this.tableName] ?? [])
          bySid.set(String(item.pk).slice('MESSAGE#'.length), item);
        pending = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return bySid;
  }

  private async *queryPages(
    input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  ): AsyncGenerator<Item[]> {
    for await (const page of paginateQuery({ client: this.client }, { TableName: this.tableName, ...input }))
      yield page.Items ?? [];
  }

  /**
   * One customer's partition: its conversations' states first, then the transcript in time order
   * (a key range from `since`: a Query may not filter on the sort key).
   */
  private async *customerPages(
    pk: string,
    since: string | undefined,
    limit: { Limit?: number },
  ): AsyncGenerator<Item[]> {
    yield* this.queryPages({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :state)',
      ExpressionAttributeValues: {
        ':pk': pk,
        ':state': keys.conversationStatePrefix,
        ...(since === undefined ? {} : { ':active': since }),
      },
      ...(since === undefined ? {} : { FilterExpression: 'lastActivityAt >= :active' }),
      ...limit,
    });
    yield* this.queryPages({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': pk,
        ':from': `${keys.transcriptPrefix}${since ?? ''}`,
        // Above every transcript key: they are ISO times and ids, all below U+FFFF.
        ':to': `${keys.transcriptPrefix}\uffff`,
      },
      ...limit,
    });
  }

  private async *scanPages(input: {
    FilterExpression: string;
    ExpressionAttributeValues: Record<string, unknown>;
    Limit?: number;
  }): AsyncGenerator<Item[]> {
    for await (const page of paginateScan({ client: this.client }, { TableName: this.tableName, ...input }))
      yield page.Items ?? [];
  }

  private async forEachQueryPage(
    input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
    each: (items: Item[]) => Promise<void>,
  ): Promise<void> {
    for await (const items of this.queryPages({ ...input, ConsistentRead: true })) await each(items);
  }

  /** BatchWriteItem deletes, 25 a request, UnprocessedItems retried with backoff. */
  async deleteKeys(keysToDelete: readonly Key[]): Promise<void> {
    for (let start = 0; start < keysToDelete.length; start += WRITE_BATCH) {
      let pending = keysToDelete
        .slice(start, start + WRITE_BATCH)
        .map((key) => ({ DeleteRequest: { Key: { pk: key.pk, sk: key.sk } } }));
      for (let round = 0; pending.length > 0; round++) {
        if (round >= MAX_BATCH_ROUNDS)
          throw new Error(
            `DynamoDB left ${pending.length} deletes unprocessed after ${MAX_BATCH_ROUNDS} rounds (throttled); run the command again to finish`,
          );
        if (round > 0) await sleep(Math.min(2000, 50 * 2 ** round));
        const result = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
        );
        pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      }
    }
  }
}

function keyOf(item: Item): Key {
  return { pk: String(item.pk), sk: String(item.sk) };
}

/** One export line from a customer partition's item; undefined for an item that is neither. */
export function exportLineOf(
  tenantId: string,
  item: Item,
  statuses: ReadonlyMap<string, Item>,
): ExportLine | undefined {
  const pk = String(item.pk);
  const sk = String(item.sk);
  const customer = pk.slice(`CONV#${tenantId}#`.length);
  if (sk.startsWith(keys.conversationStatePrefix)) {
    const slots = item.slots as { status?: unknown } | undefined;
    return {
      type: 'conversation',
      tenantId,
      customer,
      businessNumber: sk.slice(keys.conversationStatePrefix.length),
      conversationId: String(item.conversationId ?? ''),
      workflowId: String(item.workflowId ?? ''),
      status: typeof slots?.status === 'string' ? slots.status : 'unknown',
      startedAt: String(item.startedAt ?? ''),
      lastActivityAt: String(item.lastActivityAt ?? ''),
      expiresAt: String(item.conversationExpiresAt ?? ''),
    };
  }
  if (!sk.startsWith(keys.transcriptPrefix)) return undefined;
  const inbound = item.direction === 'inbound';
  const message = typeof item.sid === 'string' ? statuses.get(item.sid) : undefined;
  const errorCode = message?.errorCode ?? item.errorCode;
  return {
    type: 'message',
    tenantId,
    customer,
    at: String(item.at ?? ''),
    direction: inbound ? 'inbound' : 'outbound',
    ...(item.conversationId ? { conversationId: String(item.conversationId) } : {}),
    from: String(item.from ?? ''),
    to: String(item.to ?? ''),
    body: String(item.body ?? ''),
    ...(Array.isArray(item.mediaUrls) && item.mediaUrls.length > 0 ? { mediaUrls: item.mediaUrls } : {}),
    status: inbound ? 'received' : replyStatus(item, message),
    ...(errorCode !== undefined && errorCode !== null ? { errorCode } : {}),
    ...(inbound && typeof item.messageSid === 'string' ? { messageSid: item.messageSid } : {}),
    ...(!inbound && typeof item.sid === 'string' ? { messageSid: item.sid } : {}),
    ...(typeof item.sendId === 'string' ? { sendId: item.sendId } : {}),
    ...(typeof item.note === 'string' ? { note: item.note } : {}),
  };
}
