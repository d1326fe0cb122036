import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  CAMPAIGN_COUNTERS,
  type CampaignCounter,
  campaignCountersFrom,
  type CampaignState,
  emptyCampaignCounters,
  isCampaignState,
  SKIP_COUNTER,
} from '../../domain/campaign/campaign';
import type { PoolMember } from '../../domain/number-pool';
import type {
  CampaignContent,
  CampaignDefinition,
  CampaignRecipient,
  CampaignRecord,
  CampaignSender,
  CampaignStore,
  CampaignTransitionResult,
  DueRecipient,
  RecipientRelease,
} from '../../ports/campaign-store';
import { cancellationReasons, isConditionFailure } from './errors';
import { campaignDueTime, keys } from './keys';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Item = Record<string, unknown>;

/** At most this many recipients per addRecipients: 2 items each and the counters make 51 of a transaction's 100. */
export const MAX_RECIPIENTS_PER_WRITE = 25;
/** BatchGetItem takes at most 100 keys a request. */
const BATCH_GET_KEYS = 100;
/** Transactions that lose to a concurrent one on the same items (TransactionConflict) are tried again. */
const MAX_TRANSACTION_ATTEMPTS = 5;

/** The campaign does not exist (a write that needs it found no `META` item). */
export class CampaignNotFoundError extends Error {
  constructor(
    readonly tenantId: string,
    readonly campaignId: string,
  ) {
    super(`campaign ${campaignId} of tenant ${tenantId} not found`);
    this.name = 'CampaignNotFoundError';
  }
}

/** An item a failed condition returned (ReturnValuesOnConditionCheckFailure): wire form. */
function oldItem(item: unknown): Item | undefined {
  return item ? unmarshall(item as Record<string, AttributeValue>) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).flatMap(([name, entry]) => (typeof entry === 'string' ? [[name, entry]] : [])),
  );
}

function numberRecord(value: unknown): Record<string, number> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).flatMap(([name, entry]) => {
      const number = finiteNumber(entry);
      return number === undefined ? [] : [[name, number]];
    }),
  );
}

function senderOf(value: unknown): CampaignSender {
  const stored = (typeof value === 'object' && value !== null ? value : {}) as Item;
  if (stored.kind === 'pool') {
    const members: PoolMember[] = (Array.isArray(stored.members) ? stored.members : []).flatMap(
      (member: unknown) => {
        const fields = (typeof member === 'object' && member !== null ? member : {}) as Item;
        const number = text(fields.number);
        const rate = finiteNumber(fields.segmentsPerSecond);
        return number === undefined
          ? []
          : [{ number, ...(rate !== undefined ? { segmentsPerSecond: rate } : {}) }];
      },
    );
    return { kind: 'pool', pool: String(stored.pool), members };
  }
  const rate = finiteNumber(stored.segmentsPerSecond);
  return {
    kind: stored.kind === 'messaging-service' ? 'messaging-service' : 'number',
    from: String(stored.from),
    ...(rate !== undefined ? { segmentsPerSecond: rate } : {}),
  };
}

function contentOf(value: unknown): CampaignContent {
  const stored = (typeof value === 'object' && value !== null ? value : {}) as Item;
  if (stored.kind === 'message') return { kind: 'message', body: String(stored.body ?? '') };
  const routeId = text(stored.routeId);
  return {
    kind: 'workflow',
    workflowId: String(stored.workflowId),
    ...(routeId !== undefined ? { routeId } : {}),
  };
}

