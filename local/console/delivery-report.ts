import { DIMENSIONS, METRIC_SERVICE, METRICS } from '../../lib/metric-catalog';
import type { MetricDatum } from '../emf';
import type { DeliveryPeriod, TenantDelivery } from './api-types';

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
const TENANT_DIMENSIONS = ['service', DIMENSIONS.tenant];
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
  const own = Object.keys(datum.dimensions);
  return (
    own.length === names.length &&
    names.every((name) => datum.dimensions[name] !== undefined) &&
    datum.dimensions.service === METRIC_SERVICE
  );
}

export function deliveryRate(counts: { delivered: number; undelivered: number; failed: number }) {
  const outcomes = counts.delivered + counts.undelivered + counts.failed;
  return outcomes > 0 ? counts.delivered / outcomes : null;
}

interface TenantTally {
  sent: number;
  delivered: number;
  undelivered: number;
  failed: number;
  periods: Map<number, { delivered: number; undelivered: number; failed: number }>;
  errorCodes: Map<string, number>;
}

function emptyTally(): TenantTally {
  return { sent: 0, delivered: 0, undelivered: 0, failed: 0, periods: new Map(), errorCodes: new Map() };
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
    if (!hasExactly(datum, TENANT_DIMENSIONS)) continue;
    if (datum.name === METRICS.messagesSent) {
      tallyOf(tenantId).sent += datum.value;
      metricValues += 1;
      continue;
    }
    const outcome = outcomeOf(datum.name);
    if (!outcome) continue;
    metricValues += 1;
    const tally = tallyOf(tenantId);
    tally[outcome] += datum.value;
    if (datum.timestamp < windowStart) continue;
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
        errorCodes: [...tally.errorCodes.entries()]
          .map(([code, count]) => ({ code, count }))
          .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
      };
    });
  return { windowStart, metricValues, tenants };
}
