/**
 * What the local Bedrock stand-in lists as its Region's models: ListFoundationModels and
 * ListInferenceProfiles answer with these, shaped as Bedrock's control plane answers (API reference,
 * "ListFoundationModels" and "ListInferenceProfiles"), so `smsctl workflow lint|put --local` checks a
 * workflow's `understanding.modelId` the way it does in AWS. Fixed, and small: every stage's
 * `understandingModelIds` (lib/config.ts; a test keeps them listed), a model offered only through
 * inference profiles, and the US cross-Region profiles of each.
 */
const REGION = 'us-east-1';
/** The Regions the US system-defined profiles route to. */
const US_REGIONS = ['us-east-1', 'us-east-2', 'us-west-2'] as const;
const ACCOUNT = '000000000000';

export interface LocalFoundationModel {
  readonly modelId: string;
  readonly modelArn: string;
  readonly modelName: string;
  readonly providerName: string;
  readonly inputModalities: readonly string[];
  readonly outputModalities: readonly string[];
  readonly responseStreamingSupported: boolean;
  readonly customizationsSupported: readonly string[];
  readonly inferenceTypesSupported: readonly string[];
  readonly modelLifecycle: { readonly status: 'ACTIVE' | 'LEGACY' };
}

export interface LocalInferenceProfile {
  readonly inferenceProfileId: string;
  readonly inferenceProfileName: string;
  readonly inferenceProfileArn: string;
  readonly description: string;
  readonly models: readonly { readonly modelArn: string }[];
  readonly status: 'ACTIVE';
  readonly type: 'SYSTEM_DEFINED';
  readonly createdAt: string;
  readonly updatedAt: string;
}

function foundationModel(
  modelId: string,
  modelName: string,
  providerName: string,
  inputModalities: readonly string[],
  inferenceTypesSupported: readonly string[],
): LocalFoundationModel {
  return {
    modelId,
    modelArn: `arn:aws:bedrock:${REGION}::foundation-model/${modelId}`,
    modelName,
    providerName,
    inputModalities,
    outputModalities: ['TEXT'],
    responseStreamingSupported: true,
    customizationsSupported: [],
    inferenceTypesSupported,
    modelLifecycle: { status: 'ACTIVE' },
  };
}

export const LOCAL_FOUNDATION_MODELS: readonly LocalFoundationModel[] = [
  foundationModel(
    'anthropic.claude-3-haiku-20240307-v1:0',
    'Claude 3 Haiku',
    'Anthropic',
    ['TEXT', 'IMAGE'],
    ['ON_DEMAND'],
  ),
  // Offered only through inference profiles: Converse with this id fails on demand.
  foundationModel(
    'anthropic.claude-3-5-haiku-20241022-v1:0',
    'Claude 3.5 Haiku',
    'Anthropic',
    ['TEXT'],
    ['INFERENCE_PROFILE'],
  ),
  foundationModel(
    'amazon.nova-micro-v1:0',
    'Nova Micro',
    'Amazon',
    ['TEXT'],
    ['ON_DEMAND', 'INFERENCE_PROFILE'],
  ),
  foundationModel(
    'amazon.nova-lite-v1:0',
    'Nova Lite',
    'Amazon',
    ['TEXT', 'IMAGE', 'VIDEO'],
    ['ON_DEMAND', 'INFERENCE_PROFILE'],
  ),
];

export const LOCAL_INFERENCE_PROFILES: readonly LocalInferenceProfile[] = LOCAL_FOUNDATION_MODELS.map(
  (model) => ({
    inferenceProfileId: `us.${model.modelId}`,
    inferenceProfileName: `US ${model.providerName} ${model.modelName}`,
    inferenceProfileArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:inference-profile/us.${model.modelId}`,
    description: `Routes requests to ${model.providerName} ${model.modelName} in ${US_REGIONS.join(', ')}.`,
    models: US_REGIONS.map((region) => ({
      modelArn: `arn:aws:bedrock:${region}::foundation-model/${model.modelId}`,
    })),
    status: 'ACTIVE',
    type: 'SYSTEM_DEFINED',
    createdAt: '2024-08-27T00:00:00Z',
    updatedAt: '2024-08-27T00:00:00Z',
  }),
);

/** A Region's offer: what the stand-in lists (default: LOCAL_FOUNDATION_MODELS, LOCAL_INFERENCE_PROFILES). */
export interface LocalModelCatalog {
  readonly foundationModels: readonly LocalFoundationModel[];
  readonly inferenceProfiles: readonly LocalInferenceProfile[];
}

export const LOCAL_MODEL_CATALOG: LocalModelCatalog = {
  foundationModels: LOCAL_FOUNDATION_MODELS,
  inferenceProfiles: LOCAL_INFERENCE_PROFILES,
};

/** ListFoundationModels' filters (query parameters), each a match on its field when given. */
export function listFoundationModels(
  catalog: LocalModelCatalog,
  query: URLSearchParams,
): readonly LocalFoundationModel[] {
  const provider = query.get('byProvider');
  const output = query.get('byOutputModality');
  const inference = query.get('byInferenceType');
  const customization = query.get('byCustomizationType');
  return catalog.foundationModels.filter(
    (model) =>
      (provider === null || model.providerName.toLowerCase() === provider.toLowerCase()) &&
      (output === null || model.outputModalities.includes(output)) &&
      (inference === null || model.inferenceTypesSupported.includes(inference)) &&
      (customization === null || model.customizationsSupported.includes(customization)),
  );
}

/**
 * ListInferenceProfiles: the system-defined profiles (its default `type`; there are no application
 * profiles here), `maxResults` at a time with a `nextToken` for the rest.
 */
export function listInferenceProfiles(
  catalog: LocalModelCatalog,
  query: URLSearchParams,
): {
  inferenceProfileSummaries: readonly LocalInferenceProfile[];
  nextToken?: string;
} {
  const type = query.get('type') ?? 'SYSTEM_DEFINED';
  const all = type === 'SYSTEM_DEFINED' ? catalog.inferenceProfiles : [];
  const start = Number(query.get('nextToken') ?? '0') || 0;
  const size = Math.min(Math.max(Number(query.get('maxResults') ?? '1000') || 1000, 1), 1000);
  const page = all.slice(start, start + size);
  return start + size < all.length
    ? { inferenceProfileSummaries: page, nextToken: String(start + size) }
    : { inferenceProfileSummaries: page };
}
