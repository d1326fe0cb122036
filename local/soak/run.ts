import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { METRICS } from '../../lib/metric-catalog';
import type { FunctionId, QueueId } from '../../lib/topology';
import { randomCrashes } from '../runtime/crash-policy';
import { DEMO_TENANT, loadWorkflowFile, seedDemoTenant } from '../seed';
import { startLocalStack } from '../stack';
import type { FaultSettings } from '../twilio-sim';
import { audit, type MetricCheck } from './audit';
import { deadLetterCounts, drainDeadLetters, redriveAll } from './dead-letters';
import type { SoakOptions } from './options';
import { PhoneWatch } from './phone-watch';
import { streamFor } from './prng';
import { waitForQuiescence } from './quiescence';
import { injectStaleRedrives, lateMessagesMishandled } from './stale-redrives';
import { withSoakReminders } from './reminders';
import { driveTraffic } from './traffic';

/** The one JSON line a soak prints; the first fields are the verdict. */
export interface SoakSummary {
  readonly turns: number;
  readonly lost: number;
  readonly duplicateSends: number;
  /** Reminders sent, and those sent twice for one silence and index (counted in duplicateSends too). */
  readonly reminders: number;
  readonly duplicateReminders: number;
  readonly metricsMismatch: number;
  /** Not a mismatch: metric values a retry printed again after a kill between a metric and its closing write. */
  readonly metricsRepeatedAfterKill: number;
  /** Messages in the DLQs once the pipeline was quiet, before the redrive. */
  readonly dlq: number;
  readonly ok: boolean;
  readonly seed: number;
  readonly faultRate: number;
  readonly crashRate: number;
  readonly customers: number;
  readonly durationS: number;
  /** Customer messages per second while the traffic ran. */
  readonly turnsPerSecond: number;
  readonly accepted: number;
  readonly notAccepted: number;
  readonly webhookRetries: number;
  readonly replyTimeouts: number;
  readonly replies: number;
  readonly delivered: number;
  readonly undelivered: number;
  readonly failed: number;
  readonly blockedByOptOut: number;
  readonly inboundDuplicates: number;
  readonly crashes: number;
  readonly crashesByFunction: Readonly<Record<string, number>>;
  /** Invocations that ran out of time (Sandbox.Timedout), per function: crashes too, not injected. */
  readonly timeoutsByFunction: Readonly<Record<string, number>>;
  readonly faultsInjected: Readonly<Record<string, number>>;
  /** Sends put back on the queue because their number was at its rate (each one a receive). */
  readonly pacingDeferrals: number;
  /** Messages in each DLQ before the redrive. */
  readonly dlqByQueue: Readonly<Record<string, number>>;
  readonly redriven: number;
  readonly dlqAfterRedrive: number;
  readonly lostReplies: number;
  readonly duplicateTurns: number;
  readonly storeStatusMismatch: number;
  /** DynamoDB requests refused for leaving a function's item prefixes (IAM dynamodb:LeadingKeys). */
  readonly leadingKeyRefusals: number;
  /** False if the pipeline was still busy when the time limit came. */
  readonly quiescent: boolean;
  readonly metrics: Readonly<Record<string, MetricCheck>>;
  /**
   * Fault "redriven after many turns" (local/soak/stale-redrives.ts): applied messages put back
   * through the DLQ after later turns, never-applied older ones, and how many of those were
   * applied or answered anyway (must be 0).
   */
  readonly staleRedrives: { readonly replayed: number; readonly late: number; readonly mishandled: number };
  readonly examples?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Every Twilio fault the simulator has, each at the run's fault rate (500s at half of it: they
 * are rarer than throttling on the real API). Slow answers take 1.5 s, after the work is done.
 */
export function soakFaults(faultRate: number): Partial<FaultSettings> {
  return {
    api429: faultRate,
    api500: faultRate / 2,
    apiSlowMs: 1_500,
    apiSlowRate: faultRate,
    duplicateCallbacks: faultRate,
    duplicateInbound: faultRate,
    reorderCallbacks: faultRate,
    undelivered: faultRate,
    undeliveredErrorCode: 30007,
  };
}

