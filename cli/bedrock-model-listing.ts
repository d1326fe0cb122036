import {
  BedrockClient,
  ListFoundationModelsCommand,
  ListInferenceProfilesCommand,
} from '@aws-sdk/client-bedrock';
import type { Workflow } from '../lambdas/domain/workflow/definition';
import { localEndpointsFile, readLocalEndpoints } from '../local/endpoints';
import {
  type BedrockModelListingOutcome,
  needsInferenceProfiles,
  understandingModelListingWarning,
} from './understanding-model-listing';

/**
 * The Bedrock control plane for `workflow lint` and `workflow put`: lists the models the Region
 * offers (ListFoundationModels, and ListInferenceProfiles for a profile id) so a workflow naming one
 * it does not offer gets a warning (cli/understanding-model-listing.ts judges). CLI only: no Lambda
 * imports this (the functions call Bedrock Runtime's Converse, never the control plane), and
 * test/integration/runtime/bundle.test.ts keeps @aws-sdk/client-bedrock out of every bundle.
 *
 * Against AWS the client is the SDK's default: the credential chain, the Region from AWS_REGION or
 * the profile, and the endpoint the SDK's own `AWS_ENDPOINT_URL_BEDROCK` setting may override. With
 * `--local` it is the local stack's Bedrock stand-in, named in `.local/endpoints.json` like every
 * other local endpoint the CLI reaches.
 */
export type UnderstandingModelCheck = (workflow: Workflow) => Promise<string[]>;

/** A warning, never a failure: a check that cannot answer must not hold `put` up for long. */
const LISTING_TIMEOUT_MS = 10_000;
const CLIENT_LIMITS = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 3000, requestTimeout: 5000 },
} as const;
/** ListInferenceProfiles pages (at most 1000 each): a Region has a few dozen profiles. */
const MAX_PROFILE_PAGES = 10;
// The local stand-ins accept any credentials; static ones keep the chain from probing the machine.
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Checks nothing: for commands run without a place to ask (tests of other checks). */
export const skipUnderstandingModelCheck: UnderstandingModelCheck = () => Promise.resolve([]);

/** The check for the CLI's target: `--local`, or the AWS account of the default credential chain. */
export function understandingModelCheckFor(flags: { readonly local: boolean }): UnderstandingModelCheck {
  return flags.local
    ? localUnderstandingModelCheck()
    : understandingModelCheck(() => new BedrockClient(CLIENT_LIMITS));
}

function localUnderstandingModelCheck(file = localEndpointsFile()): UnderstandingModelCheck {
  return async (workflow) => {
    const modelId = workflow.understanding?.modelId;
    if (modelId === undefined) return [];
    const local = await readLocalEndpoints(file);
    const endpoint = local?.endpoints.bedrock;
    if (!local || !endpoint) {
      const reason = local
        ? `${file} names no Bedrock endpoint (restart npm start)`
        : 'the local stack is not running (npm start)';
      return warningsOf(modelId, { ok: false, reason });
    }
    return understandingModelCheck(
      () =>
        new BedrockClient({
          ...CLIENT_LIMITS,
          region: local.region,
          credentials: LOCAL_CREDENTIALS,
          endpoint,
        }),
    )(workflow);
  };
}

/** The check through a Bedrock client, made only when a workflow names a model. */
export function understandingModelCheck(client: () => BedrockClient): UnderstandingModelCheck {
  return async (workflow) => {
    const modelId = workflow.understanding?.modelId;
    if (modelId === undefined) return [];
    const bedrock = client();
    try {
      return warningsOf(
        modelId,
        await listBedrockModels(bedrock, { inferenceProfiles: needsInferenceProfiles(modelId) }),
      );
    } finally {
      bedrock.destroy();
    }
  };
}

function warningsOf(modelId: string, outcome: BedrockModelListingOutcome): string[] {
  const warning = understandingModelListingWarning(modelId, outcome);
  return warning ? [warning] : [];
}

/** The Region's foundation models (and its inference profiles when asked), or why not. */
export async function listBedrockModels(
  client: BedrockClient,
  { inferenceProfiles, timeoutMs = LISTING_TIMEOUT_MS }: { inferenceProfiles: boolean; timeoutMs?: number },
): Promise<BedrockModelListingOutcome> {
  let region: string | undefined;
  try {
    region = await client.config.region();
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  }
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // The abort signal stops a request in flight; the race also covers resolving credentials.
  const timedOut = new Promise<BedrockModelListingOutcome>((settle) => {
    timer = setTimeout(() => {
      abort.abort();
      settle({ ok: false, region, reason: `no answer within ${timeoutMs / 1000} s` });
    }, timeoutMs);
  });
  const listed = (async (): Promise<BedrockModelListingOutcome> => {
    const models = await client.send(new ListFoundationModelsCommand({}), { abortSignal: abort.signal });
    const foundationModels = (models.modelSummaries ?? []).flatMap((summary) =>
      summary.modelId
        ? [{ modelId: summary.modelId, inferenceTypesSupported: summary.inferenceTypesSupported ?? [] }]
        : [],
    );
    if (!inferenceProfiles) return { ok: true, listing: { region, foundationModels } };
    const inferenceProfileIds: string[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PROFILE_PAGES; page += 1) {
      const profiles = await client.send(
        new ListInferenceProfilesCommand({ maxResults: 1000, ...(nextToken ? { nextToken } : {}) }),
        { abortSignal: abort.signal },
      );
      for (const profile of profiles.inferenceProfileSummaries ?? [])
        if (profile.inferenceProfileId) inferenceProfileIds.push(profile.inferenceProfileId);
      nextToken = profiles.nextToken;
      if (!nextToken) break;
    }
    return { ok: true, listing: { region, foundationModels, inferenceProfileIds } };
  })().catch((error: unknown): BedrockModelListingOutcome => ({
    ok: false,
    region,
    reason: reasonOf(error),
  }));
  try {
    return await Promise.race([listed, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** One line: the AWS error's name (AccessDeniedException, ...) and message. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const name = error.name && error.name !== 'Error' ? `${error.name}: ` : '';
  return `${name}${error.message}`.split('\n')[0] ?? name;
}
