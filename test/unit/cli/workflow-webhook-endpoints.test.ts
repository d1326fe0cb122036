import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { webhookUrlPolicyOf, workflowPutCommand } from '../../../cli/commands/workflow-put';
import type { PlatformTarget } from '../../../cli/target';
import { lintCommand } from '../../../cli/workflow-commands';
import { stages } from '../../../lib/config';
import type { ResolveHost } from '../../../lambdas/adapters/pinned-webhook-transport';
import { DEPLOYED_URL_POLICY, LOCAL_URL_POLICY } from '../../../lambdas/domain/outbound-url-policy';

/**
 * `workflow lint` and `workflow put` apply the outbound URL policy beyond the stage-agnostic schema:
 * the target stage's (loopback only locally) and what the webhook's host name resolves to now.
 */
function workflowFile(url: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'workflow-webhook-')), 'workflow.json');
  writeFileSync(
    file,
    JSON.stringify({
      id: 'order-hook',
      routes: [
        {
          id: 'track-order',
          match: { keywords: ['order'] },
          mandatoryVariables: [
            { name: 'order_number', type: 'pattern', pattern: '\\d{6}', prompt: 'Your order number?' },
          ],
          onComplete: { reply: 'Checking order {{order_number}}.', webhook: { url } },
        },
      ],
      fallback: { reply: 'Sorry?', maxAttempts: 3 },
      failureMessage: 'Oops.',
    }),
  );
  return file;
}

const resolvesTo =
  (...addresses: string[]): ResolveHost =>
  async () =>
    addresses.map((address) => ({ address }));
const notFound: ResolveHost = async () => {
  throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
};

const WHERE = 'routes.track-order.onComplete.webhook.url';
/** The schema's own errors name the route by its index. */
const SCHEMA_WHERE = 'routes.0.onComplete.webhook.url';

describe('workflow lint on webhook endpoints', () => {
  it('refuses a name that resolves to a private address', async () => {
    const { report, ok } = await lintCommand(workflowFile('https://hooks.example.test/done'), {
      resolve: resolvesTo('93.184.215.14', '10.0.0.7'),
    });
    expect(ok).toBe(false);
    expect(report.errors).toEqual([`${WHERE}: url endpoint not allowed`]);
  });

  it('refuses a literal private address in the schema already, without resolving', async () => {
    await expect(
      lintCommand(workflowFile('https://[::ffff:a9fe:a9fe]/latest'), { resolve: notFound }),
    ).rejects.toThrow(`${SCHEMA_WHERE}: url endpoint not allowed`);
  });

  it('warns, without a target, that a loopback endpoint works only in the local stack', async () => {
    for (const [url, resolve] of [
      ['https://127.0.0.1:4000/hook', notFound],
      ['https://hooks.example.test/done', resolvesTo('127.0.0.1')],
    ] as const) {
      const { report, ok } = await lintCommand(workflowFile(url), { resolve });
      expect(ok).toBe(true);
      expect(report.warnings).toEqual([
        `${WHERE}: url reaches only the local stack; deployed stages refuse it (endpoint not allowed)`,
      ]);
    }
    // Plain http:// has lintWorkflow's own warning, and no second one.
    const { report } = await lintCommand(workflowFile('http://127.0.0.1:4000/hook'), { resolve: notFound });
    expect(report.warnings).toEqual([
      `${WHERE}: plain http:// reaches only this machine (local stack); use https:// before deploying`,
    ]);
  });

  it('applies the stage policy it is given', async () => {
    const file = workflowFile('http://127.0.0.1:4000/hook');
    expect((await lintCommand(file, { policy: DEPLOYED_URL_POLICY })).report.errors).toEqual([
      `${WHERE}: url endpoint not allowed`,
    ]);
    expect((await lintCommand(file, { policy: LOCAL_URL_POLICY })).report.errors).toEqual([]);
  });

  it('only warns about a name that does not resolve now (the notifier checks it at every delivery)', async () => {
    const { report, ok } = await lintCommand(workflowFile('https://hooks.example.test/done'), {
      resolve: notFound,
    });
    expect(ok).toBe(true);
    expect(report.warnings).toContain(`${WHERE}: host hooks.example.test does not resolve now (ENOTFOUND)`);
  });

  it('gives up on a resolver that hangs', async () => {
    const { report } = await lintCommand(workflowFile('https://hooks.example.test/done'), {
      resolve: () => new Promise(() => undefined),
      resolveTimeoutMs: 50,
    });
    expect(report.warnings).toContain(`${WHERE}: host hooks.example.test does not resolve now (ETIMEOUT)`);
  });

  it('accepts a public endpoint with no warning', async () => {
    const { report, ok } = await lintCommand(workflowFile('https://hooks.example.test/done'), {
      resolve: resolvesTo('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'),
    });
    expect(ok).toBe(true);
    expect(report.warnings.filter((warning) => warning.startsWith(WHERE))).toEqual([]);
  });
});

