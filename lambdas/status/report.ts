import { METRICS } from '../../lib/metric-catalog';
import {
  deliverySubject,
  immediateTenantMetrics,
  logger,
  MetricUnit,
  type TenantMetricSink,
} from '../shared/observability';
import type { StatusEvent } from './apply';

const OUTCOME_METRIC = {
  delivered: METRICS.messagesDelivered,
  undelivered: METRICS.messagesUndelivered,
  failed: METRICS.messagesFailed,
} as const;

/**
 * Turns status events into logs and EMF metrics; shared by the status, reconcile and sender
 * functions (the status function gathers a batch's metrics into one publication).
 */
export function reportStatusEvent(event: StatusEvent, sink: TenantMetricSink = immediateTenantMetrics): void {
  if (event.type === 'outcome') {
    // Keys per line, not appended: the status function applies a batch's records concurrently.
    const keys = { tenantId: event.tenantId, messageSid: event.sid };
    // A delivery is counted by its metric; only a failed one says something the metric does not.
    if (event.outcome === 'delivered') logger.debug('Delivery outcome', { ...keys, outcome: event.outcome });
    else logger.info('Delivery outcome', { ...keys, outcome: event.outcome, errorCode: event.errorCode });
    // Per sender number too (the event's `from` is the business's number, never the customer's).
    sink.addDelivery(deliverySubject(event), OUTCOME_METRIC[event.outcome]);
    if (event.errorCode) sink.addErrorCode(event.tenantId, event.errorCode);
    if (event.latencyMs !== undefined) {
      sink.add(event.tenantId, METRICS.deliveryLatency, MetricUnit.Milliseconds, event.latencyMs);
    }
    return;
  }
  if (event.type === 'unknown') sink.add(event.tenantId, METRICS.unknownMessageStatus, MetricUnit.Count);
  logger.info('Status callback not applied', {
    type: event.type,
    tenantId: event.tenantId,
    messageSid: event.sid,
  });
}