/** Crash moments are drawn over the first 250 ms of an invocation: most finish within it. */
const CRASH_WINDOW_MS = 250;
/** Time kept back from the traffic for the pipeline to drain, redrive and be audited. */
const DRAIN_RESERVE_S = 120;

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/**
 * The soak measures the pipeline, not a long code's carrier limit (one segment a second): its
 * number is configured at a short code's rate. Sends are still paced, at this rate.
 */
const SOAK_SEGMENTS_PER_SECOND = 30;

/** Starts a fresh local stack, runs the soak against it, audits, stops the stack. */
export async function runSoak(
  options: SoakOptions,
  progress: (message: string) => void = () => undefined,
): Promise<SoakSummary> {
  const started = Date.now();
  const deadline = started + options.timeLimitSeconds * 1_000;
  const stack = await startLocalStack({
    port: 0,
    twilioSimPort: 0,
    simulatorRandom: streamFor(options.seed, 'simulator'),
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    crashes: (functionId: FunctionId) =>
      options.crashRate > 0
        ? randomCrashes({
            rate: options.crashRate,
            maxDelayMs: CRASH_WINDOW_MS,
            random: streamFor(options.seed, `crashes:${functionId}`),
          })
        : undefined,
    // The functions' logs stay out of the summary; their EMF records are still collected.
    onLog: () => undefined,
  });
  const phone = new PhoneWatch(stack.simulator);
  try {
    await seedDemoTenant(stack);
    // The demo workflow, reminding (local/soak/reminders.ts).
    const workflow = withSoakReminders(await loadWorkflowFile(DEMO_TENANT.workflowFile));
    await new DynamoTenantAdmin(stack.clients.dynamo, stack.tableName).putWorkflow(
      DEMO_TENANT.tenantId,
      workflow,
    );
    await new DynamoTenantAdmin(stack.clients.dynamo, stack.tableName).putNumber({
      tenantId: DEMO_TENANT.tenantId,
      number: DEMO_TENANT.number,
      workflowId: workflow.id,
      allowInboundStart: true,
      segmentsPerSecond: SOAK_SEGMENTS_PER_SECOND,
    });
    stack.simulator.setFaults(soakFaults(options.faultRate));
    progress(`stack ready in ${round((Date.now() - started) / 1_000)} s; texting`);

    const trafficStarted = Date.now();
    const traffic = await driveTraffic({
      simulatorUrl: stack.twilioSimUrl,
      tenantId: DEMO_TENANT.tenantId,
      businessNumber: DEMO_TENANT.number,
      turns: options.turns,
      customers: options.customers,
      replyTimeoutMs: options.replyTimeoutMs,
      seed: options.seed,
      phone,
      deadline: Math.max(
        trafficStarted + (deadline - trafficStarted) / 2,
        deadline - DRAIN_RESERVE_S * 1_000,
      ),
    });
    const trafficSeconds = (Date.now() - trafficStarted) / 1_000;
    progress(`${traffic.turns} turns in ${round(trafficSeconds)} s; waiting for the pipeline to drain`);

    const queues = Object.values(stack.queues);
    const quiet = () =>
      waitForQuiescence({ sqs: stack.clients.sqs, queues, simulator: stack.simulator, deadline });
    let quiescent = await quiet();
    const stale = await injectStaleRedrives({
      stack,
      tenantId: DEMO_TENANT.tenantId,
      accountSid: DEMO_TENANT.accountSid,
      customers: traffic.customerNumbers,
      count: Math.max(1, Math.round(options.customers * options.faultRate)),
      random: streamFor(options.seed, 'stale-redrives'),
    });
    const before = await deadLetterCounts(stack);
    const dlq = Object.values(before).reduce((total, count) => total + count, 0);
    // The platform's promise: every failure ends in a DLQ with a way back. Take it, once.
    const redriven = dlq > 0 ? await redriveAll(stack, dlq) : 0;
    progress(`quiet: ${quiescent}; ${dlq} in DLQs, ${redriven} redriven`);
    if (redriven > 0) quiescent = await quiet();
    const after = await deadLetterCounts(stack);
    const dlqAfterRedrive = Object.values(after).reduce((total, count) => total + count, 0);

    const deadLetters = {} as Record<QueueId, unknown[]>;
    for (const queue of queues)
      deadLetters[queue.spec.id] = await drainDeadLetters(stack.clients.sqs, queue.dlqUrl);
    progress('auditing');
    const lateMishandled = await lateMessagesMishandled(stack, DEMO_TENANT.tenantId, stale);
    const report = await audit({
      stack,
      tenantId: DEMO_TENANT.tenantId,
      customers: new Set(traffic.customerNumbers),
      deadLetters,
    });

    const crashesByFunction = Object.fromEntries(
      Object.values(stack.functions).map((fn) => [fn.name, fn.stats().injectedCrashes]),
    );
    const requests = stack.simulator.apiRequests();
    const ok =
      traffic.turns === options.turns &&
      quiescent &&
      report.lost === 0 &&
      report.lostReplies === 0 &&
      report.duplicateTurns === 0 &&
      report.duplicateSends === 0 &&
      report.storeStatusMismatch === 0 &&
      report.metricsMismatch === 0 &&
      lateMishandled.length === 0 &&
      stack.leadingKeyRefusals().length === 0;
    const examples = {
      ...report.examples,
      ...(lateMishandled.length > 0 ? { lateMishandled: lateMishandled.slice(0, 5) } : {}),
    };
    const problems = Object.keys(examples).length > 0;
    return {
      turns: traffic.turns,
      lost: report.lost,
      duplicateSends: report.duplicateSends,
      reminders: report.reminders,
      duplicateReminders: report.duplicateReminders,
      metricsMismatch: report.metricsMismatch,
      metricsRepeatedAfterKill: report.metricsRepeatedAfterKill,
      dlq,
      ok,
      seed: options.seed,
      faultRate: options.faultRate,
      crashRate: options.crashRate,
      customers: options.customers,
      durationS: round((Date.now() - started) / 1_000),
      turnsPerSecond: round(traffic.turns / Math.max(trafficSeconds, 0.001), 2),
      accepted: report.accepted,
      notAccepted: traffic.notAccepted,
      webhookRetries: traffic.webhookRetries,
      replyTimeouts: traffic.replyTimeouts,
      replies: report.replies,
      delivered: report.delivered,
      undelivered: report.undelivered,
      failed: report.failed,
      blockedByOptOut: report.blockedByOptOut,
      inboundDuplicates: report.inboundDuplicates,
      crashes: Object.values(crashesByFunction).reduce((total, count) => total + count, 0),
      crashesByFunction,
      timeoutsByFunction: Object.fromEntries(
        Object.values(stack.functions).map((fn) => [fn.name, fn.stats().timeouts]),
      ),
      pacingDeferrals: stack.metrics.sum(METRICS.sendsDeferredByPacing, { TenantId: DEMO_TENANT.tenantId }),
      dlqByQueue: before,
      faultsInjected: {
        api429: requests.filter((request) => request.fault === 'api429').length,
        api500: requests.filter((request) => request.fault === 'api500').length,
        apiSlow: requests.filter((request) => request.slowedMs > 0).length,
      },
      redriven,
      dlqAfterRedrive,
      lostReplies: report.lostReplies,
      duplicateTurns: report.duplicateTurns,
      storeStatusMismatch: report.storeStatusMismatch,
      leadingKeyRefusals: stack.leadingKeyRefusals().length,
      quiescent,
      metrics: report.metrics,
      staleRedrives: {
        replayed: stale.replayed.length,
        late: stale.late.length,
        mishandled: lateMishandled.length,
      },
      ...(problems ? { examples } : {}),
    };
  } finally {
    phone.close();
    const stopping = Date.now();
    await stack.stop();
    progress(`stack stopped in ${round((Date.now() - stopping) / 1_000)} s`);
  }
}
