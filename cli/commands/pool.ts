import { DynamoNumberPools, poolNumbersOf } from '../../lambdas/adapters/dynamodb/number-pools';
import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import {
  checkPoolNumbers,
  isValidPoolName,
  POOL_NAME_PATTERN,
  type PoolMember,
  PoolNumbersNotFoundError,
  poolRate,
} from '../../lambdas/domain/number-pool';
import { isE164 } from '../../lambdas/domain/phone';
import { segmentsPerSecondFor } from '../../lambdas/domain/send-pacing';
import { CliError } from '../cli-error';
import { parseCommand, required, tenantId } from '../flags';
import type { CommandResult } from '../output';
import type { PlatformTarget } from '../target';

const PUT_USAGE = 'pool put --tenant ID --pool NAME --numbers E164,E164,...';
const GET_USAGE = 'pool get --tenant ID --pool NAME';
const LIST_USAGE = 'pool list --tenant ID';
const DELETE_USAGE = 'pool delete --tenant ID --pool NAME';

export function poolName(value: string | undefined, usage: string): string {
  const name = required(value, '--pool', usage);
  if (!isValidPoolName(name))
    throw new CliError(`invalid pool name "${name}": expected ${POOL_NAME_PATTERN.source.slice(1, -1)}`, 2);
  return name;
}

/**
 * `--numbers a,b --numbers c`: comma-separated, repeatable, spaces around commas allowed; each
 * number once, sorted (a pool is a set).
 */
export function poolNumbers(values: readonly string[] | undefined, usage: string): readonly string[] {
  const given = (values ?? []).flatMap((value) => value.split(',')).map((value) => value.trim());
  const numbers = given.filter((value) => value !== '');
  if (numbers.length === 0) throw new CliError(`--numbers is required; usage: smsctl ${usage}`, 2);
  const invalid = numbers.find((number) => !isE164(number));
  if (invalid !== undefined)
    throw new CliError(`--numbers ${invalid} is not an E.164 number (e.g. +15005550006)`, 2);
  const checked = checkPoolNumbers(numbers);
  if (!checked.ok) throw new CliError(`--numbers: ${checked.reason}`, 2);
  return checked.numbers;
}

/** Rates are configured per number (`number put --segments-per-second`) and may be fractions. */
function rounded(segmentsPerSecond: number): number {
  return Math.round(segmentsPerSecond * 1000) / 1000;
}

function poolView(tenant: string, name: string, members: readonly PoolMember[], updatedAt: string) {
  return {
    tenantId: tenant,
    name,
    numbers: members.map((member) => ({
      number: member.number,
      segmentsPerSecond: segmentsPerSecondFor(member.number, member.segmentsPerSecond),
    })),
    segmentsPerSecond: rounded(poolRate(members)),
    updatedAt,
  };
}

function summary(view: ReturnType<typeof poolView>): string {
  return `${view.numbers.length} number(s), ${view.segmentsPerSecond} segments/s`;
}

async function requireTenant(admin: DynamoTenantAdmin, id: string): Promise<void> {
  if (!(await admin.getProfile(id))) throw new CliError(`tenant ${id} not found`);
}

export async function poolCommand(
  action: string | undefined,
  args: string[],
  target: () => Promise<PlatformTarget>,
  now: () => Date = () => new Date(),
): Promise<CommandResult> {
  switch (action) {
    case 'put': {
      const { values } = parseCommand(PUT_USAGE, args, {
        tenant: { type: 'string' },
        pool: { type: 'string' },
        numbers: { type: 'string', multiple: true },
      });
      const id = tenantId(values.tenant, PUT_USAGE);
      const name = poolName(values.pool, PUT_USAGE);
      const numbers = poolNumbers(values.numbers, PUT_USAGE);
      const platform = await target();
      const admin = new DynamoTenantAdmin(platform.dynamo, platform.tableName);
      await requireTenant(admin, id);
      const updatedAt = now().toISOString();
      let members: PoolMember[];
      try {
        members = await admin.putPool(id, name, numbers, updatedAt);
      } catch (error) {
        if (error instanceof PoolNumbersNotFoundError)
          throw new CliError(`${error.message}; register each first with smsctl number put`);
        throw error;
      }
      const view = poolView(id, name, members, updatedAt);
      return {
        json: { ok: true, pool: view },
        lines: [`pool ${name} of tenant ${id} saved (${platform.description}): ${summary(view)}`],
      };
    }
    case 'get': {
      const { values } = parseCommand(GET_USAGE, args, {
        tenant: { type: 'string' },
        pool: { type: 'string' },
      });
      const id = tenantId(values.tenant, GET_USAGE);
      const name = poolName(values.pool, GET_USAGE);
      const platform = await target();
      // Through the port campaigns read: what is shown is what a campaign would send from.
      const pool = await new DynamoNumberPools(platform.dynamo, platform.tableName).getPool(id, name);
      if (!pool) throw new CliError(`pool ${name} of tenant ${id} not found`);
      const view = poolView(id, name, pool.numbers, pool.updatedAt);
      return {
        json: { pool: view },
        lines: [
          `pool ${name} of tenant ${id}: ${summary(view)}, updated ${view.updatedAt}`,
          ...view.numbers.map(
            (member) => `${member.number.padEnd(16)} ${member.segmentsPerSecond} segments/s`,
          ),
        ],
      };
    }
    case 'list': {
      const id = tenantId(
        parseCommand(LIST_USAGE, args, { tenant: { type: 'string' } }).values.tenant,
        LIST_USAGE,
      );
      const platform = await target();
      const admin = new DynamoTenantAdmin(platform.dynamo, platform.tableName);
      await requireTenant(admin, id);
      // One read of the tenant's numbers gives every pool's rates.
      const registered = new Map<string, PoolMember>(
        (await admin.listNumbers(id)).map((item) => [
          String(item.number),
          {
            number: String(item.number),
            ...(typeof item.segmentsPerSecond === 'number'
              ? { segmentsPerSecond: item.segmentsPerSecond }
              : {}),
          },
        ]),
      );
      const pools = (await admin.listPools(id)).map((item) => {
        const members = poolNumbersOf(item).flatMap((number) => registered.get(number) ?? []);
        return poolView(id, String(item.name), members, String(item.updatedAt));
      });
      return {
        json: { tenantId: id, pools },
        lines: pools.map((pool) => `${pool.name.padEnd(24)} ${summary(pool)}`),
      };
    }
    case 'delete': {
      const { values } = parseCommand(DELETE_USAGE, args, {
        tenant: { type: 'string' },
        pool: { type: 'string' },
      });
      const id = tenantId(values.tenant, DELETE_USAGE);
      const name = poolName(values.pool, DELETE_USAGE);
      const platform = await target();
      const deleted = await new DynamoTenantAdmin(platform.dynamo, platform.tableName).deletePool(id, name);
      if (!deleted) throw new CliError(`pool ${name} of tenant ${id} not found`);
      return {
        json: { ok: true, deleted: { tenantId: id, name } },
        lines: [`pool ${name} of tenant ${id} deleted (${platform.description})`],
      };
    }
    default:
      throw new CliError(`unknown pool action "${action ?? ''}" (put, get, list, delete)`, 2);
  }
}
