import { checkPoolNumbers, isValidPoolName, PoolNumbersNotFoundError } from '../../domain/number-pool';
import type { NumberPool, NumberPools } from '../../ports/number-pools';
import type { TenantDirectory, TenantNumber } from '../../ports/tenant-directory';

interface StoredPool {
  readonly numbers: readonly string[];
  readonly updatedAt: string;
}

/**
 * A tenant's pools in memory (use-case tests), over a directory of its numbers: the same refusals
 * and the same reading as the DynamoDB pools.
 */
export class MemoryNumberPools implements NumberPools {
  private readonly pools = new Map<string, StoredPool>();

  constructor(private readonly directory: TenantDirectory) {}

  async putPool(
    tenantId: string,
    name: string,
    numbers: readonly string[],
    updatedAt = new Date().toISOString(),
  ): Promise<void> {
    if (!isValidPoolName(name)) throw new RangeError(`invalid pool name "${name}"`);
    const checked = checkPoolNumbers(numbers);
    if (!checked.ok) throw new RangeError(checked.reason);
    const missing: string[] = [];
    for (const number of checked.numbers)
      if (!(await this.directory.getNumber(tenantId, number))) missing.push(number);
    if (missing.length > 0) throw new PoolNumbersNotFoundError(tenantId, missing);
    this.pools.set(`${tenantId}#${name}`, { numbers: checked.numbers, updatedAt });
  }

  async getPool(tenantId: string, name: string): Promise<NumberPool | undefined> {
    const stored = this.pools.get(`${tenantId}#${name}`);
    if (!stored) return undefined;
    const numbers: TenantNumber[] = [];
    for (const number of stored.numbers) {
      const registered = await this.directory.getNumber(tenantId, number);
      if (registered) numbers.push(registered);
    }
    return { tenantId, name, numbers, updatedAt: stored.updatedAt };
  }
}
