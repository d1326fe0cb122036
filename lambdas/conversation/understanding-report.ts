import { METRICS } from '../../lib/metric-catalog';
import type { MetricUnitValue } from '../shared/observability';
import { logger, MetricUnit } from '../shared/observability';
import type { UnderstandingOutcome } from './understanding';

/** Where a tenant's metrics go (BatchedTenantMetrics in the handler). */
export interface TenantMetricAdder {
  add(tenantId: string, name: string, unit: MetricUnitValue, value?: number): void;
}

/**
 * The understanding port's metrics (tokens, latency, accepted and rejected proposals, timeouts,
 * failures, exhausted budgets) and a log line without the message's text.
 */
export function reportUnderstanding(
  metrics: TenantMetricAdder,
  tenantId: string,
  outcome: UnderstandingOutcome,
): void {
  switch (outcome.outcome) {
    case 'proposed':
    case 'failed': {
      metrics.add(tenantId, METRICS.understandingInputTokens, MetricUnit.Count, outcome.inputTokens);
      metrics.add(tenantId, METRICS.understandingOutputTokens, MetricUnit.Count, outcome.outputTokens);
      metrics.add(tenantId, METRICS.understandingLatency, MetricUnit.Milliseconds, outcome.latencyMs);
      if (outcome.outcome === 'proposed') {
        metrics.add(tenantId, METRICS.understandingProposalsAccepted, MetricUnit.Count, outcome.accepted);
        metrics.add(tenantId, METRICS.understandingProposalsRejected, MetricUnit.Count, outcome.rejected);
        logger.debug('Understanding proposal reviewed', { ...outcome });
      } else {
        const name =
          outcome.reason === 'timeout' ? METRICS.understandingTimeouts : METRICS.understandingFailures;
        metrics.add(tenantId, name, MetricUnit.Count);
        logger.warn('Understanding call gave no proposal; the rules answered', {
          reason: outcome.reason,
          detail: outcome.detail,
          latencyMs: outcome.latencyMs,
        });
      }
      return;
    }
    case 'budgetExhausted':
      metrics.add(tenantId, METRICS.understandingBudgetExhausted, MetricUnit.Count);
      return;
    case 'unavailable':
      metrics.add(tenantId, METRICS.understandingFailures, MetricUnit.Count);
      logger.warn('Understanding unavailable; the rules answered', { detail: outcome.detail });
      return;
  }
}
