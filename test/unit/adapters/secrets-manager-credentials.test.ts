import {
  type GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import {
  BoundedLru,
  DEFAULT_MAX_CACHED_TENANTS,
  parseCredentials,
  SecretsManagerTenantCredentials,
} from '../../../lambdas/adapters/secrets-manager-credentials';

const PREFIX = 'sms/dev';
const TTL_MS = 5 * 60 * 1000;
const DEMO = { accountSid: `AC${'d'.repeat(32)}`, authToken: '0123456789abcdef0123456789abcdef' };

/** Secrets Manager's GetSecretValue over a map of secret names, counting every request. */
function fakeSecretsManager(secrets: Map<string, string>) {
  const requests: string[] = [];
  const client = {
    async send(command: GetSecretValueCommand) {
      const name = String(command.input.SecretId);
      requests.push(name);
      const secret = secrets.get(name);
      if (secret === undefined) throw new ResourceNotFoundException({ message: 'not found', $metadata: {} });
      return { SecretString: secret };
    },
  };
  return { client: client as unknown as SecretsManagerClient, requests };
}

function setup(options: { maxEntries?: number } = {}) {
  const secrets = new Map([[`${PREFIX}/tenants/demo/twilio`, JSON.stringify(DEMO)]]);
  const fake = fakeSecretsManager(secrets);
  let clock = 0;
  const source = new SecretsManagerTenantCredentials(
    fake.client,
    PREFIX,
    TTL_MS,
    () => clock,
    options.maxEntries,
  );
  return {
    source,
    secrets,
    requests: fake.requests,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('BoundedLru', () => {
  it('evicts the least recently used entry beyond its bound; a get counts as a use', () => {
    const lru = new BoundedLru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
    expect(lru.size).toBe(2);
  });

  it('refuses a bound below one', () => {
    expect(() => new BoundedLru(0)).toThrow('maxEntries must be >= 1');
  });
});

describe('SecretsManagerTenantCredentials', () => {
  it('10,000 distinct bogus tenant ids leave at most the bound in the cache', async () => {
    const { source, requests } = setup();
    for (let i = 0; i < 10_000; i++) expect(await source.get(`bogus-${i}`)).toBeUndefined();
    expect(requests).toHaveLength(10_000);
    expect(source.cachedEntries).toEqual({ known: 0, unknown: DEFAULT_MAX_CACHED_TENANTS });
  });

  it('a flood of the same bogus tenant costs one lookup per TTL', async () => {
    const { source, requests, advance } = setup();
    for (let i = 0; i < 1000; i++) {
      expect(await source.get('bogus')).toBeUndefined();
      advance(TTL_MS / 2000);
    }
    expect(requests).toHaveLength(1);
    advance(TTL_MS / 2);
    await source.get('bogus');
    expect(requests).toHaveLength(2);
  });

  it('a flood of distinct bogus ids does not evict a real tenant', async () => {
    const { source, requests } = setup({ maxEntries: 10 });
    expect(await source.get('demo')).toEqual(DEMO);
    for (let i = 0; i < 1000; i++) await source.get(`bogus-${i}`);
    const before = requests.length;
    expect(await source.get('demo')).toEqual(DEMO);
    expect(requests).toHaveLength(before);
    expect(source.cachedEntries).toEqual({ known: 1, unknown: 10 });
  });

  it('refresh re-reads a cached tenant, and a tenant created since it was unknown is found', async () => {
    const { source, secrets, requests } = setup();
    expect(await source.get('late')).toBeUndefined();
    secrets.set(`${PREFIX}/tenants/late/twilio`, JSON.stringify({ ...DEMO, authToken: 'late-token' }));
    expect(await source.get('late')).toBeUndefined();
    expect(await source.get('late', { refresh: true })).toEqual({ ...DEMO, authToken: 'late-token' });
    expect(source.cachedEntries).toEqual({ known: 1, unknown: 0 });
    expect(requests).toHaveLength(2);
  });
});

describe('parseCredentials', () => {
  const rotated = {
    ...DEMO,
    previousAuthToken: 'old-token',
    previousAuthTokenValidUntil: '2026-11-23T12:00:00.000Z',
  };

  it('keeps the previous token and its deadline', () => {
    expect(parseCredentials(JSON.stringify(rotated), 'demo')).toEqual(rotated);
  });

  it('drops optional fields that are not non-empty strings, keeping the tenant usable', () => {
    const secret = JSON.stringify({ ...DEMO, previousAuthToken: 42, messagingServiceSid: '', extra: 'x' });
    expect(parseCredentials(secret, 'demo')).toEqual(DEMO);
  });

  it.each([
    ['no authToken', JSON.stringify({ accountSid: DEMO.accountSid })],
    ['an authToken that is not a string', JSON.stringify({ ...DEMO, authToken: 1 })],
    ['not JSON', 'authToken=secret-value'],
    ['no secret string', undefined],
  ])('refuses %s without quoting the secret', (_name, secret) => {
    expect(() => parseCredentials(secret, 'demo')).toThrow(
      'Secret of tenant demo lacks accountSid/authToken',
    );
    try {
      parseCredentials(secret, 'demo');
    } catch (error) {
      expect(String(error)).not.toContain('secret-value');
    }
  });
});
