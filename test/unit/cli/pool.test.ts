import { describe, expect, it, vi } from 'vitest';
import { CliError } from '../../../cli/cli-error';
import { poolCommand, poolNumbers } from '../../../cli/commands/pool';
import { main } from '../../../cli/main';
import { MAX_POOL_NUMBERS } from '../../../lambdas/domain/number-pool';

const PUT_USAGE = 'pool put --tenant ID --pool NAME --numbers E164,E164,...';
const GET_USAGE = 'pool get --tenant ID --pool NAME';
const DELETE_USAGE = 'pool delete --tenant ID --pool NAME';
const PUT = ['pool', 'put', '--tenant', 'acme', '--pool', 'spring'];
const tooMany = Array.from(
  { length: MAX_POOL_NUMBERS + 1 },
  (_, i) => `+1500555${String(i).padStart(4, '0')}`,
);

/** What `smsctl pool` refuses before it touches any platform: one line, exit 2. */
describe('smsctl pool usage errors', () => {
  it.each([
    [
      ['pool', 'put', '--pool', 'spring', '--numbers', '+15005550101'],
      `--tenant is required; usage: smsctl ${PUT_USAGE}`,
    ],
    [
      ['pool', 'put', '--tenant', 'Acme!', '--pool', 'spring', '--numbers', '+15005550101'],
      'invalid tenant id "Acme!": expected [a-z0-9-]{2,40}',
    ],
    [
      ['pool', 'put', '--tenant', 'acme', '--numbers', '+15005550101'],
      `--pool is required; usage: smsctl ${PUT_USAGE}`,
    ],
    [
      ['pool', 'put', '--tenant', 'acme', '--pool', 'Spring Sale', '--numbers', '+15005550101'],
      'invalid pool name "Spring Sale": expected [a-z0-9-]{1,64}',
    ],
    [
      ['pool', 'put', '--tenant', 'acme', '--pool', 'a#b', '--numbers', '+15005550101'],
      'invalid pool name "a#b": expected [a-z0-9-]{1,64}',
    ],
    [PUT, `--numbers is required; usage: smsctl ${PUT_USAGE}`],
    [[...PUT, '--numbers', ' , ,'], `--numbers is required; usage: smsctl ${PUT_USAGE}`],
    [
      [...PUT, '--numbers', '+15005550101,5005550102'],
      '--numbers 5005550102 is not an E.164 number (e.g. +15005550006)',
    ],
    [
      [...PUT, '--numbers', tooMany.join(',')],
      `--numbers: a pool holds at most ${MAX_POOL_NUMBERS} numbers (${MAX_POOL_NUMBERS + 1} given)`,
    ],
    [[...PUT, '--numbers'], `--numbers needs a value; usage: smsctl ${PUT_USAGE}`],
    [[...PUT, '--numbers', '+15005550101', '--rate', '3'], `unknown flag --rate; usage: smsctl ${PUT_USAGE}`],
    [[...PUT, '--numbers', '+15005550101', 'extra'], `unexpected extra; usage: smsctl ${PUT_USAGE}`],
    [['pool', 'get', '--tenant', 'acme'], `--pool is required; usage: smsctl ${GET_USAGE}`],
    [
      ['pool', 'get', '--tenant', 'acme', '--pool', 'UPPER'],
      'invalid pool name "UPPER": expected [a-z0-9-]{1,64}',
    ],
    [
      ['pool', 'list', '--tenant', 'acme', '--pool', 'spring'],
      'unknown flag --pool; usage: smsctl pool list --tenant ID',
    ],
    [['pool', 'list'], '--tenant is required; usage: smsctl pool list --tenant ID'],
    [['pool', 'delete', '--pool', 'spring'], `--tenant is required; usage: smsctl ${DELETE_USAGE}`],
    [['pool', 'drop', '--tenant', 'acme'], 'unknown pool action "drop" (put, get, list, delete)'],
    [['pool'], 'unknown pool action "" (put, get, list, delete)'],
  ])('refuses %j', async (argv, message) => {
    await expect(main(argv)).rejects.toThrow(new CliError(message, 2));
  });

  it('reaches for no platform when it refuses', async () => {
    const target = vi.fn(() => Promise.reject(new Error('no platform in this test')));
    await expect(poolCommand('put', [...PUT.slice(2), '--numbers', 'nope'], target)).rejects.toMatchObject({
      exitCode: 2,
    });
    expect(target).not.toHaveBeenCalled();
  });

  it('is in the help', async () => {
    let written = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written += String(chunk);
      return true;
    });
    try {
      expect(await main(['--help'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    for (const usage of [PUT_USAGE, GET_USAGE, 'pool list --tenant ID', DELETE_USAGE])
      expect(written).toContain(usage);
  });
});

describe('--numbers', () => {
  it('takes comma-separated numbers, repeated, with spaces, each once and sorted', () => {
    expect(poolNumbers(['+15005550103, +15005550101,', '+15005550102', '+15005550101'], PUT_USAGE)).toEqual([
      '+15005550101',
      '+15005550102',
      '+15005550103',
    ]);
  });

  it(`takes ${MAX_POOL_NUMBERS} numbers, and as many again repeated`, () => {
    const full = tooMany.slice(0, MAX_POOL_NUMBERS);
    expect(poolNumbers([full.join(','), full.join(',')], PUT_USAGE)).toHaveLength(MAX_POOL_NUMBERS);
  });
});
