import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Workflow } from '../../domain/workflow/definition';
import { retentionDaysOf } from '../../domain/data-requests';
import { tokenBudgetOf } from '../../domain/understanding/budget';
import { tenantQuietHoursOf } from '../../domain/workflow/reminder-quiet-hours';
import type { TenantLookup, TenantNumber } from '../../ports/tenant-directory';
import type { TenantQuietHours, TenantRetention } from '../../ports/tenant-profiles';
import { keys } from './keys';

interface Cached<T> {
  readonly value: T;
  readonly at: number;
}

/** Numbers and workflows change rarely; a short per-container cache saves two reads per turn. */
/** A `NUMBER#` item as a TenantNumber: the one reading of it (the directory's and the pools'). */
export function tenantNumberOf(
  tenantId: string,
  number: string,
  item: Record<string, unknown>,
): TenantNumber {
  return {
    tenantId,
    number,
    workflowId: String(item.workflowId),
    allowInboundStart: item.allowInboundStart !== false,
    ...(typeof item.segmentsPerSecond === 'number' ? { segmentsPerSecond: item.segmentsPerSecond } : {}),
    ...(typeof item.mms === 'boolean' ? { mms: item.mms } : {}),
    ...(typeof item.language === 'string' ? { language: item.language } : {}),
  };
}

export class DynamoTenantDirectory implements TenantLookup, TenantRetention, TenantQuietHours {
  private readonly cache = new Map<string, Cached<unknown>>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  async tenantExists(tenantId: string): Promise<boolean> {
    return (await this.profile(tenantId)) !== undefined;
  }

  /** The tenant's retention (`tenant put --retention-days`), from the cached profile; undefined: the default. */
  async retentionDays(tenantId: string): Promise<number | undefined> {
    return retentionDaysOf(await this.profile(tenantId));
  }

  /** The tenant's `--llm-tokens-per-month` (understanding port), from the cached profile; undefined: the default. */
  async llmTokensPerMonth(tenantId: string): Promise<number | undefined> {
    return tokenBudgetOf(await this.profile(tenantId));
  }

  /** The tenant's quiet hours for reminders (`tenant put --quiet-hours`), from the cached profile. */
  async quietHours(tenantId: string): Promise<string | undefined> {
    return tenantQuietHoursOf(await this.profile(tenantId));
  }

  /** A number carries its tenant's retention, so what its traffic writes expires when the tenant says. */
  getNumber(tenantId: string, number: string): Promise<TenantNumber | undefined> {
    return this.cached(`n:${tenantId}:${number}`, async () => {
      const item = await this.get(keys.tenantNumber(tenantId, number));
      if (!item) return undefined;
      const retentionDays = await this.retentionDays(tenantId);
      return {
        ...tenantNumberOf(tenantId, number, item),
        ...(retentionDays !== undefined ? { retentionDays } : {}),
      };
    });
  }

  /** The profile item, read once per TTL for existence and retention both. */
  private profile(tenantId: string): Promise<Record<string, unknown> | undefined> {
    return this.cached(`p:${tenantId}`, () => this.get(keys.tenantProfile(tenantId)));
  }

  getWorkflow(tenantId: string, workflowId: string): Promise<Workflow | undefined> {
    return this.cached(`w:${tenantId}:${workflowId}`, async () => {
      const item = await this.get(keys.workflow(tenantId, workflowId));
      if (!item) return undefined;
      // Validated by `workflow put`; a lean check here keeps zod out of the handlers' cold start.
      // Loaded on the first workflow read: its pattern engine (RE2) is no cost to a cold start
      // that reads no workflow (a plain message through the API).
      const { readStoredWorkflow, StoredWorkflowError } = await import('../../domain/workflow/stored');
      try {
        return readStoredWorkflow(String(item.definition));
      } catch (error) {
        // Still a StoredWorkflowError: the turn sends a message whose workflow cannot be read to the DLQ at once.
        if (!(error instanceof StoredWorkflowError)) throw error;
        throw new StoredWorkflowError(`Stored workflow ${workflowId} is invalid: ${error.message}`, {
          cause: error,
        });
      }
    });
  }

  private async get(key: { pk: string; sk: string }) {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key }));
    return result.Item;
  }

  private async cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value as T;
    const value = await load();
    this.cache.set(key, { value, at: this.now() });
    return value;
  }
}