/** A `META` item as the port's record, read defensively (absent counters are 0). */
function campaignOf(item: Item): CampaignRecord {
  const name = text(item.name);
  const quietHours = text(item.quietHours);
  const idempotencyKey = text(item.idempotencyKey);
  const defaultCountry = text(item.defaultCountry);
  const mediaUrls = Array.isArray(item.mediaUrls) ? item.mediaUrls.map(String) : undefined;
  const state = String(item.state);
  return {
    tenantId: String(item.tenantId),
    campaignId: String(item.campaignId),
    ...(name !== undefined ? { name } : {}),
    sender: senderOf(item.sender),
    content: contentOf(item.content),
    ...(mediaUrls !== undefined && mediaUrls.length > 0 ? { mediaUrls } : {}),
    ...(quietHours !== undefined ? { quietHours } : {}),
    defaultTimeZone: String(item.defaultTimeZone ?? 'UTC'),
    ...(defaultCountry !== undefined ? { defaultCountry } : {}),
    startAt: String(item.startAt),
    createdAt: String(item.createdAt),
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    state: isCampaignState(state) ? state : 'cancelled',
    recipientsComplete: item.recipientsComplete === true,
    counters: campaignCountersFrom(item),
    senderClocks: numberRecord(item.senderClocks),
    updatedAt: String(item.updatedAt ?? item.createdAt),
  };
}

/** What a recipient's and a due item's attributes share: everything the dispatcher needs to send. */
function recipientFields(recipient: CampaignRecipient & { readonly from?: string }): Item {
  return {
    phone: recipient.phone,
    line: recipient.line,
    variables: { ...recipient.variables },
    ...(recipient.timezone !== undefined ? { timezone: recipient.timezone } : {}),
    notBeforeMs: recipient.notBeforeMs,
    ...(recipient.from !== undefined ? { from: recipient.from } : {}),
  };
}

function dueRecipientOf(item: Item): DueRecipient {
  const timezone = text(item.timezone);
  const from = text(item.from);
  return {
    phone: String(item.phone),
    line: finiteNumber(item.line) ?? 0,
    variables: stringRecord(item.variables),
    ...(timezone !== undefined ? { timezone } : {}),
    notBeforeMs: finiteNumber(item.notBeforeMs) ?? 0,
    ...(from !== undefined ? { from } : {}),
  };
}

/** The same row sent again (a retried request), not a second row with the same number. */
function sameRow(stored: Item, recipient: CampaignRecipient): boolean {
  const variables = stringRecord(stored.variables);
  const given = recipient.variables;
  return (
    finiteNumber(stored.line) === recipient.line &&
    Object.keys(variables).length === Object.keys(given).length &&
    Object.entries(given).every(([name, value]) => variables[name] === value)
  );
}

/** `ADD` of counters: the update expression's clause and its values (zero counters left out). */
function counterAdds(counters: Partial<Readonly<Record<CampaignCounter, number>>>) {
  const names: Record<string, string> = {};
  const values: Record<string, number> = {};
  const clauses: string[] = [];
  for (const counter of CAMPAIGN_COUNTERS) {
    const amount = counters[counter] ?? 0;
    if (amount === 0) continue;
    if (!Number.isSafeInteger(amount)) throw new RangeError(`counter ${counter} must add an integer`);
    names[`#${counter}`] = counter;
    values[`:${counter}`] = amount;
    clauses.push(`#${counter} :${counter}`);
  }
  return { clause: clauses.length > 0 ? `ADD ${clauses.join(', ')}` : '', names, values };
}

/** A cursor of `list`: the list entry's sort key `<createdAt>#<campaignId>` of the page's last campaign. */
const LIST_CURSOR = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z#cmp-[0-9a-f]{32}$/;

/**
 * Campaigns in the single table (the layout is the port's, lambdas/ports/campaign-store.ts). Every
 * change that must happen once is a condition: a campaign is created once (`attribute_not_exists`),
 * a recipient is stored once per number, and released once (the transaction that records the
 * release deletes its due item on the condition that it is still there, and adds to the counters
 * in the same write, so counters never count a recipient twice).
 */
