import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type FunctionId, functions } from '../lib/topology';
import { parseWorkflow } from '../lambdas/domain/workflow/definition';
import { lintWorkflow } from '../lambdas/domain/workflow/lint';
import { bundleEntry, bundleFunctionsWithMetafile } from '../local/runtime/bundle';
import {
  BUNDLE_BUDGET_BYTES,
  COLD_START_VS_BASELINE_MAX,
  DOLLARS_PER_1000_CAMPAIGN_MESSAGES_BUDGET,
  DOLLARS_PER_1000_TURNS_BUDGET,
  withinAchievedRate,
  KB,
  LOG_BYTES_PER_INVOCATION_BUDGET,
  mark,
  SECRETS_CALLS_PER_ENVIRONMENT_BUDGET,
  withinBundleBudget,
  withinColdStartBudget,
  withinWarmCpuBudget,
} from './budgets';
import {
  type BaselineName,
  BASELINES,
  bundleBaseline,
  type ColdStartRun,
  measureColdStarts,
} from './cold-start';
import { importFigures } from './cold-start-plan';
import { startColdStartStage } from './cold-start-stage';
import { dollarsPerThousandTurns, requestsPerTurn, twilioFeesPerThousandTurns } from './cost';
import { measureImport } from './import-time';
import { findNode22, NODE22_INSTALL_HINT } from './node22';
import { seedDemoTenant } from '../local/seed';
import { startLocalStack } from '../local/stack';
import { burstMeetsBudget, measureBursts } from './pacing-burst';
import { measureCampaign } from './campaign';
import { measurePipeline } from './pipeline';
import { PRICES_CHECKED_ON, TWILIO_US_PRICES_USD } from './prices';
import { ratio, round } from './stats';
import { measureWarmCpu } from './warm-cpu';

/**
 * `npm run bench`: per handler of lib/topology.ts, its whole cold start (import plus its first
 * event's AWS calls, in fresh processes with its environment, against the local stand-ins) beside
 * a default `cdk init` + NodejsFunction baseline measured alternately in the same run, and what a
 * warm event costs; for the local pipeline, turns per second and what a turn asks of AWS, in
 * requests and dollars. Checks the budgets (bench/budgets.ts), prints a table and one JSON object,
 * exits non-zero when a budget is missed (`--no-check` only reports). Figures, never timed unit
 * tests. `--cold-runs N` (default 15) fresh processes per function and Node; `--node22 PATH` (see
 * bench/node22.ts) for the Lambda-runtime equivalent when the machine's Node is not 22.
 */
const IMPORT_RUNS = 20;
const WARM_EVENTS = 1000;
const BENCH_CUSTOMERS = 10;
const CAMPAIGN_RECIPIENTS = 150;
const numberFlag = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : Number.NaN;
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
/** Fresh processes per function (and per Node); the baselines run about half as often each. */
const COLD_START_RUNS = numberFlag('--cold-runs', 15);
/** The baselines run before every this many functions of a round (about twice a round). */
const BASELINE_EVERY = 4;

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
const baselineBundles = {} as Record<BaselineName, { path: string; bytes: number }>;
for (const name of Object.keys(BASELINES) as BaselineName[])
  baselineBundles[name] = await bundleBaseline(name, outDir);
const naiveImport = measureImport(naive.path, {}, IMPORT_RUNS);
const warm = await measureWarmCpu(WARM_EVENTS);

// Cold starts: the machine's Node, then Node 22 (Lambda's) when there is one besides it.
const machineNode = process.execPath;
const node22 = process.version.startsWith('v22.') ? undefined : findNode22(process.argv);
const stage = await startColdStartStage();
let cold: ColdStartRun;
let cold22: ColdStartRun | undefined;
try {
  const measure = (node: string) =>
    measureColdStarts({
      stage,
      bundles: Object.fromEntries(specs.map((spec) => [spec.id, bundles[spec.id].path])) as Record<
        FunctionId,
        string
      >,
      baselineBundles: Object.fromEntries(
        Object.entries(baselineBundles).map(([name, bundle]) => [name, bundle.path]),
      ) as Record<BaselineName, string>,
      node,
      rounds: COLD_START_RUNS,
      baselineEvery: BASELINE_EVERY,
    });
  cold = await measure(machineNode);
  cold22 = node22 ? await measure(node22) : undefined;
} finally {
  await stage.close();
}
/** The Lambda runtime's Node: this machine's when it is 22, else the Node 22 found, if any. */
const lambdaEquivalent = process.version.startsWith('v22.') ? cold : cold22;

