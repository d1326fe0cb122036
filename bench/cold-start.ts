import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { type FunctionId, functions } from '../lib/topology';
import { type BundleOutput, REPO_ROOT } from '../local/runtime/bundle';
import {
  type ColdStartFigures,
  type PlanStep,
  type ProbeSample,
  roundPlan,
  summarizeColdStarts,
} from './cold-start-plan';
import { CHAIN, type ColdStartStage, type FirstEvent } from './cold-start-stage';

/**
 * The whole cold start, not the import: for each function, in fresh Node processes with the
 * function's environment, the import of its bundle plus its first event (bench/cold-start-stage.ts:
 * a realistic event, whose AWS calls go to the local stand-ins), and the same for the default
 * baseline (bench/default-baseline-handler.ts), alternately in one run so drift falls on both.
 */
const PROBE = fileURLToPath(new URL('./cold-start-probe.mjs', import.meta.url));
const PROBE_TIMEOUT_MS = 30_000;
const BASELINE_MEMORY_MB = 512;

/** The handler the budget compares against, and a reference reported beside it. */
export const BASELINES = {
  'default-baseline': 'bench/default-baseline-handler.ts',
  'sdk-external': 'bench/sdk-external-handler.ts',
} as const;
export type BaselineName = keyof typeof BASELINES;
const BASELINE_NAMES = Object.keys(BASELINES) as BaselineName[];

/**
 * Builds a baseline as a `cdk init` NodejsFunction would (its defaults on Node 22: CommonJS, target
 * node22, `@aws-sdk/*` external, no minification, no source map), next to the repository's
 * node_modules, where the external SDK resolves as the runtime's would.
 */
export async function bundleBaseline(name: BaselineName, outDir: string): Promise<BundleOutput> {
  const outPath = path.resolve(REPO_ROOT, outDir, `${name}.cjs`);
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [path.join(REPO_ROOT, BASELINES[name])],
    outfile: outPath,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['@aws-sdk/*'],
    minify: false,
    sourcemap: false,
    metafile: true,
    logLevel: 'warning',
  });
  return { path: outPath, bytes: result.metafile.outputs[path.relative(REPO_ROOT, outPath)]?.bytes ?? 0 };
}

