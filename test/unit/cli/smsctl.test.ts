import { describe, expect, it, vi } from 'vitest';
import { CliError } from '../../../cli/cli-error';
import { operatorSendId } from '../../../cli/commands/send';
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
    [['tenant', 'put', '--tenant', 'ab', '--account-sid', `AC${'0'.repeat(32)}`], /--auth-token is required/],
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
      ['send', '--tenant', 'ab', '--from', '+15005550006', '--to', '+15551230001', '--workflow', 'w'],
      /not supported yet/,
    ],
    [['conversation', 'show', '--tenant', 'ab', '--customer', 'bob'], /E\.164/],
    [['dlq', 'redrive', '--queue', 'nope'], /--queue must be one of/],
    [['dlq', 'purge'], /unknown dlq action/],
    [['--local', '--stack', 'X', 'tenant', 'list'], /either --local or --stack/],
  ])('refuses %j', async (argv, reason) => {
    await expect(main(argv)).rejects.toThrow(reason);
  });

  it('derives the same send id from the same idempotency key, per tenant', () => {
    expect(operatorSendId('acme', 'k1')).toBe(operatorSendId('acme', 'k1'));
    expect(operatorSendId('acme', 'k1')).not.toBe(operatorSendId('other', 'k1'));
    expect(operatorSendId('acme', undefined)).not.toBe(operatorSendId('acme', undefined));
  });
});
