import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  type EnvironmentValues,
  type FunctionId,
  functionEnvironment,
  functions,
  queues,
} from '../lib/topology';
import { parseWorkflow } from '../lambdas/domain/workflow/definition';
import { lintWorkflow } from '../lambdas/domain/workflow/lint';
import { bundleEntry, bundleFunctionsWithMetafile } from '../local/runtime/bundle';
import { dollarsPerThousandTurns, requestsPerTurn } from './cost';
import { measureImport } from './import-time';
import { measurePipeline } from './pipeline';
import { PRICES_CHECKED_ON } from './prices';
import { round } from './stats';
import { measureWarmCpu } from './warm-cpu';

/**
 * `npm run bench`: per handler of lib/topology.ts (new functions are picked up), what a cold start
 * loads and what a warm event costs; for the local pipeline, turns per second and what a turn asks
 * of AWS, in requests and dollars. Checks the budgets of the performance issue, prints a table and
 * one JSON object, exits non-zero when a budget is missed (`--no-check` only reports). Figures,
 * never timed unit tests.
 */
const IMPORT_RUNS = 20;
const WARM_EVENTS = 1000;
const KB = 1000;

/**
 * Handlers that carry the workflow engine (conversation; conversations-api, which starts workflows)
 * may be 500 KB: the engine reads customers' answers with kept libraries rather than home-made
 * parsers (chrono-node 49 KB, libphonenumber-js with its smallest metadata 146 KB, the RE2 port
 * re2js 151 KB). Every other handler 150 KB. The cold start those bytes cost is held to the import
 * budget below, which is the one customers feel.
 */
const ENGINE_CARRIERS: ReadonlySet<FunctionId> = new Set(['conversation', 'conversations-api']);
const bundleBudgetBytes = (id: FunctionId) => (ENGINE_CARRIERS.has(id) ? 500 : 150) * KB;
const IMPORT_P50_BUDGET_MS = 40;
const IMPORT_VS_NAIVE_MAX = 1 / 3;
const WARM_CPU_BUDGET_MS = 1;
const DOLLARS_PER_1000_TURNS_BUDGET = 0.025;
const LOG_BYTES_PER_INVOCATION_BUDGET = 1024;
const SECRETS_CALLS_PER_ENVIRONMENT_BUDGET = 1;
const BENCH_CUSTOMERS = 10;

