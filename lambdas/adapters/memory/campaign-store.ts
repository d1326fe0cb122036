import {
  type CampaignCounter,
  type CampaignCounters,
  type CampaignState,
  emptyCampaignCounters,
  SKIP_COUNTER,
} from '../../domain/campaign/campaign';
import type {
  CampaignDefinition,
  CampaignRecipient,
  CampaignRecord,
  CampaignStore,
  CampaignTransitionResult,
  DueRecipient,
  RecipientRelease,
} from '../../ports/campaign-store';

/** At most this many recipients per addRecipients, as the DynamoDB store's transaction takes. */
export const MAX_RECIPIENTS_PER_WRITE = 25;

/** The campaign does not exist (a write that needs it found none). */
export class MemoryCampaignNotFoundError extends Error {
  constructor(
    readonly tenantId: string,
    readonly campaignId: string,
  ) {
    super(`campaign ${campaignId} of tenant ${tenantId} not found`);
    this.name = 'MemoryCampaignNotFoundError';
  }
}

interface StoredRecipient extends CampaignRecipient {
  readonly state: 'pending' | 'queued' | 'skipped';
  readonly from?: string;
  readonly sendId?: string;
  readonly skipReason?: string;
}

interface StoredCampaign {
  record: CampaignRecord;
  readonly recipients: Map<string, StoredRecipient>;
  /** Due items by their sort key `<notBeforeMs, 13 digits>#<phone>`, as the table orders them. */
  readonly due: Map<string, DueRecipient>;
}

