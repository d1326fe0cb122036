import { isInferenceProfileId } from '../lib/understanding-models';

/**
 * Does the region's Bedrock offer a workflow's `understanding.modelId`? Pure: the CLI lists the
 * region's models (cli/bedrock-model-listing.ts) and this judges the id against that listing.
 * Every finding is a warning, never an error: the listing says what Bedrock offers in the region,
 * not whether this account has been granted the model, and the stage's `understandingModelIds`
 * (what IAM allows) is checked separately, as an error.
 *
 * - A foundation model id (`anthropic.claude-3-haiku-20240307-v1:0`) or foundation-model ARN is
 *   looked up in ListFoundationModels. A model listed without `ON_DEMAND` among its inference types
 *   (newer models are offered only through inference profiles) fails every Converse call by its id,
 *   which is said too.
 * - A cross-Region inference profile id (`us.…`, `eu.…`) or inference-profile ARN is looked up in
 *   ListInferenceProfiles, never by stripping the geography: a profile is offered only from the
 *   Regions of its geography (an `eu.` profile does not exist in us-east-1), and profiles exist for
 *   models that are not on demand.
 * - Any other ARN (provisioned or custom models) is not covered by these listings: not judged.
 */
export interface ListedFoundationModel {
  readonly modelId: string;
  /** As ListFoundationModels answers: `ON_DEMAND`, `PROVISIONED`, `INFERENCE_PROFILE`, ... */
  readonly inferenceTypesSupported?: readonly string[];
}

export interface BedrockModelListing {
  /** The Region that was asked. */
  readonly region: string;
  readonly foundationModels: readonly ListedFoundationModel[];
  /** Listed only when the id is a profile's (it needs its own permission); undefined otherwise. */
  readonly inferenceProfileIds?: readonly string[];
}

/** What listing the models gave: the listing, or why there is none (permission, network, Region). */
export type BedrockModelListingOutcome =
  | { readonly ok: true; readonly listing: BedrockModelListing }
  | { readonly ok: false; readonly region?: string; readonly reason: string };

/** Which listing can answer for a model id, and the id to look for in it. */
export type ModelIdLookup =
  | { readonly kind: 'foundation-model'; readonly id: string }
  | { readonly kind: 'inference-profile'; readonly id: string }
  | { readonly kind: 'unlisted-kind' };

const BEDROCK_ARN = /^arn:[^:]+:bedrock:[^:]*:[^:]*:([a-z-]+)\/(.+)$/;

export function modelIdLookup(modelId: string): ModelIdLookup {
  const arn = BEDROCK_ARN.exec(modelId);
  if (arn) {
    const [, resource, id = ''] = arn;
    if (resource === 'foundation-model') return { kind: 'foundation-model', id };
    if (resource === 'inference-profile') return { kind: 'inference-profile', id };
    return { kind: 'unlisted-kind' };
  }
  if (modelId.startsWith('arn:')) return { kind: 'unlisted-kind' };
  return isInferenceProfileId(modelId)
    ? { kind: 'inference-profile', id: modelId }
    : { kind: 'foundation-model', id: modelId };
}

/** Whether the model's id needs ListInferenceProfiles (a separate call and permission). */
export function needsInferenceProfiles(modelId: string): boolean {
  return modelIdLookup(modelId).kind === 'inference-profile';
}

const FIELD = 'understanding.modelId';

/** The warning for `modelId` given what listing the models gave, or undefined when it is offered. */
export function understandingModelListingWarning(
  modelId: string,
  outcome: BedrockModelListingOutcome,
): string | undefined {
  const lookup = modelIdLookup(modelId);
  if (lookup.kind === 'unlisted-kind') return undefined;
  if (!outcome.ok) {
    const where = outcome.region ? ` in ${outcome.region}` : '';
    return `${FIELD} ${modelId} could not be checked against the models Bedrock offers${where}: ${outcome.reason}`;
  }
  const { listing } = outcome;
  if (lookup.kind === 'inference-profile') {
    // A lister that was not asked for profiles cannot say a profile is missing.
    if (listing.inferenceProfileIds === undefined)
      return `${FIELD} ${modelId} could not be checked against the models Bedrock offers in ${listing.region}: inference profiles were not listed`;
    return listing.inferenceProfileIds.includes(lookup.id)
      ? undefined
      : `${FIELD} ${modelId}: Bedrock in ${listing.region} lists no such inference profile (ListInferenceProfiles); calls would fail and the rules would answer alone`;
  }
  const model = listing.foundationModels.find((candidate) => candidate.modelId === lookup.id);
  if (!model)
    return `${FIELD} ${modelId}: Bedrock in ${listing.region} lists no such foundation model (ListFoundationModels); calls would fail and the rules would answer alone`;
  const types = model.inferenceTypesSupported ?? [];
  if (types.length > 0 && !types.includes('ON_DEMAND'))
    return `${FIELD} ${modelId}: Bedrock in ${listing.region} offers it only as ${types.join(', ')}, not on demand; name an inference profile id that contains it (aws bedrock list-inference-profiles)`;
  return undefined;
}
