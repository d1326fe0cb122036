import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoTenantAdmin } from '../../../lambdas/adapters/dynamodb/tenant-admin';
import { writeLocalEndpoints } from '../../../local/endpoints';
import { LOCAL_MODEL_CATALOG } from '../../../local/standins/bedrock-catalog';
import { type LocalBedrockRuntime, startBedrockRuntime } from '../../../local/standins/bedrock-runtime';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/stack';
import { useLocalStack } from '../../support/local-stack';
import { useSmsctl } from '../../support/smsctl';

/**
 * `smsctl workflow lint|put --local` against a real local stack: the Bedrock stand-in lists its
 * Region's models (ListFoundationModels, ListInferenceProfiles) and a workflow naming one it does
 * not list gets a warning, never a refusal; a listing that fails is a warning that says why.
 */
const stack = useLocalStack();
const { smsctl, json } = useSmsctl(stack);

const TENANT = 'understanding-co';
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
let tmp = '';
/** A Region whose Bedrock offers none of the stage's models (another stand-in, its own catalog). */
let elsewhere: LocalBedrockRuntime;

async function workflowFile(name: string, modelId: string): Promise<string> {
  const workflow = JSON.parse(await readFile('examples/workflows/order-status.json', 'utf8')) as Record<
    string,
    unknown
  >;
  const file = path.join(tmp, `${name}.json`);
  await writeFile(
    file,
    JSON.stringify({
      ...workflow,
      id: name,
      understanding: { provider: 'bedrock', modelId, use: 'fallback' },
    }),
  );
  return file;
}

/** The endpoints file smsctl --local reads, with the Bedrock endpoint replaced. */
async function endpointsWithBedrock(bedrock: string | undefined): Promise<string> {
  const file = path.join(tmp, `endpoints-${bedrock ? new URL(bedrock).port : 'none'}.json`);
  const { bedrock: _, ...others } = stack().endpoints;
  // Without `bedrock`: an endpoints file written before the stand-in listed models.
  await writeLocalEndpoints(
    { ...stack(), endpoints: { ...others, ...(bedrock ? { bedrock } : {}) } } as ReturnType<typeof stack>,
    file,
  );
  return file;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'understanding-model-'));
  elsewhere = await startBedrockRuntime({
    port: 0,
    principals: [
      { ...LOCAL_CREDENTIALS, region: LOCAL_REGION, userArn: 'arn:aws:iam::000000000000:user/local' },
    ],
    catalog: {
      foundationModels: LOCAL_MODEL_CATALOG.foundationModels.filter((model) => model.modelId !== HAIKU),
      inferenceProfiles: [],
    },
  });
  await json(
    'tenant',
    'put',
    '--tenant',
    TENANT,
    '--account-sid',
    `AC${'c3'.repeat(16)}`,
    '--auth-token',
    'understanding-co-secret-token-0123',
  );
});
afterAll(async () => {
  await elsewhere?.close();
  await rm(tmp, { recursive: true, force: true });
});

interface PutResult {
  ok: boolean;
  workflowId: string;
  warnings: string[];
}

describe('smsctl workflow lint|put --local, understanding.modelId against the listing', () => {
  it("puts and lints the stage's model, which the Region lists, without a warning", async () => {
    const file = await workflowFile('listed-model', HAIKU);
    const put = await json<PutResult>('workflow', 'put', '--tenant', TENANT, '--file', file);
    expect(put).toMatchObject({ ok: true, workflowId: 'listed-model' });
    expect(put.warnings.filter((warning) => warning.includes('understanding'))).toEqual([]);
    const lint = await json<{ ok: boolean; warnings: string[] }>('workflow', 'lint', '--file', file);
    expect(lint.ok).toBe(true);
    expect(lint.warnings.filter((warning) => warning.includes('understanding'))).toEqual([]);
  });

  it('lints a model the Region does not list with a warning, and exit 0', async () => {
    const unlisted = await smsctl(
      'workflow',
      'lint',
      '--file',
      await workflowFile('unlisted', 'acme.llm-v1:0'),
    );
    expect(unlisted.code).toBe(0);
    expect(unlisted.stdout).toContain(
      'warning understanding.modelId acme.llm-v1:0: Bedrock in us-east-1 lists no such foundation model (ListFoundationModels)',
    );
    const otherGeography = await json<{ ok: boolean; warnings: string[] }>(
      'workflow',
      'lint',
      '--file',
      await workflowFile('eu-profile', `eu.${HAIKU}`),
    );
    expect(otherGeography.ok).toBe(true);
    expect(otherGeography.warnings).toContain(
      `understanding.modelId eu.${HAIKU}: Bedrock in us-east-1 lists no such inference profile (ListInferenceProfiles); calls would fail and the rules would answer alone`,
    );
    const usProfile = await json<{ warnings: string[] }>(
      'workflow',
      'lint',
      '--file',
      await workflowFile('us-profile', `us.${HAIKU}`),
    );
    expect(usProfile.warnings.filter((warning) => warning.includes('understanding'))).toEqual([]);
  });

  it("puts with a warning, and saves, where the Region's Bedrock does not list the stage's model", async () => {
    vi.stubEnv('SMSCTL_LOCAL_ENDPOINTS', await endpointsWithBedrock(elsewhere.endpoint));
    try {
      const put = await json<PutResult>(
        'workflow',
        'put',
        '--tenant',
        TENANT,
        '--file',
        await workflowFile('unlisted-here', HAIKU),
      );
      expect(put.ok).toBe(true);
      expect(put.warnings).toContain(
        `understanding.modelId ${HAIKU}: Bedrock in us-east-1 lists no such foundation model (ListFoundationModels); calls would fail and the rules would answer alone`,
      );
      const admin = new DynamoTenantAdmin(stack().clients.dynamo, stack().tableName);
      expect(await admin.getWorkflowItem(TENANT, 'unlisted-here')).toBeDefined();
    } finally {
      vi.stubEnv('SMSCTL_LOCAL_ENDPOINTS', await endpointsWithBedrock(stack().endpoints.bedrock));
    }
  });

  it('puts with a warning saying why, and saves, when the models cannot be listed', async () => {
    vi.stubEnv('SMSCTL_LOCAL_ENDPOINTS', await endpointsWithBedrock(undefined));
    try {
      const put = await smsctl(
        'workflow',
        'put',
        '--tenant',
        TENANT,
        '--file',
        await workflowFile('unchecked', HAIKU),
      );
      expect(put.code).toBe(0);
      expect(put.stdout).toMatch(
        new RegExp(
          `warning understanding\\.modelId ${HAIKU} could not be checked against the models Bedrock offers: .*names no Bedrock endpoint \\(restart npm start\\)`,
        ),
      );
      expect(put.stdout).toContain('workflow unchecked saved for tenant understanding-co');
    } finally {
      vi.stubEnv('SMSCTL_LOCAL_ENDPOINTS', await endpointsWithBedrock(stack().endpoints.bedrock));
    }
  });

  it("still refuses a model outside the stage's understandingModelIds (IAM), before listing", async () => {
    const refused = await smsctl(
      'workflow',
      'put',
      '--tenant',
      TENANT,
      '--file',
      await workflowFile('not-allowed', 'amazon.nova-micro-v1:0'),
    );
    expect(refused.code).not.toBe(0);
    expect(refused.error).toMatch(/is not one this stage's functions may invoke/);
  });
});