/** `DUE#` sort key order: time in 13 digits, then the number. */
function dueKey(notBeforeMs: number, phone: string): string {
  if (!Number.isSafeInteger(notBeforeMs) || notBeforeMs < 0 || notBeforeMs >= 1e13)
    throw new RangeError(`not an epoch ms time of 13 digits: ${notBeforeMs}`);
  return `${String(notBeforeMs).padStart(13, '0')}#${phone}`;
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

function sameRow(stored: CampaignRecipient, recipient: CampaignRecipient): boolean {
  const storedNames = Object.keys(stored.variables);
  return (
    stored.line === recipient.line &&
    storedNames.length === Object.keys(recipient.variables).length &&
    storedNames.every((name) => stored.variables[name] === recipient.variables[name])
  );
}

function dueOf(recipient: CampaignRecipient & { readonly from?: string }): DueRecipient {
  return {
    phone: recipient.phone,
    line: recipient.line,
    variables: { ...recipient.variables },
    ...(recipient.timezone !== undefined ? { timezone: recipient.timezone } : {}),
    notBeforeMs: recipient.notBeforeMs,
    ...(recipient.from !== undefined ? { from: recipient.from } : {}),
  };
}

const LIST_CURSOR = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z#cmp-[0-9a-f]{32}$/;

/**
 * Campaigns in memory (use-case tests), with the DynamoDB store's contract
 * (lambdas/adapters/dynamodb/campaign-store.ts): created once, a number stored once per campaign (a
 * chunk sent again counts once), a due recipient released once (a second release of the same due
 * item returns false and counts nothing), counters added with the release. Everything read is a
 * copy, as a read from the table is.
 */
export class MemoryCampaignStore implements CampaignStore {
  private readonly campaigns = new Map<string, StoredCampaign>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async create(
    definition: CampaignDefinition,
  ): Promise<{ created: true } | { created: false; existing: CampaignRecord }> {
    const key = this.key(definition.tenantId, definition.campaignId);
    const existing = this.campaigns.get(key);
    if (existing) return { created: false, existing: copy(existing.record) };
    this.campaigns.set(key, {
      record: {
        ...copy(definition),
        state: 'scheduled',
        recipientsComplete: false,
        counters: emptyCampaignCounters(),
        senderClocks: {},
        updatedAt: definition.createdAt,
      },
      recipients: new Map(),
      due: new Map(),
    });
    return { created: true };
  }

  async get(tenantId: string, campaignId: string): Promise<CampaignRecord | undefined> {
    const stored = this.campaigns.get(this.key(tenantId, campaignId));
    return stored ? copy(stored.record) : undefined;
  }

  async list(
    tenantId: string,
    options: { limit: number; cursor?: string },
  ): Promise<{ campaigns: CampaignRecord[]; cursor?: string }> {
    const { limit, cursor } = options;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    if (cursor !== undefined && !LIST_CURSOR.test(cursor)) throw new RangeError('not a campaign list cursor');
    const entries = [...this.campaigns.values()]
      .filter((stored) => stored.record.tenantId === tenantId)
      .map((stored) => ({ sk: `${stored.record.createdAt}#${stored.record.campaignId}`, stored }))
      .sort((a, b) => (a.sk < b.sk ? 1 : a.sk > b.sk ? -1 : 0))
      .filter((entry) => cursor === undefined || entry.sk < cursor);
    const page = entries.slice(0, limit);
    const last = page.at(-1);
    return {
      campaigns: page.map((entry) => copy(entry.stored.record)),
      ...(entries.length > limit && last ? { cursor: last.sk } : {}),
    };
  }

  async addRecipients(
    tenantId: string,
    campaignId: string,
    recipients: readonly CampaignRecipient[],
  ): Promise<{ added: number; duplicates: readonly CampaignRecipient[] }> {
    if (recipients.length > MAX_RECIPIENTS_PER_WRITE)
      throw new RangeError(`at most ${MAX_RECIPIENTS_PER_WRITE} recipients at a time`);
    const stored = this.require(tenantId, campaignId);
    const duplicates: CampaignRecipient[] = [];
    const added: CampaignRecipient[] = [];
    const seen = new Set<string>();
    for (const recipient of recipients) {
      const earlier = stored.recipients.get(recipient.phone);
      if (seen.has(recipient.phone)) duplicates.push(recipient);
      else if (earlier) {
        seen.add(recipient.phone);
        // A row sent again (the caller retried a chunk) was counted the first time.
        if (!sameRow(earlier, recipient)) duplicates.push(recipient);
      } else {
        seen.add(recipient.phone);
        added.push(recipient);
      }
    }
    for (const recipient of added) {
      stored.recipients.set(recipient.phone, { ...copy(recipient), state: 'pending' });
      stored.due.set(dueKey(recipient.notBeforeMs, recipient.phone), dueOf(copy(recipient)));
    }
    this.addTo(stored, { total: added.length + duplicates.length, skippedDuplicate: duplicates.length });
    return { added: added.length, duplicates };
  }

  async countInvalid(tenantId: string, campaignId: string, count: number): Promise<void> {
    if (count === 0) return;
    this.addTo(this.require(tenantId, campaignId), { total: count, skippedInvalid: count });
  }

  async markRecipientsComplete(tenantId: string, campaignId: string): Promise<void> {
    const stored = this.require(tenantId, campaignId);
    stored.record = { ...stored.record, recipientsComplete: true, updatedAt: this.now().toISOString() };
  }

  async transition(
    tenantId: string,
    campaignId: string,
    from: CampaignState,
    to: CampaignState,
    at: string,
  ): Promise<CampaignTransitionResult> {
    const stored = this.campaigns.get(this.key(tenantId, campaignId));
    if (!stored) return { ok: false, current: undefined };
    if (stored.record.state !== from) return { ok: false, current: copy(stored.record) };
    stored.record = { ...stored.record, state: to, updatedAt: at };
    return { ok: true, campaign: copy(stored.record) };
  }

  async dueRecipients(
    tenantId: string,
    campaignId: string,
    nowMs: number,
    limit: number,
  ): Promise<DueRecipient[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    const stored = this.campaigns.get(this.key(tenantId, campaignId));
    if (!stored) return [];
    const last = `${dueKey(Math.max(0, Math.floor(nowMs)), '')}~`;
    return [...stored.due.entries()]
      .filter(([key]) => key <= last)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, limit)
      .map(([, due]) => copy(due));
  }

  async release(
    tenantId: string,
    campaignId: string,
    recipient: DueRecipient,
    release: RecipientRelease,
  ): Promise<boolean> {
    const stored = this.campaigns.get(this.key(tenantId, campaignId));
    const key = dueKey(recipient.notBeforeMs, recipient.phone);
    // Released already (another tick, a retried one), or no such campaign: nothing changes.
    if (!stored?.due.has(key)) return false;
    const current = stored.recipients.get(recipient.phone);
    if (release.kind === 'postponed') {
      if (release.notBeforeMs === recipient.notBeforeMs) return true;
      stored.due.delete(key);
      stored.due.set(
        dueKey(release.notBeforeMs, recipient.phone),
        dueOf({ ...copy(recipient), notBeforeMs: release.notBeforeMs }),
      );
      if (current) stored.recipients.set(recipient.phone, { ...current, notBeforeMs: release.notBeforeMs });
      return true;
    }
    stored.due.delete(key);
    if (current)
      stored.recipients.set(
        recipient.phone,
        release.kind === 'queued'
          ? { ...current, state: 'queued', sendId: release.sendId, from: release.from }
          : { ...current, state: 'skipped', skipReason: release.reason },
      );
    this.addTo(stored, release.kind === 'queued' ? { queued: 1 } : { [SKIP_COUNTER[release.reason]]: 1 });
    return true;
  }

  async saveSenderClocks(
    tenantId: string,
    campaignId: string,
    clocks: Readonly<Record<string, number>>,
  ): Promise<void> {
    const stored = this.require(tenantId, campaignId);
    stored.record = { ...stored.record, senderClocks: { ...clocks } };
  }

  async addCounters(
    tenantId: string,
    campaignId: string,
    counters: Partial<Readonly<Record<CampaignCounter, number>>>,
  ): Promise<void> {
    // As in the table: a report for a campaign that is gone changes nothing and does not fail.
    const stored = this.campaigns.get(this.key(tenantId, campaignId));
    if (stored) this.addTo(stored, counters);
  }

  /** The recipient as stored (state, sender, send id): for tests' assertions. */
  recipient(tenantId: string, campaignId: string, phone: string): StoredRecipient | undefined {
    const stored = this.campaigns.get(this.key(tenantId, campaignId))?.recipients.get(phone);
    return stored ? copy(stored) : undefined;
  }

  private addTo(stored: StoredCampaign, counters: Partial<Readonly<Record<CampaignCounter, number>>>): void {
    const next: Record<CampaignCounter, number> = { ...stored.record.counters };
    for (const [name, amount] of Object.entries(counters) as [CampaignCounter, number][]) {
      if (!Number.isSafeInteger(amount)) throw new RangeError(`counter ${name} must add an integer`);
      next[name] += amount;
    }
    stored.record = { ...stored.record, counters: next as CampaignCounters };
  }

  private require(tenantId: string, campaignId: string): StoredCampaign {
    const stored = this.campaigns.get(this.key(tenantId, campaignId));
    if (!stored) throw new MemoryCampaignNotFoundError(tenantId, campaignId);
    return stored;
  }

  private key(tenantId: string, campaignId: string): string {
    return `${tenantId}#${campaignId}`;
  }
}
