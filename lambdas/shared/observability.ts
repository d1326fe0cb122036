// Maps stack traces of the bundle this module is part of (see the module); first, like a polyfill.
import './mapped-stacks';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { LeanLogFormatter } from './lean-log-formatter';
import { DIMENSIONS, METRIC_SERVICE, METRICS } from './metric-catalog';

export { MetricUnit };

/** JSON logs; the service name comes from POWERTOOLS_SERVICE_NAME (the function's id). */
export const logger = new Logger({ logFormatter: new LeanLogFormatter() });

/** One Metrics instance per container; the namespace comes from POWERTOOLS_METRICS_NAMESPACE. */
export const metrics = new Metrics({ serviceName: METRIC_SERVICE });

/**
 * Emits one metric for one tenant right away. A batch carries several tenants, so each metric
 * is its own EMF record with exactly the dimension set the dashboard searches for.
 */
export function emitTenantMetric(
  tenantId: string,
  name: string,
  unit: (typeof MetricUnit)[keyof typeof MetricUnit],
  value = 1,
): void {
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
