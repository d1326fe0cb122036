import { describe, expect, it } from 'vitest';
import { MemoryNumberPools } from '../../../lambdas/adapters/memory/number-pools';
import { MemoryTenantDirectory } from '../../../lambdas/adapters/memory/tenant-directory';
import { PoolNumbersNotFoundError } from '../../../lambdas/domain/number-pool';

/** The memory pools refuse and read as the DynamoDB ones (test/integration/cli/pool.test.ts). */
function directory() {
  const numbers = new MemoryTenantDirectory();
  for (const [tenantId, number, segmentsPerSecond] of [
    ['acme', '+15005550102', 5],
    ['acme', '+15005550101', undefined],
    ['other', '+15005550109', undefined],
  ] as const)
    numbers.putNumber({
      tenantId,
      number,
      workflowId: 'order-status',
      allowInboundStart: true,
      ...(segmentsPerSecond ? { segmentsPerSecond } : {}),
    });
  return numbers;
}

describe('MemoryNumberPools', () => {
  it("reads a pool's numbers, sorted and once each, with their rates", async () => {
    const pools = new MemoryNumberPools(directory());
    await pools.putPool(
      'acme',
      'spring',
      ['+15005550102', '+15005550101', '+15005550102'],
      '2026-01-01T00:00:00.000Z',
    );
    expect(await pools.getPool('acme', 'spring')).toEqual({
      tenantId: 'acme',
      name: 'spring',
      numbers: [
        { tenantId: 'acme', number: '+15005550101', workflowId: 'order-status', allowInboundStart: true },
        {
          tenantId: 'acme',
          number: '+15005550102',
          workflowId: 'order-status',
          allowInboundStart: true,
          segmentsPerSecond: 5,
        },
      ],
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(await pools.getPool('other', 'spring')).toBeUndefined();
  });

  it("refuses another tenant's or an unknown number, naming them, a bad name and no numbers", async () => {
    const pools = new MemoryNumberPools(directory());
    const refused = pools.putPool('acme', 'spring', ['+15005550101', '+15005550109', '+15005550199']);
    await expect(refused).rejects.toThrow(PoolNumbersNotFoundError);
    await expect(refused).rejects.toMatchObject({
      message: '+15005550109, +15005550199 not found for tenant acme',
      numbers: ['+15005550109', '+15005550199'],
    });
    expect(await pools.getPool('acme', 'spring')).toBeUndefined();
    await expect(pools.putPool('acme', 'Spring', ['+15005550101'])).rejects.toThrow(RangeError);
    await expect(pools.putPool('acme', 'spring', [])).rejects.toThrow(RangeError);
  });
});