const coldStartOf = (run: ColdStartRun, id: FunctionId) => {
  const figures = run.functions[id];
  const baseline = run.baselines['default-baseline'];
  return {
    ...figures,
    node: run.node,
    ratioToBaseline: ratio(figures.cpuP50, baseline.cpuP50),
    wallRatioToBaseline: ratio(figures.wallP50, baseline.wallP50),
    awsRequests: run.awsRequests[id],
  };
};

const handlers = specs.map((spec) => {
  const bundle = bundles[spec.id];
  const imported = importFigures(cold.samples[spec.id]);
  const cpu = spec.id in warm ? warm[spec.id as keyof typeof warm] : undefined;
  const coldStart = coldStartOf(cold, spec.id);
  const coldStartNode22 = cold22 ? coldStartOf(cold22, spec.id) : null;
  const checks = {
    bundle: withinBundleBudget(bundle.bytes),
    coldStartVsBaseline: withinColdStartBudget(coldStart.cpuP50, cold.baselines['default-baseline'].cpuP50),
    ...(cold22 && coldStartNode22
      ? {
          coldStartVsBaselineNode22: withinColdStartBudget(
            coldStartNode22.cpuP50,
            cold22.baselines['default-baseline'].cpuP50,
          ),
        }
      : {}),
    warmCpu: withinWarmCpuBudget(cpu?.cpuMsPerEvent),
  };
  return {
    handler: spec.id,
    bundleBytes: bundle.bytes,
    bundleBudgetBytes: BUNDLE_BUDGET_BYTES,
    /** The import alone, in the cold-start processes (the function's environment, fresh Node). */
    importMs: imported,
    importRatioToNaiveTwilio: ratio(imported.cpuP50, naiveImport.cpuP50),
    /** Import plus the first event, on this machine's Node. */
    coldStart,
    /** The same under Node 22 (Lambda's runtime), when this machine has one besides its own. */
    coldStartNode22,
    warm: cpu ?? null,
    checks,
  };
});

const baselineReport = (run: ColdStartRun, name: BaselineName) => ({
  ...run.baselines[name],
  node: run.node,
  awsRequests: run.awsRequests[name],
});
const defaultBaseline = {
  description:
    'cdk init + NodejsFunction defaults: SDK v3 external (from the runtime), twilio bundled, CommonJS, not minified; same first calls',
  entry: BASELINES['default-baseline'],
  bundleBytes: baselineBundles['default-baseline'].bytes,
  coldStart: baselineReport(cold, 'default-baseline'),
  coldStartNode22: cold22 ? baselineReport(cold22, 'default-baseline') : null,
};
const sdkExternalReference = {
  description: 'reported, not budgeted: the default baseline without twilio (the external SDK alone)',
  entry: BASELINES['sdk-external'],
  bundleBytes: baselineBundles['sdk-external'].bytes,
  coldStart: baselineReport(cold, 'sdk-external'),
  coldStartNode22: cold22 ? baselineReport(cold22, 'sdk-external') : null,
};

const pipeline = await measurePipeline({ customers: BENCH_CUSTOMERS });
const perTurn = requestsPerTurn(pipeline);
const dollars = dollarsPerThousandTurns(pipeline);
// Twilio's fees, MMS priced apart from SMS: beside the request fees, never in them.
const twilioFees = twilioFeesPerThousandTurns(pipeline.turns, pipeline.outbound);
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

