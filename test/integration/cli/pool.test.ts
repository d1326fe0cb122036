import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { keys } from '../../../lambdas/adapters/dynamodb/keys';
import { DynamoNumberPools } from '../../../lambdas/adapters/dynamodb/number-pools';
import { DynamoTenantAdmin } from '../../../lambdas/adapters/dynamodb/tenant-admin';
import { stickySender } from '../../../lambdas/domain/number-pool';
import { DEMO_TENANT } from '../../../local/seed';
import { useLocalStack } from '../../support/local-stack';
import { useSmsctl } from '../../support/smsctl';

/**
 * `smsctl pool` against a real local stack: a tenant onboarded with the CLI groups its numbers,
 * and the pool reads back through the port campaigns use.
 */
const stack = useLocalStack();
const { smsctl, json } = useSmsctl(stack);

const TENANT = 'pool-co';
const LONG_CODE = '+15005550201';
const FAST_LONG_CODE = '+15005550202';
const TOLL_FREE = '+18005550203';
const UNKNOWN = '+15005550299';

interface PoolView {
  tenantId: string;
  name: string;
  numbers: { number: string; segmentsPerSecond: number }[];
  segmentsPerSecond: number;
  updatedAt: string;
}

async function onboard() {
  await json(
    'tenant',
    'put',
    '--tenant',
    TENANT,
    '--account-sid',
    `AC${'b2'.repeat(16)}`,
    '--auth-token',
    'pool-co-secret-token-0123456789ab',
  );
  await json('workflow', 'put', '--tenant', TENANT, '--file', 'examples/workflows/order-status.json');
  for (const [number, rate] of [
    [LONG_CODE, undefined],
    [FAST_LONG_CODE, '5'],
    [TOLL_FREE, undefined],
  ] as const)
    await json(
      'number',
      'put',
      '--tenant',
      TENANT,
      '--number',
      number,
      '--workflow',
      'order-status',
      ...(rate ? ['--segments-per-second', rate] : []),
    );
}

