import { describe, expect, it } from 'vitest';
import {
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  SecretsManagerError,
  SecretsStore,
} from '../../../local/standins/secrets-store';

const V1 = '11111111-1111-4111-8111-111111111111';
const V2 = '22222222-2222-4222-8222-222222222222';
const V3 = '33333333-3333-4333-8333-333333333333';

function newStore(now = () => new Date('2026-01-01T00:00:00Z')) {
  return new SecretsStore('us-east-1', '000000000000', now);
}

function errorType(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof SecretsManagerError) return error.type;
    throw error;
  }
  return undefined;
}

describe('SecretsStore', () => {
  it('names ARNs like AWS: name, dash, six random characters', () => {
    const { arn } = newStore().create({ name: 'sms/tenants/demo/twilio', value: { secretString: 'x' } });
    expect(arn).toMatch(
      /^arn:aws:secretsmanager:us-east-1:000000000000:secret:sms\/tenants\/demo\/twilio-[A-Za-z0-9]{6}$/,
    );
  });

  it('finds a secret by name, full ARN and partial ARN', () => {
    const store = newStore();
    const { arn } = store.create({ name: 'app/token', value: { secretString: 's1' } });
    for (const secretId of ['app/token', arn, arn.slice(0, -7)]) {
      expect(store.getValue({ secretId }).secretString).toBe('s1');
    }
    expect(errorType(() => store.getValue({ secretId: `${arn.slice(0, -7)}-zzzzzz` }))).toBe(
      'ResourceNotFoundException',
    );
  });

  it('moves AWSCURRENT to a new version and AWSPREVIOUS to the displaced one', () => {
    const store = newStore();
    store.create({ name: 's', clientRequestToken: V1, value: { secretString: 'one' } });
    store.putValue({ secretId: 's', clientRequestToken: V2, value: { secretString: 'two' } });
    store.putValue({ secretId: 's', clientRequestToken: V3, value: { secretString: 'three' } });
    expect(store.describe('s').versionIdsToStages).toEqual({ [V3]: [AWSCURRENT], [V2]: [AWSPREVIOUS] });
    expect(store.getValue({ secretId: 's', versionStage: AWSPREVIOUS }).secretString).toBe('two');
    // A version without labels is deprecated but still readable by id.
    expect(store.getValue({ secretId: 's', versionId: V1 }).secretString).toBe('one');
  });

  it('stages a pending version without touching AWSCURRENT, then promotes it as rotation does', () => {
    const store = newStore();
    store.create({ name: 's', clientRequestToken: V1, value: { secretString: 'old' } });
    const put = store.putValue({
      secretId: 's',
      clientRequestToken: V2,
      value: { secretString: 'new' },
      versionStages: [AWSPENDING],
    });
    expect(put.versionStages).toEqual([AWSPENDING]);
    expect(store.getValue({ secretId: 's' }).secretString).toBe('old');
    expect(store.getValue({ secretId: 's', versionStage: AWSPENDING }).secretString).toBe('new');

    store.updateVersionStage({
      secretId: 's',
      versionStage: AWSCURRENT,
      moveToVersionId: V2,
      removeFromVersionId: V1,
    });
    expect(store.getValue({ secretId: 's' }).secretString).toBe('new');
    expect(store.getValue({ secretId: 's', versionStage: AWSPREVIOUS }).secretString).toBe('old');
  });

  it('refuses to move a label away from a version the request does not name', () => {
    const store = newStore();
    store.create({ name: 's', clientRequestToken: V1, value: { secretString: 'a' } });
    store.putValue({
      secretId: 's',
      clientRequestToken: V2,
      value: { secretString: 'b' },
      versionStages: [],
    });
    expect(
      errorType(() =>
        store.updateVersionStage({ secretId: 's', versionStage: AWSCURRENT, moveToVersionId: V2 }),
      ),
    ).toBe('InvalidParameterException');
  });

  it('treats a repeated client request token as a retry, and a different value under it as an error', () => {
    const store = newStore();
    store.create({ name: 's', clientRequestToken: V1, value: { secretString: 'a' } });
    expect(
      store.putValue({ secretId: 's', clientRequestToken: V1, value: { secretString: 'a' } }).versionId,
    ).toBe(V1);
    expect(
      errorType(() =>
        store.putValue({ secretId: 's', clientRequestToken: V1, value: { secretString: 'b' } }),
      ),
    ).toBe('ResourceExistsException');
  });

  it('reports a secret without a value as having no AWSCURRENT version', () => {
    const store = newStore();
    store.create({ name: 'empty', value: {} });
    expect(() => store.getValue({ secretId: 'empty' })).toThrow(
      "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
    );
  });

  it('validates values and names', () => {
    const store = newStore();
    expect(errorType(() => store.create({ name: 'bad name!', value: {} }))).toBe('InvalidParameterException');
    expect(
      errorType(() => store.create({ name: 'x', value: { secretString: 'a', secretBinary: 'YQ==' } })),
    ).toBe('InvalidParameterException');
    store.create({ name: 'x', value: {} });
    expect(errorType(() => store.putValue({ secretId: 'x', value: {} }))).toBe('InvalidParameterException');
    expect(errorType(() => store.create({ name: 'x', value: {} }))).toBe('ResourceExistsException');
  });

  it('hides a secret scheduled for deletion, restores it, and forgets it after the recovery window', () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const store = newStore(() => now);
    store.create({ name: 's', value: { secretString: 'a' } });
    store.delete({ secretId: 's', recoveryWindowInDays: 7 });
    expect(errorType(() => store.getValue({ secretId: 's' }))).toBe('InvalidRequestException');
    expect(errorType(() => store.create({ name: 's', value: {} }))).toBe('InvalidRequestException');
    expect(store.list({}).secrets).toEqual([]);
    expect(store.list({ includePlannedDeletion: true }).secrets).toHaveLength(1);

    store.restore('s');
    expect(store.getValue({ secretId: 's' }).secretString).toBe('a');

    store.delete({ secretId: 's', recoveryWindowInDays: 7 });
    now = new Date('2026-01-08T00:00:01Z');
    expect(errorType(() => store.describe('s'))).toBe('ResourceNotFoundException');
    expect(store.create({ name: 's', value: {} }).name).toBe('s');
  });

  it('filters names by case-sensitive prefix, descriptions case-insensitively, with ! negating', () => {
    const store = newStore();
    store.create({ name: 'sms/tenants/a/twilio', description: 'Tenant A', value: {} });
    store.create({ name: 'sms/tenants/b/twilio', description: 'Tenant B', value: {} });
    store.create({ name: 'other/x', tags: [{ Key: 'team', Value: 'payments' }], value: {} });
    const names = (filters: { key: string; values: string[] }[]) =>
      store.list({ filters }).secrets.map((secret) => secret.name);

    expect(names([{ key: 'name', values: ['sms/tenants/'] }])).toEqual([
      'sms/tenants/a/twilio',
      'sms/tenants/b/twilio',
    ]);
    expect(names([{ key: 'name', values: ['SMS/'] }])).toEqual([]);
    expect(names([{ key: 'description', values: ['tenant b'] }])).toEqual(['sms/tenants/b/twilio']);
    expect(names([{ key: 'name', values: ['sms/', '!sms/tenants/a'] }])).toEqual(['sms/tenants/b/twilio']);
    expect(names([{ key: 'tag-value', values: ['pay'] }])).toEqual(['other/x']);
    expect(errorType(() => store.list({ filters: [{ key: 'colour', values: ['x'] }] }))).toBe(
      'InvalidParameterException',
    );
  });

  it('pages with MaxResults and NextToken', () => {
    const store = newStore();
    for (const name of ['a', 'b', 'c', 'd', 'e']) store.create({ name, value: {} });
    const first = store.list({ maxResults: 2 });
    const second = store.list({ maxResults: 2, nextToken: first.nextToken });
    const last = store.list({ maxResults: 2, nextToken: second.nextToken });
    expect([first, second, last].map((page) => page.secrets.map((secret) => secret.name))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e'],
    ]);
    expect(last.nextToken).toBeUndefined();
  });
});
