import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricRecorder } from '../../../local/emf';
import { metricMismatch } from '../../../local/soak/audit';

function emfLine(name: string, value: number, tenantId: string): string {
  return JSON.stringify({
    _aws: {
      Timestamp: 0,
      CloudWatchMetrics: [
        { Namespace: 'Sms', Dimensions: [['service', 'TenantId']], Metrics: [{ Name: name }] },
      ],
    },
    service: 'status',
    TenantId: tenantId,
    [name]: value,
  });
}

describe('metrics printed before a kill', () => {
  it('counts what killed invocations printed, per metric and tenant', () => {
    const recorder = new MetricRecorder();
    recorder.ingest('status', emfLine('MessagesDelivered', 3, 'acme'), 'finished');
    recorder.ingest('status', emfLine('MessagesDelivered', 2, 'acme'), 'killed');
    recorder.ingest('status', emfLine('MessagesDelivered', 4, 'other'), 'killed');
    recorder.ingest('status', emfLine('MessagesUndelivered', 1, 'acme'), 'killed');
    recorder.invocationKilled('killed');
    expect(recorder.sum('MessagesDelivered', { TenantId: 'acme' })).toBe(5);
    expect(recorder.sumPrintedBeforeKill('MessagesDelivered', { TenantId: 'acme' })).toBe(2);
    expect(recorder.sumPrintedBeforeKill('MessagesUndelivered', { TenantId: 'acme' })).toBe(1);
  });

  it('ignores lines without a known invocation', () => {
    const recorder = new MetricRecorder();
    recorder.ingest('status', emfLine('MessagesDelivered', 1, 'acme'));
    recorder.invocationKilled('anything');
    expect(recorder.sumPrintedBeforeKill('MessagesDelivered')).toBe(0);
  });
});

describe('metricMismatch', () => {
  it('is 0 exactly when the count is the truth plus at most what killed invocations printed', () => {
    fc.assert(
      fc.property(fc.nat(500), fc.nat(500), fc.nat(50), (truth, emitted, printedBeforeKill) => {
        const mismatch = metricMismatch({ truth, emitted, printedBeforeKill });
        expect(mismatch === 0).toBe(emitted >= truth && emitted <= truth + printedBeforeKill);
        expect(mismatch).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('counts every missing value: a metric is never allowed to be lost', () => {
    expect(metricMismatch({ truth: 10, emitted: 7, printedBeforeKill: 5 })).toBe(3);
    expect(metricMismatch({ truth: 10, emitted: 17, printedBeforeKill: 5 })).toBe(2);
  });
});