export function nodeVersion(node: string): string {
  const result = spawnSync(node, ['--version'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${node} --version failed: ${result.stderr}`);
  return result.stdout.trim();
}

const majorOf = (version: string) => Number(/^v(\d+)/.exec(version)?.[1] ?? 0);

/** What Lambda's runtime sets for every function (as local/runtime/local-function.ts does). */
function runtimeEnvironment(name: string, memoryMb: number, bundle: string, nodeMajor: number) {
  return {
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: path.dirname(bundle),
    _HANDLER: `${path.basename(bundle).replace(/\.[cm]?js$/, '')}.handler`,
    _X_AMZN_TRACE_ID: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`,
    // Lambda runs Node 22; on an older Node the SDK's upgrade notice is noise (as locally).
    ...(nodeMajor < 22 ? { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } : {}),
  };
}

interface ProbeTarget {
  readonly name: string;
  readonly bundle: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly environment: Readonly<Record<string, string>>;
}

interface ProbeOutput extends ProbeSample {
  readonly result: unknown;
  readonly error?: string;
}

async function runProbe(
  node: string,
  nodeMajor: number,
  target: ProbeTarget,
  event: unknown,
  scratch: string,
): Promise<ProbeOutput> {
  const inputFile = path.join(scratch, `${target.name}-${randomUUID()}.json`);
  await writeFile(
    inputFile,
    JSON.stringify({
      bundleUrl: pathToFileURL(target.bundle).href,
      event,
      context: {
        functionName: target.name,
        memoryLimitInMB: target.memoryMb,
        timeoutMs: target.timeoutSeconds * 1000,
        requestId: randomUUID(),
      },
    }),
  );
  const env = {
    PATH: process.env.PATH ?? '',
    ...runtimeEnvironment(target.name, target.memoryMb, target.bundle, nodeMajor),
    ...target.environment,
  };
  const child = spawn(node, [PROBE, inputFile], { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const report: Buffer[] = [];
  let stderr = '';
  // The function's log lines: read (as Lambda's runtime reads them) and dropped.
  child.stdout?.resume();
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => report.push(chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  await rm(inputFile, { force: true });
  const text = Buffer.concat(report).toString();
  if (code !== 0 || text === '')
    throw new Error(`bench: the cold-start probe of ${target.name} exited ${code}: ${stderr}`);
  const output = JSON.parse(text) as ProbeOutput;
  if (output.error) throw new Error(`bench: ${target.name}'s first event failed: ${output.error}\n${stderr}`);
  return output;
}

export interface ColdStartOptions {
  readonly stage: ColdStartStage;
  readonly bundles: Readonly<Record<FunctionId, string>>;
  readonly baselineBundles: Readonly<Record<BaselineName, string>>;
  /** A Node binary to run the probes with (the machine's, or Node 22 when there is one). */
  readonly node: string;
  /** Measured rounds (each function once per round); one more unmeasured round warms the stand-ins. */
  readonly rounds: number;
  /** The baselines run before every this many functions (bench/cold-start-plan.ts roundPlan). */
  readonly baselineEvery: number;
}

export interface ColdStartRun {
  readonly node: string;
  readonly baselines: Record<BaselineName, ColdStartFigures>;
  readonly functions: Record<FunctionId, ColdStartFigures>;
  /** Per fresh process: the import alone and import plus first event, for the import figures. */
  readonly samples: Record<FunctionId, ProbeSample[]>;
  /** The AWS requests each first event made (last round), e.g. `{"secretsManager.GetSecretValue":1}`. */
  readonly awsRequests: Record<FunctionId | BaselineName, Record<string, number>>;
}

export async function measureColdStarts(options: ColdStartOptions): Promise<ColdStartRun> {
  const unplanned = Object.keys(functions).filter((id) => !CHAIN.includes(id as FunctionId));
  if (unplanned.length > 0)
    throw new Error(`bench: no first event for ${unplanned.join(', ')} (bench/cold-start-stage.ts CHAIN)`);
  const version = nodeVersion(options.node);
  const nodeMajor = majorOf(version);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'bench-cold-start-'));
  const targets = Object.fromEntries(
    CHAIN.map((id) => [
      id,
      {
        name: id,
        bundle: options.bundles[id],
        memoryMb: functions[id].memorySizeMb,
        timeoutSeconds: functions[id].timeoutSeconds,
        environment: options.stage.environments[id],
      },
    ]),
  ) as Record<FunctionId, ProbeTarget>;
  const baselineTargets: ProbeTarget[] = BASELINE_NAMES.map((name) => ({
    name,
    bundle: options.baselineBundles[name],
    memoryMb: BASELINE_MEMORY_MB,
    timeoutSeconds: 30,
    environment: options.stage.baselineEnvironment,
  }));
  const samples = Object.fromEntries(CHAIN.map((id) => [id, [] as ProbeSample[]])) as Record<
    FunctionId,
    ProbeSample[]
  >;
  const baselineSamples = Object.fromEntries(
    BASELINE_NAMES.map((name) => [name, [] as ProbeSample[]]),
  ) as Record<BaselineName, ProbeSample[]>;
  const awsRequests = {} as ColdStartRun['awsRequests'];
  try {
    for (let round = 0; round <= options.rounds; round++) {
      const measured = round > 0;
      options.stage.startRound();
      for (const step of roundPlan<FunctionId>(
        CHAIN,
        options.baselineEvery,
        round,
      ) as PlanStep<FunctionId>[]) {
        // At a baseline step every baseline runs, the first of them turning with the rounds.
        const runs: [ProbeTarget, FirstEvent][] =
          step.kind === 'baseline'
            ? baselineTargets
                .map((_, index) => baselineTargets[(index + round) % baselineTargets.length] as ProbeTarget)
                .map((target) => [target, options.stage.baselineEvent()])
            : [[targets[step.id], await options.stage.firstEvent(step.id)]];
        for (const [target, first] of runs) {
          options.stage.takeAwsRequests();
          const output = await runProbe(options.node, nodeMajor, target, first.event, scratch);
          const problem = first.check(output.result);
          if (problem) throw new Error(`bench: ${target.name}'s first event ${problem}`);
          await first.after?.();
          awsRequests[target.name as FunctionId | BaselineName] = options.stage.takeAwsRequests();
          if (!measured) continue;
          const sample: ProbeSample = {
            importWallMs: output.importWallMs,
            importCpuMs: output.importCpuMs,
            totalWallMs: output.totalWallMs,
            totalCpuMs: output.totalCpuMs,
          };
          if (step.kind === 'baseline') baselineSamples[target.name as BaselineName].push(sample);
          else samples[step.id].push(sample);
        }
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return {
    node: version,
    baselines: Object.fromEntries(
      BASELINE_NAMES.map((name) => [name, summarizeColdStarts(baselineSamples[name])]),
    ) as Record<BaselineName, ColdStartFigures>,
    functions: Object.fromEntries(CHAIN.map((id) => [id, summarizeColdStarts(samples[id])])) as Record<
      FunctionId,
      ColdStartFigures
    >,
    samples,
    awsRequests,
  };
}