const bursts = await measureBursts(async () => {
  const stack = await startLocalStack({ port: 0, twilioSimPort: 0, callbackDelayMs: 20 });
  await seedDemoTenant(stack);
  return stack;
});
const burstChecks = [...bursts.virtual, ...bursts.local].map(burstMeetsBudget);
const campaign = await measureCampaign({ recipients: CAMPAIGN_RECIPIENTS });
const campaignDollars = dollarsPerThousandTurns(campaign.cost);
const campaignChecks = {
  everyRecipientOnce:
    campaign.sent === campaign.recipients && campaign.distinctRecipients === campaign.recipients,
  completed: campaign.state === 'completed',
  // Each number at its own rate, and the pool at what its sticky assignment allows (a customer keeps
  // its number, so the most loaded number sets the length; bench/campaign.ts stickyBoundRatio).
  everyNumberAtItsRate: Object.values(campaign.byNumber).every((number) =>
    withinAchievedRate(number.achievedRatio),
  ),
  poolRate: withinAchievedRate(campaign.achievedRatio / campaign.stickyBoundRatio),
  dollarsPer1000Messages: campaignDollars.requestFeesTotal <= DOLLARS_PER_1000_CAMPAIGN_MESSAGES_BUDGET,
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
  defaultBaseline,
  sdkExternalReference,
  coldStartMethod: {
    what: 'fresh Node process per sample, the function environment; import of the bundle plus one first event (handler invoked with a realistic event, its AWS calls to local stand-ins); CPU = process.cpuUsage user+system',
    runsPerFunction: COLD_START_RUNS,
    baselineEvery: BASELINE_EVERY,
    budgetMaxRatioToBaseline: COLD_START_VS_BASELINE_MAX,
    nodes: [cold.node, ...(cold22 ? [cold22.node] : [])],
    lambdaRuntimeEquivalent: lambdaEquivalent ? lambdaEquivalent.node : null,
  },
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
    twilioFeesPer1000Turns: twilioFees,
    pricesCheckedOn: PRICES_CHECKED_ON,
    functions: pipeline.functions,
    checks: pipelineChecks,
  },
  exampleReplies: segments,
  pacingBursts: { ...bursts, checks: burstChecks },
  campaign: {
    recipients: campaign.recipients,
    poolSegmentsPerSecond: campaign.poolSegmentsPerSecond,
    achievedRatio: round(campaign.achievedRatio, 3),
    stickyBoundRatio: round(campaign.stickyBoundRatio, 3),
    byNumber: campaign.byNumber,
    writeUnitsPerMessageByKind: Object.fromEntries(
      Object.entries(campaign.cost.aws.dynamoDbWritesByKind).map(([kind, units]) => [
        kind,
        round(units / campaign.sent, 2),
      ]),
    ),
    state: campaign.state,
    seconds: round(campaign.cost.seconds, 1),
    perMessage: requestsPerTurn(campaign.cost),
    dollarsPer1000Messages: campaignDollars,
    checks: campaignChecks,
  },
  allBudgetsMet:
    Object.values(campaignChecks).every(Boolean) &&
    burstChecks.every(Boolean) &&
    handlers.every((handler) => Object.values(handler.checks).every(Boolean)) &&
    Object.values(pipelineChecks).every(Boolean) &&
    segments.share === 1,
  seconds: round((performance.now() - started) / 1000, 1),
};

