import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { CliError } from '../../../cli/cli-error';
import { parseSendArgs } from '../../../cli/commands/send';
import { main, splitArgs } from '../../../cli/main';

/** What smsctl refuses before it touches any platform. */
describe('smsctl without a platform', () => {
  it('says how to start the local stack when it is not running', async () => {
    vi.stubEnv('SMSCTL_LOCAL_ENDPOINTS', '/nonexistent/smsctl/endpoints.json');
    try {
      await expect(main(['--local', 'tenant', 'list'])).rejects.toThrow(
        new CliError('the local stack is not running: start it with npm start'),
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it.each([
    [
      ['tenant', 'put', '--tenant', 'A!', '--account-sid', `AC${'0'.repeat(32)}`, '--auth-token', 't'],
      /tenant id/,
    ],
    // Whether a token is needed depends on the tenant existing: test/integration/smsctl.test.ts.
    [['tenant', 'put', '--tenant', 'ab', '--account-sid', 'ACnope', '--auth-token', 't'], /--account-sid/],
    [
      [
        'tenant',
        'put',
        '--tenant',
        'ab',
        '--account-sid',
        `AC${'0'.repeat(32)}`,
        '--auth-token',
        't',
        '--messaging-service-sid',
        'MG1',
      ],
      /--messaging-service-sid must be MG/,
    ],
    [
      [
        'number',
        'put',
        '--tenant',
        'ab',
        '--number',
        '+1555',
        '--workflow',
        'w',
        '--allow-inbound-start',
        'yes',
      ],
      /true or false/,
    ],
    [
      [
        'send',
        '--tenant',
        'ab',
        '--from',
        '+15005550006',
        '--to',
        '+15551230001',
        '--workflow',
        'w',
        '--body',
        'x',
      ],
      /exactly one of --workflow and --body/,
    ],
    [
      [
        'send',
        '--tenant',
        'ab',
        '--from',
        '+15005550006',
        '--to',
        '+15551230001',
        '--body',
        'x',
        '--var',
        'a=1',
      ],
      /--var and --route go with --workflow/,
    ],
    [
      [
        'send',
        '--tenant',
        'ab',
        '--from',
        '+15005550006',
        '--to',
        '+15551230001',
        '--workflow',
        'w',
        '--var',
        'a',
      ],
      /expected name=value/,
    ],
    [
      ['send', '--tenant', 'ab', '--from', '+15005550006', '--to', '5551230001', '--workflow', 'w'],
      /to must be an E\.164 number/,
    ],
    ...['0', 'fast', '', '1e9'].map(
      (rate) =>
        [
          [
            'number',
            'put',
            '--tenant',
            'ab',
            '--number',
            '+15005550006',
            '--workflow',
            'w',
            '--segments-per-second',
            rate,
          ],
          /--segments-per-second must be a number from 0\.1 to 1000/,
        ] as [string[], RegExp],
    ),
    [['conversation', 'show', '--tenant', 'ab', '--customer', 'bob'], /E\.164/],
    [['dlq', 'redrive', '--queue', 'nope'], /--queue must be one of/],
    [['dlq', 'purge'], /unknown dlq action/],
    [['--local', '--stack', 'X', 'tenant', 'list'], /either --local or --stack/],
  ])('refuses %j', async (argv, reason) => {
    await expect(main(argv)).rejects.toThrow(reason);
  });

  it('takes repeated --var k=v (values may contain =), as --flag value and --flag=value', () => {
    const { values, variables } = parseSendArgs([
      '--var',
      'a=1',
      '--tenant=t',
      '--var=b=x=y',
      '--workflow',
      'w',
      '--var',
      'a=2',
    ]);
    expect(values).toEqual({ var: ['a=1', 'b=x=y', 'a=2'], tenant: 't', workflow: 'w' });
    expect(variables).toEqual({ a: '2', b: 'x=y' });
  });
});

const SEND = ['send', '--tenant', 'ab', '--from', '+15005550006', '--to', '+15551230001'];
const SEND_USAGE =
  'send --tenant ID --from E164 --to E164 (--body TEXT [--media URL]... | --media URL... | --workflow WID [--route R] [--var k=v]... [--media URL]...) [--idempotency-key K]';
const SHOW_USAGE = 'conversation show --tenant ID --customer E164 [--number E164] [--reveal]';

/** node:util parseArgs, strict: the exact one-line reasons and exit 2 for a usage error. */
describe('smsctl flag parsing', () => {
  it.each([
    [['tenant', 'list', '--nope'], 'unknown flag --nope; usage: smsctl tenant list'],
    [['tenant', 'list', '-x'], 'unknown flag -x; usage: smsctl tenant list'],
    [['dlq', 'list', '--queue=inbound'], 'unknown flag --queue; usage: smsctl dlq list'],
    [['number', 'list', '--tenant'], '--tenant needs a value; usage: smsctl number list --tenant ID'],
    // A value that looks like a flag is one forgotten: --flag=-value says it is meant.
    [
      ['number', 'list', '--tenant', '--nope'],
      '--tenant needs a value; usage: smsctl number list --tenant ID',
    ],
    [[...SEND, '--workflow', 'w', '--var'], `--var needs a value; usage: smsctl ${SEND_USAGE}`],
    [
      ['conversation', 'show', '--tenant', 'ab', '--customer', '+15551230001', '--reveal=yes'],
      `--reveal takes no value; usage: smsctl ${SHOW_USAGE}`,
    ],
    [['tenant', 'list', 'extra'], 'unexpected extra; usage: smsctl tenant list'],
    [
      ['message', 'show', '--tenant', 'ab', 'SM1', 'SM2'],
      'unexpected SM2; usage: smsctl message show --tenant ID SID [--reveal]',
    ],
    [['send', 'now', ...SEND.slice(1), '--body', 'x'], `unexpected now; usage: smsctl ${SEND_USAGE}`],
    [
      ['workflow', 'lint', '--file', 'f.json', '--from', '+15005550006'],
      'unknown flag --from; usage: smsctl workflow lint --file F',
    ],
    [['tenant', 'list', '--stack'], '--stack needs a stack name'],
    [['tenant', 'list', '--json=yes'], '--json takes no value'],
  ])('refuses %j with a usage error', async (argv, message) => {
    await expect(main(argv)).rejects.toThrow(new CliError(message, 2));
  });

  it('keeps the exit code 1 of a workflow command without --file', async () => {
    await expect(main(['workflow', 'lint'])).rejects.toMatchObject({
      message: 'workflow lint needs --file F',
      exitCode: 1,
    });
  });

  it('takes the global flags anywhere, as whole arguments, and none after --', () => {
    expect(splitArgs(['--stack=S', 'tenant', 'get', '--tenant', 'ab', '--json'])).toEqual({
      flags: { json: true, local: false, help: false, stack: 'S' },
      command: 'tenant',
      action: 'get',
      commandArgs: ['--tenant', 'ab'],
    });
    expect(splitArgs(['message', 'show', 'SM1', '-h', '--tenant', 'ab'])).toEqual({
      flags: { json: false, local: false, help: true, stack: undefined },
      command: 'message',
      action: 'show',
      commandArgs: ['SM1', '--tenant', 'ab'],
    });
    expect(splitArgs(['send', '-hx', '--', '--json'])).toEqual({
      flags: { json: false, local: false, help: false, stack: undefined },
      command: 'send',
      action: undefined,
      commandArgs: ['-hx', '--', '--json'],
    });
  });

  it('is one line on stderr and exit 2 from the `npx smsctl` binary', async () => {
    const failed = await promisify(execFile)('node', ['cli/smsctl.mjs', 'tenant', 'list', '--nope']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({
      code: 2,
      stderr: 'smsctl: unknown flag --nope; usage: smsctl tenant list\n',
    });
  });
});
