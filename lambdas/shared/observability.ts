import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { LeanLogFormatter } from './lean-log-formatter';
import { type DELIVERY_METRICS, DIMENSIONS, METRIC_SERVICE, METRICS } from '../../lib/metric-catalog';

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

/** One of the metrics that are also counted per sender number and per campaign. */
export type DeliveryMetricName = (typeof DELIVERY_METRICS)[number];

/**
 * Whom a delivery metric counts for. A sender number is one of the business's own numbers, never a
 * customer's, so it may be a dimension value; a campaign id comes from the platform.
 */
export interface DeliveryMetricSubject {
  readonly tenantId: string;
  /** The number the message was sent from: adds the {TenantId, SenderNumber} set. */
  readonly senderNumber?: string;
  /** The campaign that sent the message, when one did: adds the {TenantId, CampaignId} set. */
  readonly campaignId?: string;
}

/**
 * The subject of a send or status event: its `from` is the sender number, and an event that
 * carries a `campaignId` (a campaign's message) is counted for its campaign too.
 */
export function deliverySubject(event: {
  readonly tenantId: string;
  readonly from?: string;
  readonly campaignId?: string;
}): DeliveryMetricSubject {
  return {
    tenantId: event.tenantId,
    ...(event.from ? { senderNumber: event.from } : {}),
    ...(event.campaignId ? { campaignId: event.campaignId } : {}),
  };
}

type Dimensions = Readonly<Record<string, string>>;

/**
 * The dimension sets a delivery metric is published under (Powertools adds `service` to each):
 * the tenant's, the sender number's and the campaign's, each beside TenantId, so that a SEARCH over
 * one set finds every number (or campaign) of every tenant and the per-tenant figures stay whole.
 */
export function deliveryDimensionSets(subject: DeliveryMetricSubject): readonly Dimensions[] {
  const tenant = { [DIMENSIONS.tenant]: subject.tenantId };
  return [
    tenant,
    ...(subject.senderNumber ? [{ ...tenant, [DIMENSIONS.senderNumber]: subject.senderNumber }] : []),
    ...(subject.campaignId ? [{ ...tenant, [DIMENSIONS.campaign]: subject.campaignId }] : []),
  ];
}

/**
 * Prints one EMF record whose metrics are published under each of `sets`: CloudWatch makes a
 * metric of every set, while the record, and so the log metric filters that count it, holds each
 * value once. Powertools warns about a key that two sets share, so the dimensions all sets share
 * are the record's defaults and each set adds only its own.
 */
function publishRecord(sets: readonly Dimensions[], addMetrics: (record: Metrics) => void): void {
  const [first = {}, ...others] = sets;
  const shared = Object.fromEntries(
    Object.entries(first).filter(([name, value]) => others.every((set) => set[name] === value)),
  );
  const record = new Metrics({ serviceName: METRIC_SERVICE, defaultDimensions: shared });
  for (const set of sets) {
    // An empty set is exactly the shared dimensions (Powertools adds the defaults to every set).
    record.addDimensions(Object.fromEntries(Object.entries(set).filter(([name]) => !(name in shared))));
  }
  addMetrics(record);
  record.publishStoredMetrics();
}

/**
 * Emits one delivery metric right away under every set of {@link deliveryDimensionSets}: one
 * record, so the per-tenant count and the all-tenant metric filters count the message once.
 */
export function emitDeliveryMetric(
  subject: DeliveryMetricSubject,
  name: DeliveryMetricName,
  value = 1,
): void {
  publishRecord(deliveryDimensionSets(subject), (record) => record.addMetric(name, MetricUnit.Count, value));
}

/** Where tenant metrics go: each as its own EMF record right away, or gathered for a batch. */
export interface TenantMetricSink {
  add(tenantId: string, name: string, unit: MetricUnitValue, value?: number): void;
  addErrorCode(tenantId: string, errorCode: string | number): void;
  /** A delivery metric (a count), per tenant and also per sender number and campaign. */
  addDelivery(subject: DeliveryMetricSubject, name: DeliveryMetricName, value?: number): void;
}

export const immediateTenantMetrics: TenantMetricSink = {
  add: emitTenantMetric,
  addErrorCode: emitErrorCodeMetric,
  addDelivery: emitDeliveryMetric,
};

const MAX_VALUES_PER_RECORD = 99;
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

interface GatheredMetric {
  readonly unit: MetricUnitValue;
  readonly values: number[];
}

/**
 * One batch's tenant metrics, published together: one EMF record per group of dimension sets
 * (the tenant's; a sender number's delivery counts), counts summed and other values (latencies)
 * kept as EMF value lists, so a batch of callbacks prints a few records instead of two per message
 * (the log budget is per invocation).
 */
export class BatchedTenantMetrics implements TenantMetricSink {
  private readonly records = new Map<
    string,
    { sets: readonly Dimensions[]; metrics: Map<string, GatheredMetric> }
  >();

  add(tenantId: string, name: string, unit: MetricUnitValue, value = 1): void {
    this.gather([{ [DIMENSIONS.tenant]: tenantId }], name, unit, value);
  }

  addErrorCode(tenantId: string, errorCode: string | number): void {
    this.gather(
      [{ [DIMENSIONS.tenant]: tenantId, [DIMENSIONS.errorCode]: String(errorCode) }],
      METRICS.deliveryErrors,
      MetricUnit.Count,
      1,
    );
  }

  addDelivery(subject: DeliveryMetricSubject, name: DeliveryMetricName, value = 1): void {
    this.gather(deliveryDimensionSets(subject), name, MetricUnit.Count, value);
  }

  /** Prints the gathered records and forgets them. */
  publish(): void {
    for (const { sets, metrics: gathered } of this.records.values()) {
      // Counts are one summed value; only the others are lists that may need more than one record.
      const longest = Math.max(
        0,
        ...[...gathered.values()]
          .filter((metric) => metric.unit !== MetricUnit.Count)
          .map((metric) => metric.values.length),
      );
      // Powertools publishes on its own at 100 values of a metric (EMF's limit): publish before.
      for (let offset = 0; offset === 0 || offset < longest; offset += MAX_VALUES_PER_RECORD) {
        publishRecord(sets, (record) => {
          for (const [name, metric] of gathered) {
            if (metric.unit === MetricUnit.Count) {
              if (offset === 0) record.addMetric(name, metric.unit, sum(metric.values));
            } else {
              for (const value of metric.values.slice(offset, offset + MAX_VALUES_PER_RECORD)) {
                record.addMetric(name, metric.unit, value);
              }
            }
          }
        });
      }
    }
    this.records.clear();
  }

  private gather(sets: readonly Dimensions[], name: string, unit: MetricUnitValue, value: number): void {
    const key = JSON.stringify(sets);
    const record = this.records.get(key) ?? { sets, metrics: new Map<string, GatheredMetric>() };
    this.records.set(key, record);
    const metric = record.metrics.get(name) ?? { unit, values: [] };
    record.metrics.set(name, metric);
    metric.values.push(value);
  }
}
