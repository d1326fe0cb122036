import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type FunctionId, functionEnvironment, functions } from '../lib/topology';
import { parseWorkflow } from '../lambdas/domain/workflow/definition';
import { lintWorkflow } from '../lambdas/domain/workflow/lint';
import { bundleEntry, bundleFunctionsWithMetafile } from '../local/runtime/bundle';
import { readFile } from 'node:fs/promises';
import { measureImport } from './import-time';
import { round } from './stats';
import { measureWarmCpu } from './warm-cpu';

/**
 * `npm run bench`: what a cold start loads and what a warm event costs, per handler, against the
 * budgets of the performance issue. Prints a table and one JSON object; `--check` exits non-zero
 * when a budget is missed. Figures, never timed unit tests.
 */
const IMPORT_RUNS = 20;
const WARM_EVENTS = 1000;
const KB = 1000;

const BUNDLE_BUDGET_BYTES: Record<FunctionId, number> = {
  ingest: 150 * KB,
  sender: 150 * KB,
  status: 150 * KB,
  conversation: 300 * KB,
  reconcile: 300 * KB,
};
const IMPORT_P50_BUDGET_MS = 40;
const WARM_CPU_BUDGET_MS = 1;

const dummyValues = {
  tableName: 'bench-table',
  tenantSecretPrefix: 'bench',
  publicBaseUrl: 'https://example.execute-api.us-east-1.amazonaws.com/prod',
  twilioApiBaseUrl: 'https://api.twilio.com',
  metricsNamespace: 'SmsConversations',
  logLevel: 'INFO',
  stage: 'bench',
  queueUrls: {
    inbound: 'https://sqs.us-east-1.amazonaws.com/000000000000/inbound.fifo',
    outbound: 'https://sqs.us-east-1.amazonaws.com/000000000000/outbound.fifo',
    status: 'https://sqs.us-east-1.amazonaws.com/000000000000/status',
  },
};

async function oneSegmentShare() {
  const dir = 'examples/workflows';
  let replies = 0;
  let single = 0;
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.json'))) {
    const parsed = parseWorkflow(JSON.parse(await readFile(path.join(dir, file), 'utf8')));
    if (!parsed.ok) continue;
    for (const reply of lintWorkflow(parsed.workflow).replies) {
      replies++;
      if (reply.segments === 1) single++;
    }
  }
  return { replies, oneSegment: single, share: round(single / Math.max(1, replies), 4) };
}

const started = performance.now();
const outDir = path.resolve('.local/bench');
const { bundles } = await bundleFunctionsWithMetafile(Object.values(functions), outDir);
const naive = await bundleEntry('bench/naive-twilio-handler.ts', path.join(outDir, 'naive-twilio.mjs'));
const naiveImport = measureImport(naive.path, {}, IMPORT_RUNS);
const warm = await measureWarmCpu(WARM_EVENTS);

const handlers = Object.values(functions).map((spec) => {
  const bundle = bundles[spec.id];
  const imported = measureImport(bundle.path, functionEnvironment(spec, dummyValues), IMPORT_RUNS);
  const cpu = spec.id in warm ? warm[spec.id as keyof typeof warm] : undefined;
  const checks = {
    bundle: bundle.bytes <= BUNDLE_BUDGET_BYTES[spec.id],
    importP50: imported.p50 <= IMPORT_P50_BUDGET_MS,
    importVsNaive: imported.p50 <= naiveImport.p50 / 3,
    warmCpu: cpu === undefined || cpu.cpuMsPerEvent <= WARM_CPU_BUDGET_MS,
  };
  return {
    handler: spec.id,
    bundleBytes: bundle.bytes,
    bundleBudgetBytes: BUNDLE_BUDGET_BYTES[spec.id],
    importMs: imported,
    importRatioToNaiveTwilio: round(imported.p50 / naiveImport.p50, 3),
    warm: cpu ?? null,
    checks,
  };
});

const segments = await oneSegmentShare();
const result = {
  date: new Date().toISOString(),
  machine: { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown' },
  naiveTwilioBaseline: { bundleBytes: naive.bytes, importMs: naiveImport },
  handlers,
  exampleReplies: segments,
  notMeasuredYet: [
    'local pipeline turns per second',
    'AWS requests and dollars per 1,000 turns',
    'log bytes per invocation',
  ],
  allBudgetsMet:
    handlers.every((handler) => Object.values(handler.checks).every(Boolean)) && segments.share === 1,
  seconds: round((performance.now() - started) / 1000, 1),
};

const mark = (ok: boolean) => (ok ? 'ok' : 'OVER');
console.log('handler       bundle KB (budget)   import p50/p95 ms  x naive  warm p50 ms  cpu ms/event');
for (const handler of handlers) {
  console.log(
    [
      handler.handler.padEnd(13),
      `${(handler.bundleBytes / KB).toFixed(1)} (${handler.bundleBudgetBytes / KB}) ${mark(handler.checks.bundle)}`.padEnd(
        21,
      ),
      `${handler.importMs.p50}/${handler.importMs.p95} ${mark(handler.checks.importP50)}`.padEnd(19),
      `${handler.importRatioToNaiveTwilio}`.padEnd(8),
      `${handler.warm?.p50Ms ?? '-'}`.padEnd(12),
      `${handler.warm?.cpuMsPerEvent ?? '-'} ${handler.warm ? mark(handler.checks.warmCpu) : ''}`,
    ].join(' '),
  );
}
console.log(
  `naive twilio  ${(naive.bytes / KB).toFixed(1)} KB, import p50 ${naiveImport.p50} ms; example replies in one segment: ${segments.oneSegment}/${segments.replies}`,
);
console.log(JSON.stringify(result));
if (process.argv.includes('--check') && !result.allBudgetsMet) process.exitCode = 1;