const coldCell = (run: ColdStartRun | undefined, id: FunctionId) => {
  if (!run) return '-';
  const figures = coldStartOf(run, id);
  return `${figures.cpuP50}/${figures.wallP50} x${figures.ratioToBaseline}`;
};
console.log(
  'handler            bundle KB (budget)   import cpu p50  cold start cpu/wall p50 ms  x baseline  budget  Node 22 cpu/wall x base  warm cpu ms/event',
);
for (const handler of handlers) {
  const id = handler.handler as FunctionId;
  const coldOk = handler.checks.coldStartVsBaseline && handler.checks.coldStartVsBaselineNode22 !== false;
  console.log(
    [
      handler.handler.padEnd(18),
      `${(handler.bundleBytes / KB).toFixed(1)} (${BUNDLE_BUDGET_BYTES / KB}) ${mark(handler.checks.bundle)}`.padEnd(
        20,
      ),
      `${handler.importMs.cpuP50}`.padEnd(15),
      `${handler.coldStart.cpuP50}/${handler.coldStart.wallP50}`.padEnd(27),
      `${handler.coldStart.ratioToBaseline}`.padEnd(11),
      mark(coldOk).padEnd(7),
      (cold22 ? coldCell(cold22, id) : '-').padEnd(24),
      `${handler.warm?.cpuMsPerEvent ?? '-'} ${handler.warm ? mark(handler.checks.warmCpu) : ''}`,
    ].join(' '),
  );
}
for (const [label, report] of [
  ['default baseline', defaultBaseline],
  ['sdk external ref', sdkExternalReference],
] as const) {
  console.log(
    [
      label.padEnd(18),
      `${(report.bundleBytes / KB).toFixed(1)}`.padEnd(20),
      `${report.coldStart.importCpuP50}`.padEnd(15),
      `${report.coldStart.cpuP50}/${report.coldStart.wallP50}`.padEnd(27),
      (label === 'default baseline'
        ? '1'
        : `${ratio(report.coldStart.cpuP50, defaultBaseline.coldStart.cpuP50)}`
      ).padEnd(11),
      ''.padEnd(7),
      report.coldStartNode22 ? `${report.coldStartNode22.cpuP50}/${report.coldStartNode22.wallP50}` : '-',
    ].join(' '),
  );
}
console.log(
  `cold start         import + first event in fresh processes, medians of ${COLD_START_RUNS} (baselines ${defaultBaseline.coldStart.runs}) on ${cold.node}; ` +
    `budget cpu p50 <= ${COLD_START_VS_BASELINE_MAX}x the default baseline in the same run; ` +
    (lambdaEquivalent
      ? `Lambda-runtime equivalent (Node 22): ${lambdaEquivalent.node}`
      : `no Node 22 here for the Lambda-runtime equivalent (${NODE22_INSTALL_HINT}, or --node22 PATH)`),
);
console.log(
  `first-event AWS    ${Object.entries(cold.awsRequests)
    .map(
      ([id, requests]) =>
        `${id} ${
          Object.entries(requests)
            .map(([op, n]) => `${op.replace(/^[a-zA-Z]+\./, '')}x${n}`)
            .join('+') || 'none'
        }`,
    )
    .join('; ')}`,
);
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
  `twilio fees/1k     not in the request fees, US list prices: SMS $${twilioFees.sms} (${twilioFees.smsSegments} segments ` +
    `x $${TWILIO_US_PRICES_USD.smsOutboundPerSegment}), MMS $${twilioFees.mms} (${twilioFees.mmsMessages} messages ` +
    `x $${TWILIO_US_PRICES_USD.mmsOutboundPerMessage}), total $${twilioFees.total}`,
);
console.log(
  `logs bytes/invoc.  ${JSON.stringify(logBytesPerInvocation)} ${mark(pipelineChecks.logBytesPerInvocation)}; ` +
    `(application lines / EMF: ${Object.entries(logBytesPerInvocationSplit)
      .map(([id, split]) => `${id} ${split.applicationLines}/${split.emfRecords}`)
      .join(', ')}); ` +
    `Secrets calls per environment ${round(pipeline.secretsCallsPerEnvironment, 2)} ${mark(pipelineChecks.secretsCallsPerEnvironment)}; ` +
    `example replies in one segment ${segments.oneSegment}/${segments.replies}`,
);
for (const [where, figures] of [
  ['virtual clock', bursts.virtual],
  ['local stack', bursts.local],
] as const) {
  for (const burst of figures)
    console.log(
      `pacing burst       ${where}: ${burst.sends} sends at ${burst.segmentsPerSecond}/s: ${burst.sent} sent ` +
        `(${burst.distinct} distinct), ${burst.deadLettered} dead-lettered, ${round(burst.achievedRatio * 100, 1)}% of the rate, ` +
        `${round(burst.seconds, 1)} s ${mark(burstMeetsBudget(burst))}`,
    );
}
console.log(
  `campaign           ${campaign.recipients} recipients on a pool of ${Object.keys(campaign.byNumber).length} numbers at ` +
    `${campaign.poolSegmentsPerSecond} segments/s: ${campaign.sent} sent (${campaign.distinctRecipients} distinct), ` +
    `${round(campaign.achievedRatio * 100, 1)}% of the pool's rate, ` +
    `${round((campaign.achievedRatio / campaign.stickyBoundRatio) * 100, 1)}% of the ${round(campaign.stickyBoundRatio * 100, 1)}% ` +
    `its sticky assignment allows ${mark(campaignChecks.poolRate)} ` +
    `(${Object.entries(campaign.byNumber)
      .map(
        ([number, figures]) =>
          `${number.slice(-4)}: ${figures.messages} at ${round(figures.achievedRatio * 100, 1)}%`,
      )
      .join(
        ', ',
      )} ${mark(campaignChecks.everyNumberAtItsRate)}); ${campaign.state}; request fees $${campaignDollars.requestFeesTotal} per 1,000 campaign messages ` +
    `(budget ${DOLLARS_PER_1000_CAMPAIGN_MESSAGES_BUDGET}) ${mark(campaignChecks.dollarsPer1000Messages)}`,
);
console.log(
  `campaign writes    WRU per message by request and item kind: ${Object.entries(
    result.campaign.writeUnitsPerMessageByKind,
  )
    .filter(([, units]) => units >= 0.1)
    .map(([kind, units]) => `${units} ${kind.replace(/(\+Put\(CAMPAIGN\/[A-Z]+\))+/, '+Put(...)')}`)
    .join('; ')}`,
);
console.log(JSON.stringify(result));
if (!process.argv.includes('--no-check') && !result.allBudgetsMet) process.exitCode = 1;