const queueUrl = (name: string) => `https://sqs.us-east-1.amazonaws.com/000000000000/${name}`;
const queueIds = Object.keys(queues) as (keyof typeof queues)[];
/** Deployment values for the import probe: any well-formed ones do, the handlers only read them. */
const dummyValues: EnvironmentValues = {
  tableName: 'bench-table',
  tenantSecretPrefix: 'bench',
  publicBaseUrl: 'https://example.execute-api.us-east-1.amazonaws.com/prod',
  twilioApiBaseUrl: 'https://api.twilio.com',
  metricsNamespace: 'SmsConversations',
  logLevel: 'INFO',
  stage: 'bench',
  queueUrls: Object.fromEntries(
    queueIds.map((id) => [id, queueUrl(queues[id].localName)]),
  ) as EnvironmentValues['queueUrls'],
  dlqUrls: Object.fromEntries(
    queueIds.map((id) => [id, queueUrl(queues[id].localName.replace(/(\.fifo)?$/, '-dlq$1'))]),
  ) as EnvironmentValues['dlqUrls'],
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
const specs = Object.values(functions);
const { bundles } = await bundleFunctionsWithMetafile(specs, outDir);
const naive = await bundleEntry('bench/naive-twilio-handler.ts', path.join(outDir, 'naive-twilio.mjs'));
const naiveImport = measureImport(naive.path, {}, IMPORT_RUNS);
const warm = await measureWarmCpu(WARM_EVENTS);

const handlers = specs.map((spec) => {
  const bundle = bundles[spec.id];
  const environment = functionEnvironment(spec, dummyValues);
  const imported = measureImport(bundle.path, environment, IMPORT_RUNS);
  const cpu = spec.id in warm ? warm[spec.id as keyof typeof warm] : undefined;
  const checks = {
    bundle: bundle.bytes <= bundleBudgetBytes(spec.id),
    importP50: imported.cpuP50 <= IMPORT_P50_BUDGET_MS,
    importVsNaive: imported.cpuP50 <= naiveImport.cpuP50 * IMPORT_VS_NAIVE_MAX,
    warmCpu: cpu === undefined || cpu.cpuMsPerEvent <= WARM_CPU_BUDGET_MS,
  };
  return {
    handler: spec.id,
    bundleBytes: bundle.bytes,
    bundleBudgetBytes: bundleBudgetBytes(spec.id),
    importMs: imported,
    importRatioToNaiveTwilio: round(imported.cpuP50 / naiveImport.cpuP50, 3),
    warm: cpu ?? null,
    checks,
  };
});

const pipeline = await measurePipeline({ customers: BENCH_CUSTOMERS });
const perTurn = requestsPerTurn(pipeline);
const dollars = dollarsPerThousandTurns(pipeline);
const logBytesPerInvocation = Object.fromEntries(
  Object.entries(pipeline.functions)
    .filter(([, fn]) => fn.invocations > 0)
    .map(([id, fn]) => [id, round(fn.logBytes / fn.invocations, 0)]),
);
/**
 * The budget is on the total: EMF records are metrics, but CloudWatch Logs ingests and bills them
 * like any line. Reported apart so a change to either is visible.
 */
const logBytesPerInvocationSplit = Object.fromEntries(
  Object.entries(pipeline.functions)
    .filter(([, fn]) => fn.invocations > 0)
    .map(([id, fn]) => [
      id,
      {
        applicationLines: round((fn.logBytes - fn.emfBytes) / fn.invocations, 0),
        emfRecords: round(fn.emfBytes / fn.invocations, 0),
      },
    ]),
);
const pipelineChecks = {
  dollarsPer1000Turns: dollars.requestFeesTotal <= DOLLARS_PER_1000_TURNS_BUDGET,
  logBytesPerInvocation: Object.values(logBytesPerInvocation).every(
    (bytes) => bytes <= LOG_BYTES_PER_INVOCATION_BUDGET,
  ),
  secretsCallsPerEnvironment: pipeline.secretsCallsPerEnvironment <= SECRETS_CALLS_PER_ENVIRONMENT_BUDGET,
  everyReplyDelivered: pipeline.delivered === pipeline.turns,
  noFunctionErrors: Object.values(pipeline.functions).every((fn) => fn.errors === 0),
};

const segments = await oneSegmentShare();
const result = {
  date: new Date().toISOString(),
  machine: {
    node: process.version,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    loadAverage1m: round(os.loadavg()[0] ?? 0, 2),
  },
  naiveTwilioBaseline: { bundleBytes: naive.bytes, importMs: naiveImport },
  handlers,
  pipeline: {
    turns: pipeline.turns,
    customers: pipeline.customers,
    seconds: round(pipeline.seconds, 2),
    turnsPerSecond: round(pipeline.turnsPerSecond, 2),
    perTurn,
    eventSourceSqs: pipeline.eventSourceSqs,
    failedRequests: pipeline.aws.failed,
    logBytesPerInvocation,
    logBytesPerInvocationSplit,
    secretsCallsPerEnvironment: round(pipeline.secretsCallsPerEnvironment, 3),
    dollarsPer1000Turns: dollars,
    pricesCheckedOn: PRICES_CHECKED_ON,
    functions: pipeline.functions,
    checks: pipelineChecks,
  },
  exampleReplies: segments,
  allBudgetsMet:
    handlers.every((handler) => Object.values(handler.checks).every(Boolean)) &&
    Object.values(pipelineChecks).every(Boolean) &&
    segments.share === 1,
  seconds: round((performance.now() - started) / 1000, 1),
};

const mark = (ok: boolean) => (ok ? 'ok' : 'OVER');
console.log(
  'handler            bundle KB (budget)   import cpu p50 ms  wall p50/p95 ms   x naive  warm cpu ms/event',
);
for (const handler of handlers) {
  console.log(
    [
      handler.handler.padEnd(18),
      `${(handler.bundleBytes / KB).toFixed(1)} (${handler.bundleBudgetBytes / KB}) ${mark(handler.checks.bundle)}`.padEnd(
        21,
      ),
      `${handler.importMs.cpuP50} ${mark(handler.checks.importP50 && handler.checks.importVsNaive)}`.padEnd(
        18,
      ),
      `${handler.importMs.p50}/${handler.importMs.p95}`.padEnd(17),
      `${handler.importRatioToNaiveTwilio}`.padEnd(8),
      `${handler.warm?.cpuMsPerEvent ?? '-'} ${handler.warm ? mark(handler.checks.warmCpu) : ''}`,
    ].join(' '),
  );
}
console.log(
  `naive twilio       ${(naive.bytes / KB).toFixed(1)} KB, import cpu p50 ${naiveImport.cpuP50} ms (wall ${naiveImport.p50} ms)`,
);
console.log(
  `pipeline           ${pipeline.turns} turns in ${round(pipeline.seconds, 1)} s: ${round(pipeline.turnsPerSecond, 2)} turns/s; ` +
    `request fees $${dollars.requestFeesTotal} per 1,000 turns (budget ${DOLLARS_PER_1000_TURNS_BUDGET}) ` +
    `${mark(pipelineChecks.dollarsPer1000Turns)}; with duration, logs, X-Ray $${dollars.total}`,
);
console.log(
  `per turn           API ${perTurn.apiGatewayRequests}, Lambda ${JSON.stringify(perTurn.lambdaInvocations)}, ` +
    `SQS ${JSON.stringify(perTurn.sqsRequests)}, DynamoDB ${JSON.stringify(perTurn.dynamoDbRequests)} ` +
    `(${perTurn.dynamoDbReadUnits} RRU, ${perTurn.dynamoDbWriteUnits} WRU), Secrets ${perTurn.secretsManagerCalls}`,
);
console.log(
  `dollars/1k turns   ${Object.entries({ ...dollars.requestFees, ...dollars.other })
    .map(([service, value]) => `${service} ${value}`)
    .join(', ')}`,
);
console.log(
  `logs bytes/invoc.  ${JSON.stringify(logBytesPerInvocation)} ${mark(pipelineChecks.logBytesPerInvocation)}; ` +
    `(application lines / EMF: ${Object.entries(logBytesPerInvocationSplit)
      .map(([id, split]) => `${id} ${split.applicationLines}/${split.emfRecords}`)
      .join(', ')}); ` +
    `Secrets calls per environment ${round(pipeline.secretsCallsPerEnvironment, 2)} ${mark(pipelineChecks.secretsCallsPerEnvironment)}; ` +
    `example replies in one segment ${segments.oneSegment}/${segments.replies}`,
);
console.log(JSON.stringify(result));
if (!process.argv.includes('--no-check') && !result.allBudgetsMet) process.exitCode = 1;
