/**
 * A tenant's monthly token budget for the understanding port (`smsctl tenant put
 * --llm-tokens-per-month N`). Counted per calendar month in UTC; when the month's tokens reach the
 * budget, the rules answer alone until the month ends (no error reaches the customer).
 *
 * Unset, a tenant gets DEFAULT_LLM_TOKENS_PER_MONTH: enough for a workflow that asks for
 * understanding to work without a second step (about 2,000 calls of ~500 tokens), small enough that
 * its cost is bounded (about $0.30 a month with Claude 3 Haiku's on-demand prices, $0.25 per million
 * input and $1.25 per million output tokens). 0 turns understanding off for the tenant.
 */
export const DEFAULT_LLM_TOKENS_PER_MONTH = 1_000_000;
export const LLM_TOKENS_PER_MONTH_RANGE = { min: 0, max: 10_000_000_000 } as const;

export function isValidTokenBudget(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    Number.isSafeInteger(value) &&
    value >= LLM_TOKENS_PER_MONTH_RANGE.min &&
    value <= LLM_TOKENS_PER_MONTH_RANGE.max
  );
}

/** `--llm-tokens-per-month N`: a whole number of tokens (0 turns understanding off). */
export function parseTokenBudget(text: string): { ok: true; tokens: number } | { ok: false; reason: string } {
  const trimmed = text.trim().replace(/_/g, '');
  const tokens = /^\d{1,11}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!isValidTokenBudget(tokens))
    return {
      ok: false,
      reason: `must be a whole number of tokens from ${LLM_TOKENS_PER_MONTH_RANGE.min} to ${LLM_TOKENS_PER_MONTH_RANGE.max}, not "${text}"`,
    };
  return { ok: true, tokens };
}

/** The budget a profile item says; undefined when it says none (the default applies). */
export function tokenBudgetOf(profile: Readonly<Record<string, unknown>> | undefined): number | undefined {
  const value = profile?.llmTokensPerMonth;
  return isValidTokenBudget(value) ? value : undefined;
}

/** `2026-12`: the month the usage of `now` counts in (UTC). */
export function usageMonth(now: Date): string {
  return now.toISOString().slice(0, 7);
}

/** When a month's usage item may go: the end of the following month (operators see last month's). */
export function usageExpiry(month: string): Date {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, monthNumber + 1, 1));
}

export function budgetExhausted(used: number, budget: number): boolean {
  return used >= budget;
}