export class DynamoCampaignStore implements CampaignStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(
    definition: CampaignDefinition,
  ): Promise<{ created: true } | { created: false; existing: CampaignRecord }> {
    const { tenantId, campaignId } = definition;
    const meta: Item = {
      ...keys.campaign(tenantId, campaignId),
      ...definition,
      ...(definition.mediaUrls !== undefined ? { mediaUrls: [...definition.mediaUrls] } : {}),
      state: 'scheduled' satisfies CampaignState,
      recipientsComplete: false,
      ...emptyCampaignCounters(),
      senderClocks: {},
      updatedAt: definition.createdAt,
    };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: meta,
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.campaignListEntry(tenantId, definition.createdAt, campaignId),
                  tenantId,
                  campaignId,
                  createdAt: definition.createdAt,
                },
              },
            },
          ],
        }),
      );
      return { created: true };
    } catch (error) {
      const [reason] = cancellationReasons(error) ?? [];
      if (reason?.Code !== 'ConditionalCheckFailed') throw error;
      const existing = oldItem(reason.Item);
      const record = existing ? campaignOf(existing) : await this.get(tenantId, campaignId);
      if (!record) throw error;
      return { created: false, existing: record };
    }
  }

  async get(tenantId: string, campaignId: string): Promise<CampaignRecord | undefined> {
    const { Item: item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.campaign(tenantId, campaignId),
        ConsistentRead: true,
      }),
    );
    return item ? campaignOf(item) : undefined;
  }

  async list(
    tenantId: string,
    options: { limit: number; cursor?: string },
  ): Promise<{ campaigns: CampaignRecord[]; cursor?: string }> {
    const { limit, cursor } = options;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    if (cursor !== undefined && !LIST_CURSOR.test(cursor)) throw new RangeError('not a campaign list cursor');
    const pk = keys.campaignListPartition(tenantId);
    const entries: Item[] = [];
    let startKey: Item | undefined = cursor !== undefined ? { pk, sk: cursor } : undefined;
    // One more than asked: a page that ends the list says so (no cursor to an empty page).
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ScanIndexForward: false,
          Limit: limit + 1 - entries.length,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      entries.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey && entries.length <= limit);
    const listed = entries.slice(0, limit);
    const byId = await this.campaignsById(
      tenantId,
      listed.map((entry) => String(entry.campaignId)),
    );
    const campaigns = listed.flatMap((entry) => byId.get(String(entry.campaignId)) ?? []);
    const last = listed.at(-1);
    return { campaigns, ...(entries.length > limit && last ? { cursor: String(last.sk) } : {}) };
  }

  async addRecipients(
    tenantId: string,
    campaignId: string,
    recipients: readonly CampaignRecipient[],
  ): Promise<{ added: number; duplicates: readonly CampaignRecipient[] }> {
    if (recipients.length > MAX_RECIPIENTS_PER_WRITE)
      throw new RangeError(`at most ${MAX_RECIPIENTS_PER_WRITE} recipients at a time`);
    // A number twice in one call: the first is the recipient (one transaction cannot write an item twice).
    const duplicates: CampaignRecipient[] = [];
    let candidates: CampaignRecipient[] = [];
    const seen = new Set<string>();
    for (const recipient of recipients) {
      if (seen.has(recipient.phone)) duplicates.push(recipient);
      else {
        seen.add(recipient.phone);
        candidates.push(recipient);
      }
    }
    for (let attempt = 1; ; attempt += 1) {
      const adds = counterAdds({
        total: candidates.length + duplicates.length,
        skippedDuplicate: duplicates.length,
      });
      const items: TransactItem[] = candidates.flatMap((recipient) => [
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...keys.campaignRecipient(tenantId, campaignId, recipient.phone),
              ...recipientFields(recipient),
              state: 'pending',
            },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...keys.campaignDue(
                tenantId,
                campaignId,
                campaignDueTime(recipient.notBeforeMs),
                recipient.phone,
              ),
              ...recipientFields(recipient),
            },
          },
        },
      ]);
      if (adds.clause !== '') items.push(this.metaUpdate(tenantId, campaignId, adds));
      if (items.length === 0) return { added: 0, duplicates };
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        return { added: candidates.length, duplicates };
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (!reasons) throw error;
        if (adds.clause !== '' && reasons[items.length - 1]?.Code === 'ConditionalCheckFailed')
          throw new CampaignNotFoundError(tenantId, campaignId);
        const taken = new Set<number>();
        candidates.forEach((recipient, index) => {
          const reason = reasons[index * 2];
          if (reason?.Code !== 'ConditionalCheckFailed') return;
          taken.add(index);
          const stored = oldItem(reason.Item);
          // A row sent again (the caller retried a chunk) was counted the first time: not a duplicate.
          if (!stored || !sameRow(stored, recipient)) duplicates.push(recipient);
        });
        if (taken.size > 0) candidates = candidates.filter((_, index) => !taken.has(index));
        else if (attempt >= MAX_TRANSACTION_ATTEMPTS) throw error;
      }
    }
  }

  async countInvalid(tenantId: string, campaignId: string, count: number): Promise<void> {
    if (count === 0) return;
    await this.addToCampaign(tenantId, campaignId, { total: count, skippedInvalid: count }, true);
  }

  async markRecipientsComplete(tenantId: string, campaignId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.campaign(tenantId, campaignId),
          UpdateExpression: 'SET recipientsComplete = :true, updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':true': true, ':at': this.now().toISOString() },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new CampaignNotFoundError(tenantId, campaignId);
      throw error;
    }
  }

  async transition(
    tenantId: string,
    campaignId: string,
    from: CampaignState,
    to: CampaignState,
    at: string,
  ): Promise<CampaignTransitionResult> {
    try {
      const { Attributes: attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.campaign(tenantId, campaignId),
          UpdateExpression: 'SET #state = :to, updatedAt = :at',
          ConditionExpression: '#state = :from',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':from': from, ':to': to, ':at': at },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { ok: true, campaign: campaignOf(attributes ?? {}) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = oldItem(error.Item);
      return { ok: false, current: current ? campaignOf(current) : undefined };
    }
  }

  async dueRecipients(
    tenantId: string,
    campaignId: string,
    nowMs: number,
    limit: number,
  ): Promise<DueRecipient[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    const { pk } = keys.campaign(tenantId, campaignId);
    // Phones are `+` and digits: `~` sorts after every one of them.
    const last = `${keys.campaignDuePrefix}${campaignDueTime(Math.max(0, Math.floor(nowMs)))}#~`;
    const due: DueRecipient[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
          ExpressionAttributeValues: { ':pk': pk, ':first': keys.campaignDuePrefix, ':last': last },
          ConsistentRead: true,
          Limit: limit - due.length,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      due.push(...(page.Items ?? []).map(dueRecipientOf));
      startKey = page.LastEvaluatedKey;
    } while (startKey && due.length < limit);
    return due;
  }

  async release(
    tenantId: string,
    campaignId: string,
    recipient: DueRecipient,
    release: RecipientRelease,
  ): Promise<boolean> {
    const dueKey = keys.campaignDue(
      tenantId,
      campaignId,
      campaignDueTime(recipient.notBeforeMs),
      recipient.phone,
    );
    const recipientKey = keys.campaignRecipient(tenantId, campaignId, recipient.phone);
    const at = this.now().toISOString();
    let items: TransactItem[];
    if (release.kind === 'postponed') {
      if (release.notBeforeMs === recipient.notBeforeMs)
        items = [
          {
            ConditionCheck: {
              TableName: this.tableName,
              Key: dueKey,
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
        ];
      else
        items = [
          this.dueDelete(dueKey),
          {
            Put: {
              TableName: this.tableName,
              Item: {
                ...keys.campaignDue(
                  tenantId,
                  campaignId,
                  campaignDueTime(release.notBeforeMs),
                  recipient.phone,
                ),
                ...recipientFields({ ...recipient, notBeforeMs: release.notBeforeMs }),
              },
            },
          },
          {
            Update: {
              TableName: this.tableName,
              Key: recipientKey,
              UpdateExpression: 'SET notBeforeMs = :notBefore, postponedAt = :at',
              ExpressionAttributeValues: { ':notBefore': release.notBeforeMs, ':at': at },
            },
          },
        ];
    } else {
      const outcome =
        release.kind === 'queued'
          ? { ':state': 'queued', ':sendId': release.sendId, ':from': release.from }
          : { ':state': 'skipped', ':reason': release.reason };
      items = [
        this.dueDelete(dueKey),
        {
          Update: {
            TableName: this.tableName,
            Key: recipientKey,
            UpdateExpression:
              release.kind === 'queued'
                ? 'SET #state = :state, sendId = :sendId, #from = :from, releasedAt = :at'
                : 'SET #state = :state, skipReason = :reason, releasedAt = :at',
            ExpressionAttributeNames: {
              '#state': 'state',
              ...(release.kind === 'queued' ? { '#from': 'from' } : {}),
            },
            ExpressionAttributeValues: { ...outcome, ':at': at },
          },
        },
        this.metaUpdate(
          tenantId,
          campaignId,
          counterAdds(release.kind === 'queued' ? { queued: 1 } : { [SKIP_COUNTER[release.reason]]: 1 }),
        ),
      ];
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        return true;
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (!reasons) throw error;
        // Released already (another tick, a retried one): this call changes nothing.
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return false;
        if (release.kind !== 'postponed' && reasons[2]?.Code === 'ConditionalCheckFailed')
          throw new CampaignNotFoundError(tenantId, campaignId);
        if (attempt >= MAX_TRANSACTION_ATTEMPTS) throw error;
      }
    }
  }

  async saveSenderClocks(
    tenantId: string,
    campaignId: string,
    clocks: Readonly<Record<string, number>>,
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.campaign(tenantId, campaignId),
          UpdateExpression: 'SET senderClocks = :clocks',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':clocks': { ...clocks } },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new CampaignNotFoundError(tenantId, campaignId);
      throw error;
    }
  }

  async addCounters(
    tenantId: string,
    campaignId: string,
    counters: Partial<Readonly<Record<CampaignCounter, number>>>,
  ): Promise<void> {
    // Reported by functions after the fact (status callbacks, replies): a campaign that is gone has
    // nothing left to count into, and its reporter must not fail for it.
    await this.addToCampaign(tenantId, campaignId, counters, false);
  }

  private async addToCampaign(
    tenantId: string,
    campaignId: string,
    counters: Partial<Readonly<Record<CampaignCounter, number>>>,
    mustExist: boolean,
  ): Promise<void> {
    const adds = counterAdds(counters);
    if (adds.clause === '') return;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.campaign(tenantId, campaignId),
          UpdateExpression: adds.clause,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: adds.names,
          ExpressionAttributeValues: adds.values,
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (mustExist) throw new CampaignNotFoundError(tenantId, campaignId);
    }
  }

  private dueDelete(key: { pk: string; sk: string }): TransactItem {
    return { Delete: { TableName: this.tableName, Key: key, ConditionExpression: 'attribute_exists(pk)' } };
  }

  /** Counters added in a transaction, on the condition that the campaign exists (last item by convention). */
  private metaUpdate(
    tenantId: string,
    campaignId: string,
    adds: ReturnType<typeof counterAdds>,
  ): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.campaign(tenantId, campaignId),
        UpdateExpression: adds.clause,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: adds.names,
        ExpressionAttributeValues: adds.values,
      },
    };
  }

  /** The `META` items of these campaigns, by id (BatchGetItem, 100 keys a request). */
  private async campaignsById(
    tenantId: string,
    campaignIds: readonly string[],
  ): Promise<Map<string, CampaignRecord>> {
    const found = new Map<string, CampaignRecord>();
    for (let start = 0; start < campaignIds.length; start += BATCH_GET_KEYS) {
      let keysLeft: Item[] = campaignIds
        .slice(start, start + BATCH_GET_KEYS)
        .map((campaignId) => keys.campaign(tenantId, campaignId));
      while (keysLeft.length > 0) {
        const result = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: keysLeft, ConsistentRead: true } },
          }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const campaign = campaignOf(item);
          found.set(campaign.campaignId, campaign);
        }
        keysLeft = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }
}
