import type { Workflow } from '../domain/workflow/definition';

/** A business number of a tenant and the workflow that answers it. */
export interface TenantNumber {
  readonly tenantId: string;
  readonly number: string;
  readonly workflowId: string;
  /** May a customer start a conversation by texting in? (default true) */
  readonly allowInboundStart: boolean;
  /** The number's send rate in segments per second; absent: the carrier default for its kind. */
  readonly segmentsPerSecond?: number;
  /**
   * May the number send MMS, when said explicitly (`smsctl number put --mms true|false`); absent: the
   * country rule (lambdas/domain/outbound-media.ts, mmsCapability).
   */
  readonly mms?: boolean;
  /**
   * The tenant's retention in days (`smsctl tenant put --retention-days`), carried with the number
   * onto the sends its conversations queue; absent: the default.
   */
  readonly retentionDays?: number;
  /**
   * The language of conversations on this number when nothing else tells (`smsctl number put
   * --language es`): no stored preference, nothing detected in the first message (issue 19).
   */
  readonly language?: string;
}

export interface TenantDirectory {
  getNumber(tenantId: string, number: string): Promise<TenantNumber | undefined>;
  getWorkflow(tenantId: string, workflowId: string): Promise<Workflow | undefined>;
}

/** The directory plus whether a tenant exists at all (an API answers 404 for an unknown tenant). */
export interface TenantLookup extends TenantDirectory {
  /** Has the tenant been onboarded (its profile exists)? */
  tenantExists(tenantId: string): Promise<boolean>;
}
