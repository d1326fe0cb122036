import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { lintWorkflow } from '../../lambdas/domain/workflow/lint';
import { CliError } from '../cli-error';
import { parseCommand, required, tenantId } from '../flags';
import type { CommandResult } from '../output';
import type { PlatformTarget } from '../target';
import { readWorkflowFile } from '../workflow-commands';

const USAGE = 'workflow put --tenant ID --file F';

/** Stores a workflow for a tenant, only once it lints clean: a broken one would fail live. */
export async function workflowPutCommand(
  args: string[],
  target: () => Promise<PlatformTarget>,
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
  const admin = new DynamoTenantAdmin(platform.dynamo, platform.tableName);
  if (!(await admin.getProfile(id)))
    throw new CliError(`tenant ${id} not found; create it with smsctl tenant put`);
  await admin.putWorkflow(id, workflow);
  return {
    json: { ok: true, tenantId: id, workflowId: workflow.id, warnings: report.warnings },
    lines: [...report.warnings.map((w) => `warning ${w}`), `workflow ${workflow.id} saved for tenant ${id}`],
  };
}
