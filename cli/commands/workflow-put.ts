import { stages } from '../../lib/config';
import { understandingModelProblem } from '../../lib/understanding-models';
import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { mediaUrlsProblem } from '../../lambdas/domain/outbound-media';
import {
  DEPLOYED_URL_POLICY,
  LOCAL_URL_POLICY,
  type OutboundUrlPolicy,
} from '../../lambdas/domain/outbound-url-policy';
import type { Workflow } from '../../lambdas/domain/workflow/definition';
import { lintWorkflow } from '../../lambdas/domain/workflow/lint';
import { mmsRoutingProblems, workflowMediaFields } from '../../lambdas/domain/workflow/media';
import { skipUnderstandingModelCheck, type UnderstandingModelCheck } from '../bedrock-model-listing';
import { CliError } from '../cli-error';
import { parseCommand, required, tenantId } from '../flags';
import type { CommandResult } from '../output';
import type { PlatformTarget } from '../target';
import { checkWebhookEndpoints, type EndpointCheckOptions, readWorkflowFile } from '../workflow-commands';

const USAGE = 'workflow put --tenant ID --file F';

/**
 * Stores a workflow for a tenant, only once it lints clean, its webhook endpoints and pictures pass
 * the target stage's outbound URL policy, and every number routed to it can send its pictures: a
 * broken one would fail live.
 */
export async function workflowPutCommand(
  args: string[],
  target: () => Promise<PlatformTarget>,
  endpoints: Omit<EndpointCheckOptions, 'policy'> = {},
  // Whether the Region's Bedrock lists understanding.modelId: a warning only (main passes the real one).
  checkUnderstandingModel: UnderstandingModelCheck = skipUnderstandingModelCheck,
): Promise<CommandResult> {
  const { values } = parseCommand(USAGE, args, { tenant: { type: 'string' }, file: { type: 'string' } });
  const id = tenantId(values.tenant, USAGE);
  const workflow = await readWorkflowFile(required(values.file, '--file', USAGE));
  const report = lintWorkflow(workflow);
  if (report.errors.length > 0)
    throw new CliError(
      `${values.file} has ${report.errors.length} lint error(s): ${report.errors.join('; ')}`,
    );
  const platform = await target();
  const checked = await checkWebhookEndpoints(workflow, {
    ...endpoints,
    policy: webhookUrlPolicyOf(platform),
  });
  if (checked.errors.length > 0)
    throw new CliError(
      `${values.file} has ${checked.errors.length} webhook endpoint error(s) on ${platform.description}: ${checked.errors.join('; ')}`,
    );
  const mediaErrors = mediaUrlErrors(workflow, webhookUrlPolicyOf(platform));
  if (mediaErrors.length > 0)
    throw new CliError(
      `${values.file} has ${mediaErrors.length} picture URL error(s) on ${platform.description}: ${mediaErrors.join('; ')}`,
    );
  const modelProblem = understandingModelErrorOf(workflow, platform);
  if (modelProblem) throw new CliError(`${values.file}: ${modelProblem}`);
  const warnings = [...report.warnings, ...checked.warnings, ...(await checkUnderstandingModel(workflow))];
  const admin = new DynamoTenantAdmin(platform.dynamo, platform.tableName);
  if (!(await admin.getProfile(id)))
    throw new CliError(`tenant ${id} not found; create it with smsctl tenant put`);
  // Only a workflow with pictures needs its numbers read.
  const routed =
    workflowMediaFields(workflow).length === 0
      ? []
      : (await admin.listNumbers(id))
          .filter((item) => item.workflowId === workflow.id)
          .map((item) => ({
            number: String(item.number),
            ...(typeof item.mms === 'boolean' ? { mms: item.mms } : {}),
          }));
  const cannotSendMms = mmsRoutingProblems(workflow, routed);
  if (cannotSendMms.length > 0)
    throw new CliError(
      `${cannotSendMms.join('; ')}; remove the pictures, or route the number(s) to another workflow first`,
    );
  await admin.putWorkflow(id, workflow);
  return {
    json: { ok: true, tenantId: id, workflowId: workflow.id, warnings },
    lines: [...warnings.map((w) => `warning ${w}`), `workflow ${workflow.id} saved for tenant ${id}`],
  };
}

/**
 * A workflow's `understanding.modelId` must be one the target stage's conversation function may
 * invoke (StageConfig.understandingModelIds, what its IAM statement names): any other would fail
 * every call with AccessDenied. The stage is found as the URL policy's is; an unknown one allows none.
 */
export function understandingModelErrorOf(
  workflow: Workflow,
  platform: Pick<PlatformTarget, 'tenantSecretPrefix'>,
): string | undefined {
  const modelId = workflow.understanding?.modelId;
  if (modelId === undefined) return undefined;
  const stage = Object.values(stages).find(
    (config) => config.tenantSecretPrefix === platform.tenantSecretPrefix,
  );
  return understandingModelProblem(modelId, stage?.understandingModelIds ?? []);
}

/** Every picture URL the stage's outbound URL policy refuses (the schema checked what any stage allows). */
function mediaUrlErrors(workflow: Workflow, policy: OutboundUrlPolicy): string[] {
  return workflowMediaFields(workflow).flatMap((field) => {
    const problem = mediaUrlsProblem(field.urls, policy, field.where);
    return problem ? [problem] : [];
  });
}

/**
 * The notifier's policy on the target's stage (StageConfig.allowLoopbackWebhooks). A PlatformTarget
 * names no stage, but its tenant secret prefix is that stage's own (read back from the stack's
 * outputs or the local stack's endpoints file), which finds it; a prefix no stage has gets the
 * deployed policy, the strict one. The notifier applies its own policy again at every delivery.
 */
export function webhookUrlPolicyOf(platform: Pick<PlatformTarget, 'tenantSecretPrefix'>): OutboundUrlPolicy {
  const stage = Object.values(stages).find(
    (config) => config.tenantSecretPrefix === platform.tenantSecretPrefix,
  );
  return stage?.allowLoopbackWebhooks ? LOCAL_URL_POLICY : DEPLOYED_URL_POLICY;
}
