import {
  DIMENSIONS,
  METRIC_SERVICE,
  METRICS,
  SENDER_NUMBER_DIMENSION_SET,
  TENANT_DIMENSION_SET,
} from '../../lib/metric-catalog';
import { hasSameNames, type MetricDatum } from '../emf';
import type { DeliveryPeriod, NumberDelivery, TenantDelivery } from './api-types';

/**
 * The console's delivery figures, computed from the EMF records the functions printed, the same
 * records CloudWatch turns into the dashboard's metrics, and read the way the dashboard reads them:
 * only records with exactly the dimension sets its SEARCH expressions name, summed per period,
 * delivery rate = delivered / (delivered + undelivered + failed), no data point without outcomes.
 */
export interface DeliveryReportOptions {
  /** Epoch ms. */
  readonly now: number;
  readonly periodSeconds: number;
  /** How far back the periods go. Totals count every record. */
  readonly windowSeconds: number;
}

export interface DeliveryReport {
  readonly windowStart: number;
  readonly metricValues: number;
  readonly tenants: readonly TenantDelivery[];
}

const MIN_PERIODS_SHOWN = 6;
const ERROR_CODE_DIMENSIONS = ['service', DIMENSIONS.tenant, DIMENSIONS.errorCode];

const OUTCOMES = {
  [METRICS.messagesDelivered]: 'delivered',
  [METRICS.messagesUndelivered]: 'undelivered',
  [METRICS.messagesFailed]: 'failed',
} as const;
type Outcome = (typeof OUTCOMES)[keyof typeof OUTCOMES];

function outcomeOf(metricName: string): Outcome | undefined {
  return (OUTCOMES as Readonly<Record<string, Outcome>>)[metricName];
}

/** The dashboard's SEARCH matches one dimension set exactly, and service="sms-conversations". */
function hasExactly(datum: MetricDatum, names: readonly string[]): boolean {
  return (
    datum.dimensionSets.some((set) => hasSameNames(set, names)) &&
    names.every((name) => datum.dimensions[name] !== undefined) &&
    datum.dimensions.service === METRIC_SERVICE
  );
}

export function deliveryRate(counts: { delivered: number; undelivered: number; failed: number }) {
  const outcomes = counts.delivered + counts.undelivered + counts.failed;
  return outcomes > 0 ? counts.delivered / outcomes : null;
}

interface Counts {
  sent: number;
  delivered: number;
  undelivered: number;
  failed: number;
}

interface TenantTally extends Counts {
  periods: Map<number, { delivered: number; undelivered: number; failed: number }>;
  errorCodes: Map<string, number>;
  /** By sender number, from the {service, TenantId, SenderNumber} set the per-number graphs search. */
  numbers: Map<string, Counts>;
}

function emptyTally(): TenantTally {
  return {
    sent: 0,
    delivered: 0,
    undelivered: 0,
    failed: 0,
    periods: new Map(),
    errorCodes: new Map(),
    numbers: new Map(),
  };
}

function isDeliveryCount(name: string): boolean {
  return name === METRICS.messagesSent || outcomeOf(name) !== undefined;
}

/** Adds a delivery count (MessagesSent or an outcome) to a tally. */
function addCount(tally: Counts, datum: MetricDatum): void {
  const outcome = outcomeOf(datum.name);
  if (outcome) tally[outcome] += datum.value;
  else tally.sent += datum.value;
}

function byNumber(numbers: Map<string, Counts>): NumberDelivery[] {
  return [...numbers.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([number, counts]) => ({ number, ...counts, rate: deliveryRate(counts) }));
}

export function deliveryReport(data: readonly MetricDatum[], options: DeliveryReportOptions): DeliveryReport {
  const periodMs = options.periodSeconds * 1000;
  // Periods start at multiples of the period, as CloudWatch aligns them.
  const align = (time: number) => Math.floor(time / periodMs) * periodMs;
  const lastStart = align(options.now);
  const firstOutcome = data.reduce(
    (first, datum) => (outcomeOf(datum.name) !== undefined ? Math.min(first, datum.timestamp) : first),
    Number.POSITIVE_INFINITY,
  );
  // A young stack's chart starts a few periods before its first outcome, not at an empty window's edge.
  const windowStart = Math.max(
    align(options.now - options.windowSeconds * 1000),
    Math.min(align(firstOutcome), lastStart - MIN_PERIODS_SHOWN * periodMs),
  );
  const tallies = new Map<string, TenantTally>();
  const tallyOf = (tenantId: string) => {
    let tally = tallies.get(tenantId);
    if (!tally) {
      tally = emptyTally();
      tallies.set(tenantId, tally);
    }
    return tally;
  };
  let metricValues = 0;

  for (const datum of data) {
    const tenantId = datum.dimensions[DIMENSIONS.tenant];
    if (tenantId === undefined) continue;
    if (datum.name === METRICS.deliveryErrors && hasExactly(datum, ERROR_CODE_DIMENSIONS)) {
      const code = datum.dimensions[DIMENSIONS.errorCode] ?? 'unknown';
      const codes = tallyOf(tenantId).errorCodes;
      codes.set(code, (codes.get(code) ?? 0) + datum.value);
      metricValues += 1;
      continue;
    }
    if (!isDeliveryCount(datum.name)) continue;
    const senderNumber = datum.dimensions[DIMENSIONS.senderNumber];
    if (senderNumber !== undefined && hasExactly(datum, SENDER_NUMBER_DIMENSION_SET)) {
      // The same record usually carries the tenant's set too: counted for both, as CloudWatch does.
      const numbers = tallyOf(tenantId).numbers;
      const counts = numbers.get(senderNumber) ?? { sent: 0, delivered: 0, undelivered: 0, failed: 0 };
      addCount(counts, datum);
      numbers.set(senderNumber, counts);
    }
    if (!hasExactly(datum, TENANT_DIMENSION_SET)) continue;
    const tally = tallyOf(tenantId);
    addCount(tally, datum);
    metricValues += 1;
    const outcome = outcomeOf(datum.name);
    if (!outcome || datum.timestamp < windowStart) continue;
    const start = Math.floor(datum.timestamp / periodMs) * periodMs;
    const period = tally.periods.get(start) ?? { delivered: 0, undelivered: 0, failed: 0 };
    period[outcome] += datum.value;
    tally.periods.set(start, period);
  }

  const tenants = [...tallies.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([tenantId, tally]): TenantDelivery => {
      const periods: DeliveryPeriod[] = [];
      for (let start = windowStart; start <= lastStart; start += periodMs) {
        const counts = tally.periods.get(start) ?? { delivered: 0, undelivered: 0, failed: 0 };
        periods.push({ start, ...counts, rate: deliveryRate(counts) });
      }
      return {
        tenantId,
        sent: tally.sent,
        delivered: tally.delivered,
        undelivered: tally.undelivered,
        failed: tally.failed,
        rate: deliveryRate(tally),
        periods,
        numbers: byNumber(tally.numbers),
        errorCodes: [...tally.errorCodes.entries()]
          .map(([code, count]) => ({ code, count }))
          .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
      };
    });
  return { windowStart, metricValues, tenants };
}
