// Maps stack traces of the bundle this module is part of (see the module); first, like a polyfill.
import './mapped-stacks';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { LeanLogFormatter } from './lean-log-formatter';
import { DIMENSIONS, METRIC_SERVICE, METRICS } from './metric-catalog';

export { MetricUnit };

/** One of Powertools' metric units (MetricUnit.Count, ...). */
export type MetricUnitValue = (typeof MetricUnit)[keyof typeof MetricUnit];

/** JSON logs; the service name comes from POWERTOOLS_SERVICE_NAME (the function's id). */
export const logger = new Logger({ logFormatter: new LeanLogFormatter() });

/** One Metrics instance per container; the namespace comes from POWERTOOLS_METRICS_NAMESPACE. */
export const metrics = new Metrics({ serviceName: METRIC_SERVICE });

/**
 * Emits one metric for one tenant right away. A batch carries several tenants, so each metric
 * is its own EMF record with exactly the dimension set the dashboard searches for.
 */
export function emitTenantMetric(tenantId: string, name: string, unit: MetricUnitValue, value = 1): void {
  const single = metrics.singleMetric();
  single.addDimension(DIMENSIONS.tenant, tenantId);
  single.addMetric(name, unit, value);
}

/** Undelivered/failed messages by Twilio error code (30007 = carrier filtering, ...), per tenant. */
export function emitErrorCodeMetric(tenantId: string, errorCode: string | number): void {
  const single = metrics.singleMetric();
  single.addDimension(DIMENSIONS.tenant, tenantId);
  single.addDimension(DIMENSIONS.errorCode, String(errorCode));
  single.addMetric(METRICS.deliveryErrors, MetricUnit.Count, 1);
}

/** Where tenant metrics go: each as its own EMF record right away, or gathered for a batch. */
export interface TenantMetricSink {
  add(tenantId: string, name: string, unit: MetricUnitValue, value?: number): void;
  addErrorCode(tenantId: string, errorCode: string | number): void;
}

export const immediateTenantMetrics: TenantMetricSink = {
  add: emitTenantMetric,
  addErrorCode: emitErrorCodeMetric,
};

const MAX_VALUES_PER_RECORD = 99;
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

interface GatheredMetric {
  readonly unit: MetricUnitValue;
  readonly values: number[];
}

/**
 * One batch's tenant metrics, published together: one EMF record per dimension set, counts
 * summed and other values (latencies) kept as EMF value lists, so a batch of callbacks prints a
 * record or two instead of two per message (the log budget is per invocation).
 */
export class BatchedTenantMetrics implements TenantMetricSink {
  private readonly sets = new Map<
    string,
    { dimensions: Record<string, string>; metrics: Map<string, GatheredMetric> }
  >();

  add(tenantId: string, name: string, unit: MetricUnitValue, value = 1): void {
    this.gather({ [DIMENSIONS.tenant]: tenantId }, name, unit, value);
  }

  addErrorCode(tenantId: string, errorCode: string | number): void {
    this.gather(
      { [DIMENSIONS.tenant]: tenantId, [DIMENSIONS.errorCode]: String(errorCode) },
      METRICS.deliveryErrors,
      MetricUnit.Count,
      1,
    );
  }

  /** Prints the gathered records and forgets them. */
  publish(): void {
    for (const { dimensions, metrics: gathered } of this.sets.values()) {
      const longest = Math.max(0, ...[...gathered.values()].map((metric) => metric.values.length));
      // Powertools publishes on its own at 100 values of a metric (EMF's limit): publish before.
      for (let offset = 0; offset === 0 || offset < longest; offset += MAX_VALUES_PER_RECORD) {
        metrics.addDimensions(dimensions);
        for (const [name, metric] of gathered) {
          if (metric.unit === MetricUnit.Count) {
            if (offset === 0) metrics.addMetric(name, metric.unit, sum(metric.values));
          } else {
            for (const value of metric.values.slice(offset, offset + MAX_VALUES_PER_RECORD)) {
              metrics.addMetric(name, metric.unit, value);
            }
          }
        }
        metrics.publishStoredMetrics();
      }
    }
    this.sets.clear();
  }

  private gather(
    dimensions: Record<string, string>,
    name: string,
    unit: MetricUnitValue,
    value: number,
  ): void {
    const key = JSON.stringify(dimensions);
    const set = this.sets.get(key) ?? { dimensions, metrics: new Map<string, GatheredMetric>() };
    this.sets.set(key, set);
    const metric = set.metrics.get(name) ?? { unit, values: [] };
    set.metrics.set(name, metric);
    metric.values.push(value);
  }
}
