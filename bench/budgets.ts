/**
 * The performance budgets `npm run bench` holds the functions to (issue 16): pure data and pure
 * checks, so test/unit/bench proves them and bench/run.ts only reports.
 */
export const KB = 1000;

/** Every handler bundle, the SDK v3 clients it ships included. */
export const BUNDLE_BUDGET_BYTES = 400 * KB;

/**
 * A function's whole cold start (import plus its first event's AWS calls, CPU p50 in fresh
 * processes) against the default baseline's in the same run: a `cdk init` + NodejsFunction handler
 * (SDK v3 external from the runtime, `twilio` bundled) making the same kinds of first calls.
 */
export const COLD_START_VS_BASELINE_MAX = 0.5;

/** CPU a warm container spends on our code per event (bench/warm-cpu.ts). */
export const WARM_CPU_BUDGET_MS = 1;

export const DOLLARS_PER_1000_TURNS_BUDGET = 0.025;
/** Request fees per 1,000 campaign messages (issue 17), Twilio's fees excluded. */
export const DOLLARS_PER_1000_CAMPAIGN_MESSAGES_BUDGET = 0.015;
/** A pool's achieved rate over its configured rate, read on the simulator's clock. */
export const ACHIEVED_RATE_BOUNDS = { min: 0.95, max: 1.05 } as const;
export const withinAchievedRate = (ratio: number) =>
  ratio >= ACHIEVED_RATE_BOUNDS.min && ratio <= ACHIEVED_RATE_BOUNDS.max;
export const LOG_BYTES_PER_INVOCATION_BUDGET = 1024;
export const SECRETS_CALLS_PER_ENVIRONMENT_BUDGET = 1;

export const withinBundleBudget = (bytes: number) => bytes <= BUNDLE_BUDGET_BYTES;

/** False when either figure is missing or not a number: an unmeasured cold start meets no budget. */
export function withinColdStartBudget(functionCpuP50: number, baselineCpuP50: number): boolean {
  if (!Number.isFinite(functionCpuP50) || !Number.isFinite(baselineCpuP50) || baselineCpuP50 <= 0)
    return false;
  return functionCpuP50 <= baselineCpuP50 * COLD_START_VS_BASELINE_MAX;
}

/** A function with no warm figure (none measured for it) has nothing to miss. */
export const withinWarmCpuBudget = (cpuMsPerEvent: number | undefined) =>
  cpuMsPerEvent === undefined || cpuMsPerEvent <= WARM_CPU_BUDGET_MS;

export const mark = (ok: boolean) => (ok ? 'ok' : 'OVER');
