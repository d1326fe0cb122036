import type { Workflow } from '../../domain/workflow/definition';
import type { TenantDirectory, TenantNumber } from '../../ports/tenant-directory';

/** A tenant's numbers and workflows in memory (`workflow simulate`, use-case tests). */
export class MemoryTenantDirectory implements TenantDirectory {
  private readonly numbers = new Map<string, TenantNumber>();
  private readonly workflows = new Map<string, Workflow>();

  putNumber(number: TenantNumber): this {
    this.numbers.set(`${number.tenantId}#${number.number}`, number);
    return this;
  }

  putWorkflow(tenantId: string, workflow: Workflow): this {
    this.workflows.set(`${tenantId}#${workflow.id}`, workflow);
    return this;
  }

  async getNumber(tenantId: string, number: string): Promise<TenantNumber | undefined> {
    return this.numbers.get(`${tenantId}#${number}`);
  }

  async getWorkflow(tenantId: string, workflowId: string): Promise<Workflow | undefined> {
    return this.workflows.get(`${tenantId}#${workflowId}`);
  }
}