describe('workflow put on webhook endpoints', () => {
  /** A target whose table accepts anything: the tenant exists, the workflow is stored. */
  function target(stage: string) {
    const stored: unknown[] = [];
    const dynamo = {
      send: async (command: { input: unknown }) => {
        stored.push(command.input);
        return { Item: { name: 'Acme' } };
      },
    } as unknown as DynamoDBDocumentClient;
    const platform = {
      description: `stage ${stage}`,
      dynamo,
      tableName: 'table',
      tenantSecretPrefix: stages[stage]?.tenantSecretPrefix ?? 'elsewhere',
    } as unknown as PlatformTarget;
    return { stored, target: async () => platform };
  }

  it('finds the policy of the target stage: loopback only for the local stack', () => {
    expect(webhookUrlPolicyOf({ tenantSecretPrefix: 'sms-conversations/local' })).toBe(LOCAL_URL_POLICY);
    expect(webhookUrlPolicyOf({ tenantSecretPrefix: 'sms-conversations/dev' })).toBe(DEPLOYED_URL_POLICY);
    expect(webhookUrlPolicyOf({ tenantSecretPrefix: 'sms-conversations/prod' })).toBe(DEPLOYED_URL_POLICY);
    expect(webhookUrlPolicyOf({ tenantSecretPrefix: 'someone/else' })).toBe(DEPLOYED_URL_POLICY);
  });

  it('refuses a loopback endpoint on a deployed stage, storing nothing', async () => {
    const { stored, target: dev } = target('dev');
    await expect(
      workflowPutCommand(['--tenant', 'acme', '--file', workflowFile('http://127.0.0.1:4000/hook')], dev, {
        resolve: notFound,
      }),
    ).rejects.toThrow(`has 1 webhook endpoint error(s) on stage dev: ${WHERE}: url endpoint not allowed`);
    expect(stored).toEqual([]);
  });

  it('refuses a name resolving to a private address on any stage', async () => {
    for (const stage of ['dev', 'local']) {
      const { stored, target: platform } = target(stage);
      await expect(
        workflowPutCommand(
          ['--tenant', 'acme', '--file', workflowFile('https://hooks.example.test/done')],
          platform,
          {
            resolve: resolvesTo('169.254.169.254'),
          },
        ),
      ).rejects.toThrow(`${WHERE}: url endpoint not allowed`);
      expect(stored).toEqual([]);
    }
  });

  it('stores a loopback endpoint on the local stack', async () => {
    const { stored, target: local } = target('local');
    const result = await workflowPutCommand(
      ['--tenant', 'acme', '--file', workflowFile('http://127.0.0.1:4000/hook')],
      local,
      { resolve: notFound },
    );
    expect(result.json).toMatchObject({ ok: true, workflowId: 'order-hook' });
    expect(stored).toHaveLength(2); // the tenant's profile read, the workflow written
  });
});
