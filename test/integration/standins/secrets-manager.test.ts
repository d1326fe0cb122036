import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSecretsManager, startSecretsManager } from '../../../local/standins/secrets-manager';

let secretsManager: LocalSecretsManager;
let client: SecretsManagerClient;

beforeAll(async () => {
  secretsManager = await startSecretsManager({ port: 0 });
  client = new SecretsManagerClient({
    endpoint: secretsManager.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await secretsManager?.close();
});

async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('local Secrets Manager with the AWS SDK v3 client', () => {
  it('creates a secret and reads it back by name and by ARN', async () => {
    const credentials = JSON.stringify({ accountSid: `AC${'d'.repeat(32)}`, authToken: 'token-1' });
    const created = await client.send(
      new CreateSecretCommand({ Name: 'sms-local/tenants/demo/twilio', SecretString: credentials }),
    );
    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:000000000000:secret:sms-local\/tenants\/demo\/twilio-[A-Za-z0-9]{6}$/,
    );
    expect(created.VersionId).toMatch(/^[0-9a-f-]{36}$/);

    for (const secretId of [created.Name, created.ARN]) {
      const value = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      expect(value.SecretString).toBe(credentials);
      expect(value.VersionStages).toEqual(['AWSCURRENT']);
      expect(value.CreatedDate).toBeInstanceOf(Date);
    }
  });

  it('answers a missing secret with a ResourceNotFoundException the SDK can catch by class', async () => {
    const error = await rejection(client.send(new GetSecretValueCommand({ SecretId: 'nope' })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toBe("Secrets Manager can't find the specified secret.");
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('refuses a duplicate name with ResourceExistsException', async () => {
    await client.send(new CreateSecretCommand({ Name: 'dup', SecretString: 'a' }));
    const error = await rejection(client.send(new CreateSecretCommand({ Name: 'dup', SecretString: 'b' })));
    expect(error.name).toBe('ResourceExistsException');
  });

  it('rotates: a new value becomes AWSCURRENT, the old one AWSPREVIOUS, a staged one AWSPENDING', async () => {
    const name = 'rotating';
    const v1 = (await client.send(new CreateSecretCommand({ Name: name, SecretString: 'token-1' })))
      .VersionId;
    const v2 = (await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'token-2' })))
      .VersionId;
    const read = (stage: string) =>
      client
        .send(new GetSecretValueCommand({ SecretId: name, VersionStage: stage }))
        .then((v) => v.SecretString);
    expect(await read('AWSCURRENT')).toBe('token-2');
    expect(await read('AWSPREVIOUS')).toBe('token-1');

    const pending = await client.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'token-3', VersionStages: ['AWSPENDING'] }),
    );
    expect(pending.VersionStages).toEqual(['AWSPENDING']);
    expect(await read('AWSCURRENT')).toBe('token-2');
    expect(await read('AWSPENDING')).toBe('token-3');

    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: pending.VersionId,
        RemoveFromVersionId: v2,
      }),
    );
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.VersionIdsToStages).toEqual({
      [pending.VersionId as string]: ['AWSPENDING', 'AWSCURRENT'].sort(),
      [v2 as string]: ['AWSPREVIOUS'],
    });
    expect(described.VersionIdsToStages?.[v1 as string]).toBeUndefined();
    const byVersion = await client.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1 }));
    expect(byVersion.SecretString).toBe('token-1');

    const missingStage = await rejection(
      client.send(new GetSecretValueCommand({ SecretId: 'dup', VersionStage: 'AWSPENDING' })),
    );
    expect(missingStage.name).toBe('ResourceNotFoundException');
  });

  it('updates description and value, and carries binary secrets as bytes', async () => {
    await client.send(new CreateSecretCommand({ Name: 'bin', SecretBinary: new Uint8Array([0, 1, 255]) }));
    const binary = await client.send(new GetSecretValueCommand({ SecretId: 'bin' }));
    expect([...(binary.SecretBinary ?? [])]).toEqual([0, 1, 255]);

    const updated = await client.send(
      new UpdateSecretCommand({ SecretId: 'bin', Description: 'now text', SecretString: 'text' }),
    );
    expect(updated.VersionId).toBeDefined();
    expect((await client.send(new GetSecretValueCommand({ SecretId: 'bin' }))).SecretString).toBe('text');
    await client.send(new TagResourceCommand({ SecretId: 'bin', Tags: [{ Key: 'team', Value: 'sms' }] }));
    const described = await client.send(new DescribeSecretCommand({ SecretId: 'bin' }));
    expect(described.Description).toBe('now text');
    expect(described.Tags).toEqual([{ Key: 'team', Value: 'sms' }]);
    expect(described.LastChangedDate).toBeInstanceOf(Date);
  });

  it('lists by name prefix, page by page', async () => {
    for (const tenant of ['a', 'b', 'c']) {
      await client.send(
        new CreateSecretCommand({ Name: `list-test/tenants/${tenant}/twilio`, SecretString: '{}' }),
      );
    }
    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new ListSecretsCommand({
          Filters: [{ Key: 'name', Values: ['list-test/tenants/'] }],
          MaxResults: 2,
          NextToken: nextToken,
        }),
      );
      pages++;
      names.push(...(page.SecretList ?? []).map((secret) => secret.Name ?? ''));
      nextToken = page.NextToken;
    } while (nextToken);
    expect(pages).toBe(2);
    expect(names).toEqual([
      'list-test/tenants/a/twilio',
      'list-test/tenants/b/twilio',
      'list-test/tenants/c/twilio',
    ]);
  });

  it('schedules deletion, restores, and force-deletes so the name can be reused', async () => {
    await client.send(new CreateSecretCommand({ Name: 'doomed', SecretString: 'x' }));
    const scheduled = await client.send(
      new DeleteSecretCommand({ SecretId: 'doomed', RecoveryWindowInDays: 7 }),
    );
    expect(scheduled.DeletionDate).toBeInstanceOf(Date);
    const marked = await rejection(client.send(new GetSecretValueCommand({ SecretId: 'doomed' })));
    expect(marked.name).toBe('InvalidRequestException');

    await client.send(new RestoreSecretCommand({ SecretId: 'doomed' }));
    expect((await client.send(new GetSecretValueCommand({ SecretId: 'doomed' }))).SecretString).toBe('x');

    await client.send(new DeleteSecretCommand({ SecretId: 'doomed', ForceDeleteWithoutRecovery: true }));
    const gone = await rejection(client.send(new DescribeSecretCommand({ SecretId: 'doomed' })));
    expect(gone.name).toBe('ResourceNotFoundException');
    await client.send(new CreateSecretCommand({ Name: 'doomed', SecretString: 'again' }));
  });

  it('answers an unknown operation and malformed JSON with AWS error shapes', async () => {
    const post = (target: string, body: string) =>
      fetch(secretsManager.endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target },
        body,
      });
    const unknown = await post('secretsmanager.RotateEverything', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    const malformed = await post('secretsmanager.GetSecretValue', '{not json');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await malformed.json()).toMatchObject({ __type: 'SerializationException' });
  });

  it('counts requests per operation', () => {
    const calls = secretsManager.calls();
    expect(calls.CreateSecret).toBeGreaterThanOrEqual(8);
    expect(calls.GetSecretValue).toBeGreaterThanOrEqual(10);
    expect(calls.RotateEverything).toBe(1);
    // A snapshot, not a live view.
    calls.CreateSecret = 0;
    expect(secretsManager.calls().CreateSecret).toBeGreaterThan(0);
  });
});
