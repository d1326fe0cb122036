import {
  BedrockClient,
  ListFoundationModelsCommand,
  ListInferenceProfilesCommand,
  paginateListInferenceProfiles,
} from '@aws-sdk/client-bedrock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  listBedrockModels,
  understandingModelCheck,
  understandingModelCheckFor,
} from '../../../cli/bedrock-model-listing';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import { LOCAL_MODEL_CATALOG } from '../../../local/standins/bedrock-catalog';
import { type LocalBedrockRuntime, startBedrockRuntime } from '../../../local/standins/bedrock-runtime';
import { freePort } from '../../../local/runtime/net';

/**
 * The control plane's model listings over the wire: the real @aws-sdk/client-bedrock against the
 * stand-in (SigV4 checked, service `bedrock`), and the CLI's check through it, reached by the
 * SDK's own AWS_ENDPOINT_URL_BEDROCK as an operator pointing smsctl elsewhere would.
 */
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const REGION = 'us-east-1';
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
let bedrock: LocalBedrockRuntime;

function client(credentials = CREDENTIALS, endpoint = bedrock.endpoint): BedrockClient {
  return new BedrockClient({ region: REGION, credentials, endpoint, maxAttempts: 1 });
}

function workflowWith(modelId: string): Workflow {
  const parsed = parseWorkflow({
    id: 'listing',
    understanding: { provider: 'bedrock', modelId, use: 'fallback' },
    routes: [{ id: 'hours', match: { keywords: ['hours'] }, onComplete: { reply: 'Open 9-5.' } }],
    fallback: { reply: 'Sorry?', maxAttempts: 2 },
    failureMessage: 'Something went wrong.',
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.workflow;
}

beforeAll(async () => {
  bedrock = await startBedrockRuntime({
    port: 0,
    principals: [{ ...CREDENTIALS, region: REGION, userArn: 'arn:aws:iam::000000000000:user/local' }],
  });
});
afterAll(() => bedrock.close());
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the Bedrock stand-in, control plane', () => {
  it('answers ListFoundationModels with its catalog, and its by… filters', async () => {
    const all = await client().send(new ListFoundationModelsCommand({}));
    expect(all.modelSummaries?.map((model) => model.modelId)).toEqual(
      LOCAL_MODEL_CATALOG.foundationModels.map((model) => model.modelId),
    );
    expect(all.modelSummaries?.[0]).toMatchObject({
      modelId: HAIKU,
      modelArn: `arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}`,
      providerName: 'Anthropic',
      inputModalities: ['TEXT', 'IMAGE'],
      outputModalities: ['TEXT'],
      inferenceTypesSupported: ['ON_DEMAND'],
      modelLifecycle: { status: 'ACTIVE' },
    });
    const onDemandAnthropic = await client().send(
      new ListFoundationModelsCommand({ byProvider: 'anthropic', byInferenceType: 'ON_DEMAND' }),
    );
    expect(onDemandAnthropic.modelSummaries?.map((model) => model.modelId)).toEqual([HAIKU]);
  });

  it('pages ListInferenceProfiles, system-defined ones only', async () => {
    const ids: string[] = [];
    for await (const page of paginateListInferenceProfiles({ client: client(), pageSize: 3 }, {}))
      ids.push(...(page.inferenceProfileSummaries ?? []).map((profile) => profile.inferenceProfileId ?? ''));
    expect(ids).toEqual(LOCAL_MODEL_CATALOG.inferenceProfiles.map((profile) => profile.inferenceProfileId));
    expect(ids).toContain(`us.${HAIKU}`);
    const applications = await client().send(new ListInferenceProfilesCommand({ typeEquals: 'APPLICATION' }));
    expect(applications.inferenceProfileSummaries).toEqual([]);
  });

  it('refuses a caller it does not know, as Bedrock refuses one without the permission', async () => {
    await expect(
      client({ accessKeyId: 'stranger', secretAccessKey: 'x' }).send(new ListFoundationModelsCommand({})),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });
});

describe('the CLI check through the real client', () => {
  it('lists, and warns only of what the Region does not offer', async () => {
    const check = understandingModelCheck(() => client());
    expect(await check(workflowWith(HAIKU))).toEqual([]);
    expect(await check(workflowWith(`us.${HAIKU}`))).toEqual([]);
    expect(await check(workflowWith('anthropic.claude-9-v1:0'))).toEqual([
      'understanding.modelId anthropic.claude-9-v1:0: Bedrock in us-east-1 lists no such foundation model (ListFoundationModels); calls would fail and the rules would answer alone',
    ]);
    expect(await check(workflowWith(`eu.${HAIKU}`))).toEqual([
      expect.stringContaining('lists no such inference profile'),
    ]);
  });

  it('says the model could not be checked, and why, when listing fails', async () => {
    const refused = await listBedrockModels(client({ accessKeyId: 'stranger', secretAccessKey: 'x' }), {
      inferenceProfiles: false,
    });
    expect(refused).toEqual({
      ok: false,
      region: REGION,
      reason: 'UnrecognizedClientException: The security token included in the request is invalid.',
    });
    // Nothing listens there: offline, as far as the CLI can tell.
    const closed = `http://127.0.0.1:${await freePort()}`;
    const offline = await understandingModelCheck(() => client(CREDENTIALS, closed))(workflowWith(HAIKU));
    expect(offline).toEqual([
      expect.stringMatching(
        new RegExp(
          `^understanding.modelId ${HAIKU} could not be checked against the models Bedrock offers in us-east-1: .*ECONNREFUSED`,
        ),
      ),
    ]);
  });

  it("reaches Bedrock where the SDK's AWS_ENDPOINT_URL_BEDROCK says, for smsctl without --local", async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_BEDROCK', bedrock.endpoint);
    vi.stubEnv('AWS_REGION', REGION);
    vi.stubEnv('AWS_ACCESS_KEY_ID', CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', CREDENTIALS.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    vi.stubEnv('AWS_PROFILE', '');
    const check = understandingModelCheckFor({ local: false });
    expect(await check(workflowWith(HAIKU))).toEqual([]);
    expect(await check(workflowWith('anthropic.claude-9-v1:0'))).toEqual([
      expect.stringContaining('Bedrock in us-east-1 lists no such foundation model'),
    ]);
  });

  it('asks nothing of a workflow without understanding', async () => {
    const never = () => {
      throw new Error('no client should be made');
    };
    const { understanding: _, ...plain } = workflowWith(HAIKU);
    expect(await understandingModelCheck(never)(plain as Workflow)).toEqual([]);
  });
});
