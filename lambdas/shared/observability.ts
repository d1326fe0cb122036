import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { LeanLogFormatter } from './lean-log-formatter';
import { DIMENSIONS, METRIC_SERVICE, METRICS } from '../../lib/metric-catalog';

export { MetricUnit };

/** One of Powertools' metric units (MetricUnit.Count, ...). */
export type MetricUnitValue = (typeof MetricUnit)[keyof typeof MetricUnit];

/** JSON logs; the service name comes from POWERTOOLS_SERVICE_NAME (the function's id). */
export const logger = new Logger({ logFormatter: new LeanLogFormatter() });

/** One Metrics instance per container; the namespace comes from POWERTOOLS_METRICS_NAMESPACE. */
export const metrics = new Metrics({ serviceName: METRIC_SERVICE });

/**
 * X-Ray through Powertools Tracer, configured by the environment (lib/topology.ts): on in AWS (the
 * functions have active tracing), off in the local stack (no X-Ray daemon, no trace header).
 * Every AWS SDK client is captured (lambdas/shared/clients.ts), each handler by the
 * `captureLambdaHandler` middleware; outgoing HTTPS is not captured globally (the URLs of Twilio
 * and of tenants' webhooks carry phone numbers and tokens): {@link traceRemoteCall} instead.
 */
export const tracer = new Tracer();

/** What a remote call's subsegment records: no query string, no body, no credentials. */
export interface RemoteCallTrace {
  /** The subsegment's name, the remote service as X-Ray's service map shows it (e.g. `api.twilio.com`). */
  readonly name: string;
  readonly method: string;
  /** The URL without its query, path parameters that identify people left out by the caller. */
  readonly url: string;
}

/**
 * Runs one call to a remote (non-AWS) service in its own X-Ray subsegment of the current
 * invocation: its duration, the HTTP status `call` reports through `status`, and a fault (5xx,
 * network) or error (4xx) flag; never the error's message. A plain call when tracing is off or
 * outside an invocation. The subsegment is not made the current one, so that calls made
 * concurrently (records of a batch) each get their own under the handler's.
 */
export async function traceRemoteCall<T>(
  trace: RemoteCallTrace,
  call: (status: (httpStatus: number) => void) => Promise<T>,
): Promise<T> {
  const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (!parent) return call(() => undefined);
  const subsegment = parent.addNewSubsegment(trace.name);
  subsegment.namespace = 'remote';
  let httpStatus: number | undefined;
  try {
    return await call((status) => (httpStatus = status));
  } catch (error) {
    if (httpStatus === undefined || httpStatus >= 500) subsegment.addFaultFlag();
    else if (httpStatus === 429) subsegment.addThrottleFlag();
    else subsegment.addErrorFlag();
    throw error;
  } finally {
    subsegment.addAttribute('http', {
      request: { method: trace.method, url: trace.url },
      ...(httpStatus === undefined ? {} : { response: { status: httpStatus } }),
    });
    subsegment.close();
  }
}

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
