import { reviewProposal } from '../domain/understanding/proposals';
import { understandingOf, understandingRequestFor } from '../domain/understanding/request';
import { scrubForPrompt } from '../domain/understanding/scrub';
import type { Workflow } from '../domain/workflow/definition';
import type { SlotState, TurnProposals, TurnResult } from '../domain/workflow/engine';
import type { UnderstandingBudget, UnderstandingFailure, UnderstandingPort } from '../ports/understanding';

/** What the conversation function needs for a workflow with `understanding` (the composition root builds it). */
export interface UnderstandingDeps {
  /** The port, created on first use (the Bedrock client is loaded only by a workflow that asks for it). */
  readonly port: () => Promise<UnderstandingPort>;
  readonly budget: UnderstandingBudget;
}

/** What one turn's use of the port came to, for metrics and logs (never the message's text). */
export type UnderstandingOutcome =
  | {
      readonly outcome: 'proposed';
      readonly inputTokens: number;
      readonly outputTokens: number;
      readonly latencyMs: number;
      readonly accepted: number;
      readonly rejected: number;
    }
  | {
      readonly outcome: 'failed';
      readonly reason: UnderstandingFailure;
      readonly detail: string;
      readonly latencyMs: number;
      readonly inputTokens: number;
      readonly outputTokens: number;
    }
  | { readonly outcome: 'budgetExhausted' }
  | { readonly outcome: 'unavailable'; readonly detail: string };

export interface UnderstandingTurnInput {
  readonly tenantId: string;
  readonly workflow: Workflow;
  readonly state: SlotState | undefined;
  readonly text: string;
  readonly now: Date;
  /** The customer's number: removed from the text wherever it appears, whatever else is scrubbed. */
  readonly customer: string;
}

/**
 * One turn with the understanding port beside the rules. The rules read the message first (the
 * engine is pure, so running it twice is free of effects). The port is asked when the workflow's
 * `understanding.use` says: `always`, on every turn the rules leave a route or a variable
 * unanswered; `fallback`, only when the rules' reply would be a re-prompt or the fallback. What the
 * model proposes is reviewed by the types, and the turn runs again with the accepted proposals.
 * Without a proposal (budget exhausted, deadline passed, any failure) the rules' answer stands:
 * the customer never hears of it.
 */
export async function turnWithUnderstanding(
  input: UnderstandingTurnInput,
  deps: UnderstandingDeps | undefined,
  run: (input: {
    workflow: Workflow;
    state: SlotState | undefined;
    text: string;
    now: Date;
    proposals?: TurnProposals;
  }) => TurnResult,
  report: (outcome: UnderstandingOutcome) => void,
): Promise<TurnResult> {
  const { workflow, state, text, now } = input;
  const rules = run({ workflow, state, text, now });
  const settings = understandingOf(workflow);
  if (!settings || !deps) return rules;
  if (rules.completed || rules.handoff || rules.state.status === 'handed-off') return rules;
  if (settings.use === 'fallback' && rules.missed === undefined) return rules;
  const request = understandingRequestFor({
    workflow,
    settings,
    before: state,
    after: rules.state,
    scrubbedText: scrubForPrompt(text, [input.customer]),
  });
  if (!request) return rules;

  let remaining: number;
  try {
    remaining = await deps.budget.remaining(input.tenantId, now);
  } catch (error) {
    report({ outcome: 'unavailable', detail: `budget: ${(error as Error).name}` });
    return rules;
  }
  if (remaining <= 0) {
    report({ outcome: 'budgetExhausted' });
    return rules;
  }

  let port: UnderstandingPort;
  try {
    port = await deps.port();
  } catch (error) {
    report({ outcome: 'unavailable', detail: `port: ${(error as Error).name}` });
    return rules;
  }
  const answer = await port.propose(request);
  const usage = answer.usage ?? { inputTokens: 0, outputTokens: 0 };
  // Counted even when the answer is unusable: the tokens were billed.
  await deps.budget
    .record(input.tenantId, now, usage)
    .catch((error: unknown) =>
      report({ outcome: 'unavailable', detail: `budget record: ${(error as Error).name}` }),
    );
  if (!answer.ok) {
    report({
      outcome: 'failed',
      reason: answer.reason,
      detail: answer.detail,
      latencyMs: answer.latencyMs,
      ...usage,
    });
    return rules;
  }
  const reviewed = reviewProposal(answer.proposal, request.variables, workflow, now);
  report({
    outcome: 'proposed',
    ...usage,
    latencyMs: answer.latencyMs,
    accepted: reviewed.accepted.length,
    rejected: reviewed.rejected.length,
  });
  if (reviewed.accepted.length === 0) return rules;
  return run({ workflow, state, text, now, proposals: reviewed.proposal });
}
