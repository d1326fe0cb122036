import { describe, expect, it, vi } from 'vitest';
import { CliError } from '../../../cli/cli-error';
import { takeVariables } from '../../../cli/commands/send';
import { main } from '../../../cli/main';

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

  it('takes repeated --var k=v (values may contain =) out of the arguments', () => {
    expect(takeVariables(['--var', 'a=1', '--tenant', 't', '--var=b=x=y'])).toEqual({
      variables: { a: '1', b: 'x=y' },
      rest: ['--tenant', 't'],
    });
  });
});
