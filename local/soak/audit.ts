import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { METRICS } from '../../lib/metric-catalog';
import type { QueueId } from '../../lib/topology';
import type { LocalStack } from '../stack';
import { transcriptView } from '../../lambdas/adapters/dynamodb/transcript-view';
import { auditReminders } from './reminders';

/**
 * Ground truth against the platform's records, once the pipeline is quiet. Ground truth is what
 * the Twilio simulator saw: the incoming webhooks the platform accepted and the messages created
 * through its API, with their final statuses. The platform's records are the DynamoDB table
 * (transcripts, whose reply entries hold the sends, and messages), the dead-letter queues and the EMF metrics the functions printed.
 *
 * - lost: customer messages the platform accepted (a webhook answered 200) that are neither an
 *   inbound transcript entry nor in the inbound DLQ.
 * - lostReplies: replies the platform decided to send (on the turn's inbound entry, or outbound
 *   transcript entries) that are still `pending` (never sent, never failed) and not in the outbound DLQ.
 * - duplicateTurns: customer messages recorded more than once (a retried webhook turned twice).
 * - duplicateSends: messages Twilio created for a customer whose SID no transcript entry records.
 *   The sender records the one SID of each send on its transcript entry, so a second Twilio message
 *   for a send (a retry that sent again) has no entry; one SID on two entries counts too.
 * - storeStatusMismatch: recorded messages whose status (the message item's, which transcripts
 *   show) differs from the final status the simulator reported.
 * - metricsMismatch: the sum over the delivery metrics of |EMF total - ground truth|:
 *   MessagesSent (sender) vs messages Twilio created that the store records; MessagesDelivered
 *   and MessagesUndelivered (status) vs those of them the simulator finished delivered /
 *   undelivered; MessagesFailed (sender) vs sends the store records failed by a Twilio error;
 *   SendsBlockedByOptOut (sender) vs sends the store records refused because of an opt-out.
 *   A metric is printed before the write that closes it, so a kill (crash or timeout) between the
 *   two has the retry print it again: an excess up to what killed invocations printed is that
 *   window (reported as `repeatedAfterKill`), not a mismatch; any shortfall is.
 */
export interface AuditInput {
  readonly stack: LocalStack;
  readonly tenantId: string;
  readonly customers: ReadonlySet<string>;
  /** The bodies of the messages left in each DLQ at the end. */
  readonly deadLetters: Readonly<Record<QueueId, readonly unknown[]>>;
}

export interface MetricCheck {
  readonly emitted: number;
  readonly truth: number;
  /** Of `emitted`, what invocations printed before they were killed: the most a retry repeats. */
  readonly printedBeforeKill: number;
}

/** How far a metric is off: any shortfall, and any excess that killed invocations do not explain. */
export function metricMismatch(check: MetricCheck): number {
  if (check.emitted < check.truth) return check.truth - check.emitted;
  return Math.max(0, check.emitted - check.truth - check.printedBeforeKill);
}

export interface AuditReport {
  readonly accepted: number;
  readonly lost: number;
  readonly lostReplies: number;
  readonly duplicateTurns: number;
  readonly duplicateSends: number;
  /** Reminders sent (a route's `reminders`: local/soak/reminders.ts), each (silence, index) counted once. */
  readonly reminders: number;
  /** Reminders sent twice for one silence and index (also counted in duplicateSends). */
  readonly duplicateReminders: number;
  readonly storeStatusMismatch: number;
  readonly metricsMismatch: number;
  /** Metric values printed twice because a kill fell between a metric line and its closing write. */
  readonly metricsRepeatedAfterKill: number;
  readonly metrics: Readonly<Record<string, MetricCheck>>;
  /** Messages Twilio created for the soak's customers. */
  readonly replies: number;
  readonly delivered: number;
  readonly undelivered: number;
  readonly failed: number;
  readonly blockedByOptOut: number;
  /** Incoming webhooks the phone posted twice (fault duplicateInbound). */
  readonly inboundDuplicates: number;
  /** A few examples of each problem, to start a diagnosis from. */
  readonly examples: Readonly<Record<string, readonly string[]>>;
}

type Item = Record<string, unknown>;

const OPT_OUT_REASON = 'recipient opted out';
const EXAMPLES = 5;

