import { readFile } from 'node:fs/promises';
import { DynamoTenantAdmin } from '../lambdas/adapters/dynamodb/tenant-admin';
import { parseWorkflow } from '../lambdas/domain/workflow/definition';
import type { LocalStack } from './stack';
import { putTenantSecret } from './tenants';

/** The demo tenant every `npm start` has (DESIGN.md section 4, a contract). */
export const DEMO_TENANT = {
  tenantId: 'demo',
  accountSid: `AC${'d'.repeat(32)}`,
  authToken: '0123456789abcdef0123456789abcdef',
  number: '+15005550006',
  workflowFile: 'examples/workflows/order-status.json',
} as const;

export async function loadWorkflowFile(file: string) {
  const parsed = parseWorkflow(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.ok) throw new Error(`${file} is not a valid workflow:\n${parsed.errors.join('\n')}`);
  return parsed.workflow;
}

export async function seedDemoTenant(stack: LocalStack): Promise<void> {
  const workflow = await loadWorkflowFile(DEMO_TENANT.workflowFile);
  await putTenantSecret(stack.clients.secrets, stack.tenantSecretPrefix, DEMO_TENANT.tenantId, {
    accountSid: DEMO_TENANT.accountSid,
    authToken: DEMO_TENANT.authToken,
  });
  const admin = new DynamoTenantAdmin(stack.clients.dynamo, stack.tableName);
  await admin.putProfile(DEMO_TENANT.tenantId, { name: 'Demo', updatedAt: new Date().toISOString() });
  await admin.putWorkflow(DEMO_TENANT.tenantId, workflow);
  await admin.putNumber({
    tenantId: DEMO_TENANT.tenantId,
    number: DEMO_TENANT.number,
    workflowId: workflow.id,
    allowInboundStart: true,
  });
}
