import { describe, expect, it } from 'vitest';
import { subscriptionUrlProblem } from '../../../cli/commands/events';
import { DEPLOYED_URL_POLICY, LOCAL_URL_POLICY } from '../../../lambdas/domain/outbound-url-policy';

const resolvesTo =
  (...addresses: string[]) =>
  async () =>
    addresses.map((address) => ({ address }));

describe('events subscribe: the URL check', () => {
  it('takes a public https URL, and loopback only on the local stack', async () => {
    expect(
      await subscriptionUrlProblem(
        'https://hooks.example.com/sms',
        DEPLOYED_URL_POLICY,
        resolvesTo('93.184.215.14'),
      ),
    ).toBeUndefined();
    expect(
      await subscriptionUrlProblem('http://127.0.0.1:4000/sms', LOCAL_URL_POLICY, resolvesTo()),
    ).toBeUndefined();
    expect(
      await subscriptionUrlProblem('http://127.0.0.1:4000/sms', DEPLOYED_URL_POLICY, resolvesTo()),
    ).toBeDefined();
  });

  it('refuses a name that resolves to a private or metadata address, and what the policy refuses as written', async () => {
    expect(
      await subscriptionUrlProblem(
        'https://hooks.example.com/sms',
        DEPLOYED_URL_POLICY,
        resolvesTo('93.184.215.14', '10.0.0.7'),
      ),
    ).toBe('endpoint not allowed');
    for (const url of [
      'https://169.254.169.254/latest',
      'ftp://hooks.example.com/',
      'https://user:pw@hooks.example.com/',
    ]) {
      expect(
        await subscriptionUrlProblem(url, DEPLOYED_URL_POLICY, resolvesTo('93.184.215.14')),
        url,
      ).toBeDefined();
    }
  });

  it('lets a name that does not resolve yet through (the notifier checks at every delivery)', async () => {
    const unresolvable = async () => {
      throw Object.assign(new Error('nope'), { code: 'ENOTFOUND' });
    };
    expect(
      await subscriptionUrlProblem('https://not-yet.example.com/', DEPLOYED_URL_POLICY, unresolvable),
    ).toBeUndefined();
  });
});
