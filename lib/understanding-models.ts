/**
 * Which Bedrock models the stage's workflows may use for `understanding` (StageConfig
 * `understandingModelIds`), and the IAM resources that allow exactly those (the conversation
 * function's `bedrock:InvokeModel`, which the Converse API is authorized by). Pure: the stack
 * passes its partition, region and account (tokens), the CLI only the ids.
 *
 * - A foundation model id (`anthropic.claude-3-haiku-20240307-v1:0`): its ARN in the stack's region.
 * - A cross-Region inference profile id (`us.`, `eu.`, `apac.`, `global.` before the model id): the
 *   profile's ARN, and the foundation model's ARN in every Region (`*`), since the profile routes a
 *   call to whichever Region of its geography has capacity (Bedrock user guide, "Prerequisites for
 *   inference profiles"). Only that model, never `foundation-model/*`.
 */
const INFERENCE_PROFILE_PREFIX = /^(us|eu|apac|global|us-gov|jp|au|ca)\.(.+)$/;

export interface ArnParts {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

export function isInferenceProfileId(modelId: string): boolean {
  return INFERENCE_PROFILE_PREFIX.test(modelId);
}

/** The resources `bedrock:InvokeModel` needs for one model id of the list. */
export function understandingModelArns(modelId: string, at: ArnParts): string[] {
  const profile = INFERENCE_PROFILE_PREFIX.exec(modelId);
  if (!profile) return [`arn:${at.partition}:bedrock:${at.region}::foundation-model/${modelId}`];
  return [
    `arn:${at.partition}:bedrock:${at.region}:${at.account}:inference-profile/${modelId}`,
    `arn:${at.partition}:bedrock:*::foundation-model/${profile[2]}`,
  ];
}

/** Why `workflow put` refuses a model, or undefined when the stage allows it. */
export function understandingModelProblem(modelId: string, allowed: readonly string[]): string | undefined {
  if (allowed.includes(modelId)) return undefined;
  return allowed.length === 0
    ? `understanding.modelId ${modelId}: this stage allows no understanding model (lib/config.ts understandingModelIds)`
    : `understanding.modelId ${modelId} is not one this stage's functions may invoke (lib/config.ts understandingModelIds: ${allowed.join(', ')})`;
}
