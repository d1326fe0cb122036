import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { percentile, round } from './stats';

// Wall time and this process's CPU time (user + system) of the import alone.
const PROBE = [
  'const cpu = process.cpuUsage(); const t = performance.now();',
  'await import(process.argv[1]);',
  'const used = process.cpuUsage(cpu);',
  'process.stdout.write(JSON.stringify({ wall: performance.now() - t, cpu: (used.user + used.system) / 1000 }));',
].join(' ');

export interface ImportFigures {
  /** Wall-clock ms: what a cold start waits, inflated when other work shares the machine. */
  readonly p50: number;
  readonly p95: number;
  /** CPU ms of the importing process: barely moved by other processes, so the budgets use it. */
  readonly cpuP50: number;
  readonly cpuP95: number;
  readonly runs: number;
}

/**
 * Time to import a bundle in a fresh Node process (what a cold start pays for module loading),
 * `runs` times; the environment is the function's own (as in Lambda: NODE_OPTIONS too, if a
 * function ever sets it), so module-load configuration checks pass.
 */
export function measureImport(
  bundle: string,
  environment: Record<string, string>,
  runs: number,
): ImportFigures {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < runs; run++) {
    const result = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', PROBE, pathToFileURL(bundle).href],
      {
        env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', ...environment },
        encoding: 'utf8',
      },
    );
    if (result.status !== 0) throw new Error(`importing ${bundle} failed: ${result.stderr}`);
    const sample = JSON.parse(result.stdout) as { wall: number; cpu: number };
    wall.push(sample.wall);
    cpu.push(sample.cpu);
  }
  return {
    p50: round(percentile(wall, 50)),
    p95: round(percentile(wall, 95)),
    cpuP50: round(percentile(cpu, 50)),
    cpuP95: round(percentile(cpu, 95)),
    runs,
  };
}