describe('smsctl pool --local', () => {
  it('puts, gets, lists, replaces and deletes a pool, each number at its own rate', async () => {
    await onboard();
    const put = await json<{ ok: boolean; pool: PoolView }>(
      'pool',
      'put',
      '--tenant',
      TENANT,
      '--pool',
      'spring',
      '--numbers',
      `${TOLL_FREE}, ${LONG_CODE}`,
      '--numbers',
      FAST_LONG_CODE,
    );
    const spring = {
      tenantId: TENANT,
      name: 'spring',
      numbers: [
        { number: LONG_CODE, segmentsPerSecond: 1 },
        { number: FAST_LONG_CODE, segmentsPerSecond: 5 },
        { number: TOLL_FREE, segmentsPerSecond: 3 },
      ],
      segmentsPerSecond: 9,
    };
    expect(put).toMatchObject({ ok: true, pool: spring });
    expect(Date.parse(put.pool.updatedAt)).not.toBeNaN();

    const got = await json<{ pool: PoolView }>('pool', 'get', '--tenant', TENANT, '--pool', 'spring');
    expect(got.pool).toEqual(put.pool);
    const text = await smsctl('pool', 'get', '--tenant', TENANT, '--pool', 'spring');
    expect(text.stdout).toContain('pool spring of tenant pool-co: 3 number(s), 9 segments/s');
    expect(text.stdout).toContain(`${FAST_LONG_CODE}     5 segments/s`);

    await json('pool', 'put', '--tenant', TENANT, '--pool', 'solo', '--numbers', LONG_CODE);
    const listed = await json<{ tenantId: string; pools: PoolView[] }>('pool', 'list', '--tenant', TENANT);
    expect(listed.pools.map((pool) => [pool.name, pool.numbers.length, pool.segmentsPerSecond])).toEqual([
      ['solo', 1, 1],
      ['spring', 3, 9],
    ]);

    // Put again: the pool is replaced, not merged.
    await json('pool', 'put', '--tenant', TENANT, '--pool', 'spring', '--numbers', TOLL_FREE);
    expect(
      (await json<{ pool: PoolView }>('pool', 'get', '--tenant', TENANT, '--pool', 'spring')).pool,
    ).toMatchObject({ numbers: [{ number: TOLL_FREE, segmentsPerSecond: 3 }], segmentsPerSecond: 3 });

    expect(await json('pool', 'delete', '--tenant', TENANT, '--pool', 'solo')).toEqual({
      ok: true,
      deleted: { tenantId: TENANT, name: 'solo' },
    });
    expect(await smsctl('pool', 'get', '--tenant', TENANT, '--pool', 'solo')).toMatchObject({
      code: 1,
      error: 'pool solo of tenant pool-co not found',
    });
    expect(await smsctl('pool', 'delete', '--tenant', TENANT, '--pool', 'solo')).toMatchObject({
      code: 1,
      error: 'pool solo of tenant pool-co not found',
    });
    expect(
      (await json<{ pools: PoolView[] }>('pool', 'list', '--tenant', TENANT)).pools.map((pool) => pool.name),
    ).toEqual(['spring']);
  });

  it("refuses an unknown number and another tenant's number, naming them, and writes nothing", async () => {
    const before = await json<{ pool: PoolView }>('pool', 'get', '--tenant', TENANT, '--pool', 'spring');
    expect(
      await smsctl(
        'pool',
        'put',
        '--tenant',
        TENANT,
        '--pool',
        'spring',
        '--numbers',
        `${LONG_CODE},${UNKNOWN}`,
      ),
    ).toMatchObject({
      code: 1,
      error: `${UNKNOWN} not found for tenant ${TENANT}; register each first with smsctl number put`,
    });
    expect(
      await smsctl(
        '--json',
        'pool',
        'put',
        '--tenant',
        TENANT,
        '--pool',
        'borrowed',
        '--numbers',
        `${DEMO_TENANT.number},${UNKNOWN},${LONG_CODE}`,
      ),
    ).toMatchObject({
      code: 1,
      stdout: '',
      error: `${DEMO_TENANT.number}, ${UNKNOWN} not found for tenant ${TENANT}; register each first with smsctl number put`,
    });
    // The refused replace left the pool as it was, and the refused create made none.
    expect(await json('pool', 'get', '--tenant', TENANT, '--pool', 'spring')).toEqual(before);
    expect(await smsctl('pool', 'get', '--tenant', TENANT, '--pool', 'borrowed')).toMatchObject({ code: 1 });
  });

  it("keeps tenants' pools apart and refuses an unknown tenant", async () => {
    expect(await smsctl('pool', 'get', '--tenant', DEMO_TENANT.tenantId, '--pool', 'spring')).toMatchObject({
      code: 1,
      error: 'pool spring of tenant demo not found',
    });
    expect(
      await smsctl('pool', 'delete', '--tenant', DEMO_TENANT.tenantId, '--pool', 'spring'),
    ).toMatchObject({
      code: 1,
    });
    expect(await json('pool', 'get', '--tenant', TENANT, '--pool', 'spring')).toMatchObject({
      pool: { name: 'spring' },
    });
    expect(await json('pool', 'list', '--tenant', DEMO_TENANT.tenantId)).toEqual({
      tenantId: DEMO_TENANT.tenantId,
      pools: [],
    });
    for (const argv of [
      ['pool', 'put', '--tenant', 'nobody', '--pool', 'p', '--numbers', LONG_CODE],
      ['pool', 'list', '--tenant', 'nobody'],
    ])
      expect(await smsctl(...argv)).toMatchObject({ code: 1, error: 'tenant nobody not found' });
  });

  it('reads a pool of more than one BatchGetItem of numbers through the port, leaving out a member no longer registered', async () => {
    const admin = new DynamoTenantAdmin(stack().clients.dynamo, stack().tableName);
    const many = Array.from({ length: 150 }, (_, i) => `+1500556${String(i).padStart(4, '0')}`);
    for (const number of many)
      await admin.putNumber({
        tenantId: TENANT,
        number,
        workflowId: 'order-status',
        allowInboundStart: true,
        segmentsPerSecond: 2,
      });
    await json('pool', 'put', '--tenant', TENANT, '--pool', 'big', '--numbers', many.join(','));
    const pools = new DynamoNumberPools(stack().clients.dynamo, stack().tableName);
    const big = await pools.getPool(TENANT, 'big');
    expect(big?.numbers).toHaveLength(150);
    expect(big?.numbers[0]).toEqual({
      tenantId: TENANT,
      number: many[0],
      workflowId: 'order-status',
      allowInboundStart: true,
      segmentsPerSecond: 2,
    });

    // A number gone from the tenant (written around the CLI: nothing unregisters one today).
    const gone = many[42] as string;
    await stack().clients.dynamo.send(
      new DeleteCommand({ TableName: stack().tableName, Key: keys.tenantNumber(TENANT, gone) }),
    );
    const after = await pools.getPool(TENANT, 'big');
    expect(after?.numbers.map((n) => n.number)).toEqual(many.filter((number) => number !== gone));
    // Only the gone number's customers get another sender.
    for (let i = 0; i < 200; i += 1) {
      const customer = `+1555123${String(i).padStart(4, '0')}`;
      const was = stickySender(big?.numbers ?? [], customer);
      if (was !== gone) expect(stickySender(after?.numbers ?? [], customer)).toBe(was);
    }
    expect(await pools.getPool(TENANT, 'nope')).toBeUndefined();
    expect(await pools.getPool(DEMO_TENANT.tenantId, 'big')).toBeUndefined();
  });
});
