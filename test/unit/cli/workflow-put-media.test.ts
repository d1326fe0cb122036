import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { workflowPutCommand } from '../../../cli/commands/workflow-put';
import type { PlatformTarget } from '../../../cli/target';
import { stages } from '../../../lib/config';

/** `workflow put` checks pictures against the target stage's outbound URL policy (the schema: any stage's). */
function workflowFile(pictures: readonly string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'workflow-media-')), 'workflow.json');
  writeFileSync(
    file,
    JSON.stringify({
      id: 'photo',
      routes: [{ id: 'any', onComplete: { reply: 'Here it is.', media: pictures } }],
      fallback: { reply: 'Sorry?' },
      failureMessage: 'Oops.',
    }),
  );
  return file;
}

/** A target whose table has the tenant and no numbers; what the command sent it is kept. */
function target(stage: string) {
  const sent: string[] = [];
  const dynamo = {
    send: async (command: { constructor: { name: string } }) => {
      sent.push(command.constructor.name);
      return { Item: { name: 'Acme' }, Items: [] };
    },
  } as unknown as DynamoDBDocumentClient;
  const platform = {
    description: `stage ${stage}`,
    dynamo,
    tableName: 'table',
    tenantSecretPrefix: stages[stage]?.tenantSecretPrefix ?? 'elsewhere',
  } as unknown as PlatformTarget;
  return { sent, target: async () => platform };
}

const LOOPBACK = 'http://127.0.0.1:3000/console/media/parcel.svg';

describe('workflow put on pictures', () => {
  it('refuses a loopback picture on a deployed stage, storing nothing', async () => {
    const { sent, target: dev } = target('dev');
    await expect(
      workflowPutCommand(
        ['--tenant', 'acme', '--file', workflowFile(['https://example.com/a.jpg', LOOPBACK])],
        dev,
      ),
    ).rejects.toThrow(
      'has 1 picture URL error(s) on stage dev: routes.any.onComplete.media.1: endpoint not allowed',
    );
    expect(sent).toEqual([]);
  });

  it('stores it on the local stack, after reading which numbers answer with the workflow', async () => {
    const { sent, target: local } = target('local');
    const result = await workflowPutCommand(['--tenant', 'acme', '--file', workflowFile([LOOPBACK])], local);
    expect(result.json).toEqual({
      ok: true,
      tenantId: 'acme',
      workflowId: 'photo',
      warnings: [
        'routes.any.onComplete.media: plain http:// reaches only this machine (local stack); use https:// before deploying',
      ],
    });
    expect(sent).toEqual(['GetCommand', 'QueryCommand', 'PutCommand']);
  });
});