async function scanTable(stack: LocalStack): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await stack.clients.dynamo.send(
      new ScanCommand({ TableName: stack.tableName, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    items.push(...((page.Items ?? []) as Item[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

function field(value: unknown, ...path: string[]): string | undefined {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' ? current : undefined;
}

export async function audit(input: AuditInput): Promise<AuditReport> {
  const { stack, tenantId, customers } = input;
  const examples: Record<string, string[]> = {};
  const note = (problem: string, example: string) => {
    const list = (examples[problem] ??= []);
    if (list.length < EXAMPLES) list.push(example);
  };

  // Ground truth: what the simulator saw.
  const webhooks = stack.simulator
    .inboundWebhooks()
    .filter((webhook) => webhook.tenantId === tenantId && customers.has(webhook.params.From ?? ''));
  const accepted = new Set(
    webhooks.filter((webhook) => webhook.responseStatus === 200).map((webhook) => webhook.messageSid),
  );
  const twilioMessages = stack.simulator.messages().filter((message) => customers.has(message.resource.to));

  // The platform's records.
  const items = await scanTable(stack);
  const conversationPrefix = `CONV#${tenantId}#`;
  const messageMeta = new Map(
    items
      .filter((item) => String(item.pk).startsWith('MESSAGE#') && item.sk === 'META')
      .map((item) => [String(item.pk).slice('MESSAGE#'.length), item]),
  );
  const transcript = transcriptView(
    items.filter(
      (item) => String(item.pk).startsWith(conversationPrefix) && String(item.sk).startsWith('MSG#'),
    ),
    messageMeta,
  );
  const inboundEntries = transcript.filter((item) => item.direction === 'inbound');
  const outboundEntries = transcript.filter(
    (item) => item.direction === 'outbound' && customers.has(String(item.to)),
  );
  const inboundDeadLetters = new Set(
    input.deadLetters.inbound.map((body) => field(body, 'message', 'messageSid')).filter(Boolean),
  );
  const outboundDeadLetters = new Set(
    input.deadLetters.outbound.map((body) => field(body, 'sendId')).filter(Boolean),
  );

  const recordedTurns = new Map<string, number>();
  for (const entry of inboundEntries) {
    const sid = String(entry.messageSid);
    recordedTurns.set(sid, (recordedTurns.get(sid) ?? 0) + 1);
  }
  let lost = 0;
  for (const sid of accepted) {
    if (recordedTurns.has(sid) || inboundDeadLetters.has(sid)) continue;
    lost++;
    note('lost', sid);
  }
  let duplicateTurns = 0;
  for (const [sid, count] of recordedTurns) {
    if (count <= 1) continue;
    duplicateTurns += count - 1;
    note('duplicateTurns', sid);
  }

  let lostReplies = 0;
  const entryBySid = new Map<string, Item>();
  let duplicateSends = 0;
  for (const entry of outboundEntries) {
    if (entry.status === 'pending' && !outboundDeadLetters.has(String(entry.sendId))) {
      lostReplies++;
      note('lostReplies', String(entry.sendId));
    }
    if (typeof entry.sid !== 'string') continue;
    if (entryBySid.has(entry.sid)) {
      duplicateSends++;
      note('duplicateSends', `${entry.sid} recorded twice`);
    }
    entryBySid.set(entry.sid, entry);
  }

  // A reminder committed twice for one silence and index would be two entries, each sent once.
  const reminders = auditReminders(outboundEntries);
  duplicateSends += reminders.duplicates;
  for (const example of reminders.examples) note('duplicateReminders', example);

  let storeStatusMismatch = 0;
  const truth = { sent: 0, delivered: 0, undelivered: 0 };
  for (const message of twilioMessages) {
    const entry = entryBySid.get(message.sid);
    if (!entry) {
      duplicateSends++;
      note(
        'duplicateSends',
        `${message.sid} to ${message.resource.to}: ${message.resource.body.slice(0, 40)}`,
      );
      continue;
    }
    truth.sent++;
    const final = message.resource.status;
    if (final === 'delivered') truth.delivered++;
    if (final === 'undelivered') truth.undelivered++;
    if (entry.status !== final) {
      storeStatusMismatch++;
      note('storeStatusMismatch', `${message.sid}: twilio ${final}, store ${String(entry.status)}`);
    }
  }

  const failedSends = outboundEntries.filter((entry) => entry.sendState === 'failed');
  const blockedByOptOut = failedSends.filter((send) => send.reason === OPT_OUT_REASON).length;
  const failed = failedSends.length - blockedByOptOut;
  const check = (name: string, truthValue: number): MetricCheck => ({
    emitted: stack.metrics.sum(name, { TenantId: tenantId }),
    truth: truthValue,
    printedBeforeKill: stack.metrics.sumPrintedBeforeKill(name, { TenantId: tenantId }),
  });
  const metrics: Record<string, MetricCheck> = {
    [METRICS.messagesSent]: check(METRICS.messagesSent, truth.sent),
    [METRICS.messagesDelivered]: check(METRICS.messagesDelivered, truth.delivered),
    [METRICS.messagesUndelivered]: check(METRICS.messagesUndelivered, truth.undelivered),
    [METRICS.messagesFailed]: check(METRICS.messagesFailed, failed),
    [METRICS.sendsBlockedByOptOut]: check(METRICS.sendsBlockedByOptOut, blockedByOptOut),
  };
  const metricsMismatch = Object.values(metrics).reduce((total, one) => total + metricMismatch(one), 0);
  const metricsRepeatedAfterKill = Object.values(metrics).reduce(
    (total, one) => total + Math.min(Math.max(0, one.emitted - one.truth), one.printedBeforeKill),
    0,
  );

  return {
    accepted: accepted.size,
    lost,
    lostReplies,
    duplicateTurns,
    duplicateSends,
    storeStatusMismatch,
    metricsMismatch,
    metricsRepeatedAfterKill,
    metrics,
    replies: twilioMessages.length,
    delivered: truth.delivered,
    undelivered: truth.undelivered,
    failed,
    blockedByOptOut,
    inboundDuplicates: webhooks.filter((webhook) => webhook.delivery === 'duplicate').length,
    reminders: reminders.sent,
    duplicateReminders: reminders.duplicates,
    examples,
  };
}
