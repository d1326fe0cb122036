import type { TenantNumber } from './tenant-directory';

/** A tenant's pool as a campaign uses it: its numbers, each with its own rate. */
export interface NumberPool {
  readonly tenantId: string;
  readonly name: string;
  /**
   * The members still registered to the tenant, in the pool's (sorted) order. A member that is not
   * any more is left out: nothing can be sent from it, and the sticky choice then moves only the
   * customers it had.
   */
  readonly numbers: readonly TenantNumber[];
  readonly updatedAt: string;
}

/** Reads a tenant's number pools (written by operators' tools: DynamoTenantAdmin.putPool). */
export interface NumberPools {
  getPool(tenantId: string, name: string): Promise<NumberPool | undefined>;
}
