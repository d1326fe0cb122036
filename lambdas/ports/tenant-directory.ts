import type { Workflow } from '../domain/workflow/definition';

/** A business number of a tenant and the workflow that answers it. */
export interface TenantNumber {
  readonly tenantId: string;
  readonly number: string;
  readonly workflowId: string;
  /** May a customer start a conversation by texting in? (default true) */
  readonly allowInboundStart: boolean;
}

export interface TenantDirectory {
  getNumber(tenantId: string, number: string): Promise<TenantNumber | undefined>;
  getWorkflow(tenantId: string, workflowId: string): Promise<Workflow | undefined>;
}
