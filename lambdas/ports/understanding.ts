import type { Proposal, UnderstandingRequest } from '../domain/understanding/request';

export interface UnderstandingUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** Why no proposal came: the deadline passed, the provider throttled or failed, or answered without the tool. */
export type UnderstandingFailure = 'timeout' | 'throttled' | 'error' | 'no-proposal';

export type UnderstandingAnswer =
  | {
      readonly ok: true;
      /** What the model proposed (domain/understanding/proposals.ts proposalFromToolInput); not yet reviewed. */
      readonly proposal: Proposal;
      readonly usage: UnderstandingUsage;
      readonly latencyMs: number;
    }
  | {
      readonly ok: false;
      readonly reason: UnderstandingFailure;
      /** For logs: the provider's error name, never the message text. */
      readonly detail: string;
      readonly latencyMs: number;
      /** Tokens billed even though no proposal came (a reply without the tool). */
      readonly usage?: UnderstandingUsage;
    };

/**
 * A language model that proposes a route and answers for a message (issue #19). It never throws:
 * any failure is an answer with `ok: false`, after which the rules' answer stands. It returns by
 * `request.deadlineMs`.
 */
export interface UnderstandingPort {
  propose(request: UnderstandingRequest): Promise<UnderstandingAnswer>;
}

/** Each tenant's monthly token count against its budget (domain/understanding/budget.ts). */
export interface UnderstandingBudget {
  /** Tokens the tenant has left this month (0 or less: exhausted). */
  remaining(tenantId: string, now: Date): Promise<number>;
  /** Adds a call's tokens to the tenant's month (atomic). */
  record(tenantId: string, now: Date, usage: UnderstandingUsage): Promise<void>;
}
