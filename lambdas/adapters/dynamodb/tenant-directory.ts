import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { parseWorkflow, type Workflow } from '../../domain/workflow/definition';
import type { TenantDirectory, TenantNumber } from '../../ports/tenant-directory';
import { keys } from './keys';

interface Cached<T> {
  readonly value: T;
  readonly at: number;
}

/** Numbers and workflows change rarely; a short per-container cache saves two reads per turn. */
export class DynamoTenantDirectory implements TenantDirectory {
  private readonly cache = new Map<string, Cached<unknown>>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  getNumber(tenantId: string, number: string): Promise<TenantNumber | undefined> {
    return this.cached(`n:${tenantId}:${number}`, async () => {
      const item = await this.get(keys.tenantNumber(tenantId, number));
      if (!item) return undefined;
      return {
        tenantId,
        number,
        workflowId: String(item.workflowId),
        allowInboundStart: item.allowInboundStart !== false,
      };
    });
  }

  getWorkflow(tenantId: string, workflowId: string): Promise<Workflow | undefined> {
    return this.cached(`w:${tenantId}:${workflowId}`, async () => {
      const item = await this.get(keys.workflow(tenantId, workflowId));
      if (!item) return undefined;
      const parsed = parseWorkflow(JSON.parse(String(item.definition)));
      if (!parsed.ok)
        throw new Error(`Stored workflow ${workflowId} is invalid: ${parsed.errors.join('; ')}`);
      return parsed.workflow;
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
