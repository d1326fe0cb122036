import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { percentile, round } from './stats';

const PROBE = `const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));`;

/**
 * Time to import a bundle in a fresh Node process (what a cold start pays for module loading),
 * `runs` times; the environment is the function's own, so module-load configuration checks pass.
 */
export function measureImport(bundle: string, environment: Record<string, string>, runs: number) {
  const samples: number[] = [];
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
    samples.push(Number(result.stdout));
  }
  return { p50: round(percentile(samples, 50)), p95: round(percentile(samples, 95)), runs };
}
