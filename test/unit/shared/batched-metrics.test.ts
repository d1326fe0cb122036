import { afterEach, describe, expect, it, vi } from 'vitest';
import { DIMENSIONS, METRICS } from '../../../lib/metric-catalog';
import { BatchedTenantMetrics, MetricUnit } from '../../../lambdas/shared/observability';

interface EmfRecord {
  _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

function printed(run: () => void): EmfRecord[] {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfRecord);
}

afterEach(() => vi.restoreAllMocks());

describe('BatchedTenantMetrics', () => {
  it('prints nothing until published, then one EMF record per tenant and dimension set', () => {
    const batch = new BatchedTenantMetrics();
    const before = printed(() => {
      batch.add('acme', METRICS.messagesDelivered, MetricUnit.Count);
      batch.add('acme', METRICS.deliveryLatency, MetricUnit.Milliseconds, 120);
      batch.add('acme', METRICS.messagesDelivered, MetricUnit.Count);
      batch.add('acme', METRICS.deliveryLatency, MetricUnit.Milliseconds, 80);
      batch.add('globex', METRICS.messagesUndelivered, MetricUnit.Count);
      batch.addErrorCode('globex', '30003');
    });
    expect(before).toEqual([]);

    const records = printed(() => batch.publish());
    expect(records).toHaveLength(3);
    const [acme, globex, errors] = records;
    expect(acme?.[DIMENSIONS.tenant]).toBe('acme');
    // Counts are summed; latencies stay samples, so percentiles still see each message.
    expect(acme?.[METRICS.messagesDelivered]).toBe(2);
    expect(acme?.[METRICS.deliveryLatency]).toEqual([120, 80]);
    expect(acme?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', DIMENSIONS.tenant]]);
    expect(globex?.[METRICS.messagesUndelivered]).toBe(1);
    expect(errors?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
      ['service', DIMENSIONS.tenant, DIMENSIONS.errorCode],
    ]);
    expect(errors?.[DIMENSIONS.errorCode]).toBe('30003');
    expect(errors?.[METRICS.deliveryErrors]).toBe(1);
  });

  it('splits a metric of more values than an EMF record holds over several records', () => {
    const batch = new BatchedTenantMetrics();
    for (let index = 0; index < 150; index++) {
      batch.add('acme', METRICS.deliveryLatency, MetricUnit.Milliseconds, index);
      batch.add('acme', METRICS.messagesDelivered, MetricUnit.Count);
    }
    const records = printed(() => batch.publish());
    expect(records.map((record) => record[DIMENSIONS.tenant])).toEqual(['acme', 'acme']);
    expect(records.flatMap((record) => record[METRICS.deliveryLatency] as number[])).toHaveLength(150);
    expect(records.map((record) => record[METRICS.messagesDelivered])).toEqual([150, undefined]);
  });

  it('forgets what it published', () => {
    const batch = new BatchedTenantMetrics();
    batch.add('acme', METRICS.messagesDelivered, MetricUnit.Count);
    printed(() => batch.publish());
    expect(printed(() => batch.publish())).toEqual([]);
  });
});
