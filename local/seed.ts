import { readFile } from 'node:fs/promises';
import { DynamoTenantAdmin } from '../lambdas/adapters/dynamodb/tenant-admin';
import { parseWorkflow, type Workflow } from '../lambdas/domain/workflow/definition';
import type { LocalStack } from './stack';
import { putTenantSecret } from './tenants';

/** The demo tenant every `npm start` has (DESIGN.md section 4, a contract). */
export const DEMO_TENANT = {
  tenantId: 'demo',
  accountSid: `AC${'d'.repeat(32)}`,
  authToken: '0123456789abcdef0123456789abcdef',
  number: '+15005550006',
  workflowFile: 'examples/workflows/order-status.json',
  /**
   * A long code sends one segment per second in real life; the simulator has no carrier, and ten
   * keeps the demo and the test suites quick while every send is still paced.
   */
  segmentsPerSecond: 10,
} as const;

export async function loadWorkflowFile(file: string) {
  const parsed = parseWorkflow(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.ok) throw new Error(`${file} is not a valid workflow:\n${parsed.errors.join('\n')}`);
  return parsed.workflow;
}

export interface TenantSeed {
  readonly tenantId: string;
  readonly name: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly number: string;
  readonly workflowFile: string;
  readonly segmentsPerSecond?: number;
}

/** What seeding writes to: the local stack, or any table and secret store laid out like it. */
export type SeedTarget = Pick<LocalStack, 'tenantSecretPrefix' | 'tableName'> & {
  readonly clients: Pick<LocalStack['clients'], 'secrets' | 'dynamo'>;
};

/** Registers a tenant: its Twilio secret, its profile, one number and its workflow (returned). */
export async function seedTenant(stack: SeedTarget, tenant: TenantSeed): Promise<Workflow> {
  const workflow = await loadWorkflowFile(tenant.workflowFile);
  await putTenantSecret(stack.clients.secrets, stack.tenantSecretPrefix, tenant.tenantId, {
    accountSid: tenant.accountSid,
    authToken: tenant.authToken,
  });
  const admin = new DynamoTenantAdmin(stack.clients.dynamo, stack.tableName);
  await admin.putProfile(tenant.tenantId, { name: tenant.name, updatedAt: new Date().toISOString() });
  await routeNumber(admin, tenant, tenant.number, workflow);
  return workflow;
}

/** Stores a workflow and points one of the tenant's numbers at it. */
async function routeNumber(
  admin: DynamoTenantAdmin,
  tenant: Pick<TenantSeed, 'tenantId' | 'segmentsPerSecond'>,
  number: string,
  workflow: Workflow,
): Promise<void> {
  await admin.putWorkflow(tenant.tenantId, workflow);
  await admin.putNumber({
    tenantId: tenant.tenantId,
    number,
    workflowId: workflow.id,
    allowInboundStart: true,
    ...(tenant.segmentsPerSecond !== undefined ? { segmentsPerSecond: tenant.segmentsPerSecond } : {}),
  });
}

export function seedDemoTenant(stack: SeedTarget): Promise<Workflow> {
  return seedTenant(stack, { ...DEMO_TENANT, name: 'Demo' });
}

/**
 * The other example workflows on numbers of their own, for trying them through `npm start` and
 * the console's phone (the demo number keeps order-status, as DESIGN.md's contract says).
 */
export const DEMO_EXAMPLE_NUMBERS = [
  { number: '+15017122661', workflowFile: 'examples/workflows/appointment-booking.json' },
  { number: '+15017122662', workflowFile: 'examples/workflows/support-triage.json' },
  { number: '+15017122663', workflowFile: 'examples/workflows/appointment-booking-bilingual.json' },
] as const;

export async function seedDemoExamples(stack: LocalStack): Promise<{ number: string; workflowId: string }[]> {
  const admin = new DynamoTenantAdmin(stack.clients.dynamo, stack.tableName);
  const seeded: { number: string; workflowId: string }[] = [];
  for (const example of DEMO_EXAMPLE_NUMBERS) {
    const workflow = await loadWorkflowFile(example.workflowFile);
    await routeNumber(admin, DEMO_TENANT, example.number, workflow);
    seeded.push({ number: example.number, workflowId: workflow.id });
  }
  return seeded;
}
