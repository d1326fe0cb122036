import { p50p95 } from './stats';

/**
 * The pure half of the cold-start measurement (bench/cold-start.ts): in what order the fresh
 * processes run, and what their samples come to.
 */
export type PlanStep<F extends string> =
  { readonly kind: 'baseline' } | { readonly kind: 'function'; readonly id: F };

/**
 * One round: every function once, in `chain` order (a function's first event may be the previous
 * one's output), with the default baseline before every `baselineEvery` functions and at the end
 * of the rounds where it would fall there. The offset turns with `round`, so over the rounds the
 * baseline runs next to every function and machine drift falls on both sides alike.
 */
export function roundPlan<F extends string>(
  chain: readonly F[],
  baselineEvery: number,
  round: number,
): PlanStep<F>[] {
  const every = Math.max(1, Math.floor(baselineEvery));
  const offset = ((round % every) + every) % every;
  const steps: PlanStep<F>[] = [];
  chain.forEach((id, index) => {
    if ((index - offset) % every === 0 && index >= offset) steps.push({ kind: 'baseline' });
    steps.push({ kind: 'function', id });
  });
  if (offset > 0 || chain.length === 0) steps.push({ kind: 'baseline' });
  return steps;
}

/** What one fresh process measured: the import alone, and the import plus the first event. */
export interface ProbeSample {
  readonly importWallMs: number;
  readonly importCpuMs: number;
  readonly totalWallMs: number;
  readonly totalCpuMs: number;
}

export interface ColdStartFigures {
  /** Import plus the first event: CPU ms of the process (user + system), barely moved by other load. */
  readonly cpuP50: number;
  readonly cpuP95: number;
  /** Import plus the first event, wall-clock ms: what the first caller waits (the stand-ins' latency included). */
  readonly wallP50: number;
  readonly wallP95: number;
  /** The import alone, in the same processes. */
  readonly importCpuP50: number;
  readonly importWallP50: number;
  /** The first event alone (its AWS calls and whatever they load the first time), per process. */
  readonly firstEventCpuP50: number;
  readonly firstEventWallP50: number;
  readonly runs: number;
}

export function summarizeColdStarts(samples: readonly ProbeSample[]): ColdStartFigures {
  const cpu = p50p95(samples.map((sample) => sample.totalCpuMs));
  const wall = p50p95(samples.map((sample) => sample.totalWallMs));
  return {
    cpuP50: cpu.p50,
    cpuP95: cpu.p95,
    wallP50: wall.p50,
    wallP95: wall.p95,
    importCpuP50: p50p95(samples.map((sample) => sample.importCpuMs)).p50,
    importWallP50: p50p95(samples.map((sample) => sample.importWallMs)).p50,
    firstEventCpuP50: p50p95(samples.map((sample) => sample.totalCpuMs - sample.importCpuMs)).p50,
    firstEventWallP50: p50p95(samples.map((sample) => sample.totalWallMs - sample.importWallMs)).p50,
    runs: samples.length,
  };
}

/**
 * The import figures bench/import-time.ts reports (p50/p95 wall, p50/p95 CPU), from the same
 * processes: the JSON line's `importMs` keeps its shape.
 */
export function importFigures(samples: readonly ProbeSample[]) {
  const wall = p50p95(samples.map((sample) => sample.importWallMs));
  const cpu = p50p95(samples.map((sample) => sample.importCpuMs));
  return { p50: wall.p50, p95: wall.p95, cpuP50: cpu.p50, cpuP95: cpu.p95, runs: samples.length };
}
