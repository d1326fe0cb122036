import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CAMPAIGN_DIMENSION_SET,
  DELIVERY_METRICS,
  DIMENSIONS,
  METRICS,
  SENDER_NUMBER_DIMENSION_SET,
  TENANT_DIMENSION_SET,
} from '../../../lib/metric-catalog';
import {
  BatchedTenantMetrics,
  type DeliveryMetricName,
  deliveryDimensionSets,
  deliverySubject,
  emitDeliveryMetric,
  MetricUnit,
} from '../../../lambdas/shared/observability';
import type { StatusEvent } from '../../../lambdas/status/apply';
import { reportStatusEvent } from '../../../lambdas/status/report';
import { MetricRecorder } from '../../../local/emf';

/** Delivery metrics per sender number (and campaign) beside the per-tenant set, in one EMF record. */

interface EmfRecord {
  _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

const NUMBER = '+15005550006';
const OTHER_NUMBER = '+15017122661';

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/** Runs `run` and returns what it printed: every stdout line, the EMF records, and any warning. */
function printed(run: () => void): { records: EmfRecord[]; lines: string[]; warnings: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const capture = (into: string[]) => (chunk: string | Uint8Array) => {
    into.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture(stdout));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture(stderr));
  try {
    run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const lines = stdout
    .join('')
    .split('\n')
    .filter((line) => line !== '');
  return {
    lines,
    records: lines.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as EmfRecord),
    // Powertools warns in plain text; the logger's JSON lines are not warnings.
    warnings: [...stderr, ...lines.filter((line) => !isJson(line))],
  };
}

const dimensionSetsOf = (record: EmfRecord | undefined) => record?._aws.CloudWatchMetrics[0]?.Dimensions;
const metricNamesOf = (record: EmfRecord | undefined) =>
  record?._aws.CloudWatchMetrics[0]?.Metrics.map((metric) => metric.Name);

function outcome(overrides: Partial<Extract<StatusEvent, { type: 'outcome' }>> = {}): StatusEvent {
  return { type: 'outcome', tenantId: 'acme', sid: 'SM1', outcome: 'delivered', from: NUMBER, ...overrides };
}

beforeEach(() => vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'SmsConversations/test'));
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('deliveryDimensionSets', () => {
  it("is the tenant's set, the sender number's and the campaign's, each beside TenantId", () => {
    expect(deliveryDimensionSets({ tenantId: 'acme' })).toEqual([{ TenantId: 'acme' }]);
    expect(deliveryDimensionSets({ tenantId: 'acme', senderNumber: NUMBER })).toEqual([
      { TenantId: 'acme' },
      { TenantId: 'acme', SenderNumber: NUMBER },
    ]);
    expect(deliveryDimensionSets({ tenantId: 'acme', senderNumber: NUMBER, campaignId: 'spring' })).toEqual([
      { TenantId: 'acme' },
      { TenantId: 'acme', SenderNumber: NUMBER },
      { TenantId: 'acme', CampaignId: 'spring' },
    ]);
  });

  it("takes the sender number from an event's `from` and its campaign when it has one", () => {
    expect(deliverySubject({ tenantId: 'acme', from: NUMBER })).toEqual({
      tenantId: 'acme',
      senderNumber: NUMBER,
    });
    expect(deliverySubject({ tenantId: 'acme', from: NUMBER, campaignId: 'spring' })).toEqual({
      tenantId: 'acme',
      senderNumber: NUMBER,
      campaignId: 'spring',
    });
    // A missing number adds no set (an empty dimension value would be dropped and leave a duplicate).
    expect(deliverySubject({ tenantId: 'acme', from: '' })).toEqual({ tenantId: 'acme' });
  });
});

describe('emitDeliveryMetric', () => {
  it('prints one record with the per-tenant and the per-number set, and no warning', () => {
    const { records, warnings } = printed(() =>
      emitDeliveryMetric({ tenantId: 'acme', senderNumber: NUMBER }, METRICS.messagesSent),
    );
    expect(warnings).toEqual([]);
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(dimensionSetsOf(record)).toEqual([[...TENANT_DIMENSION_SET], [...SENDER_NUMBER_DIMENSION_SET]]);
    expect(record?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: METRICS.messagesSent, Unit: 'Count' },
    ]);
    expect(record?._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'SmsConversations/test' });
    expect(record).toMatchObject({
      service: 'sms-conversations',
      [DIMENSIONS.tenant]: 'acme',
      [DIMENSIONS.senderNumber]: NUMBER,
      [METRICS.messagesSent]: 1,
    });
  });

  it("adds the campaign's set for a campaign's message", () => {
    const { records, warnings } = printed(() =>
      emitDeliveryMetric(
        { tenantId: 'acme', senderNumber: NUMBER, campaignId: 'spring' },
        METRICS.messagesFailed,
      ),
    );
    expect(warnings).toEqual([]);
    expect(dimensionSetsOf(records[0])).toEqual([
      [...TENANT_DIMENSION_SET],
      [...SENDER_NUMBER_DIMENSION_SET],
      [...CAMPAIGN_DIMENSION_SET],
    ]);
    expect(records[0]?.[DIMENSIONS.campaign]).toBe('spring');
  });
});

describe('reportStatusEvent', () => {
  it('publishes the outcome per sender number, and latency and error codes per tenant only', () => {
    const { records, lines, warnings } = printed(() =>
      reportStatusEvent(outcome({ outcome: 'undelivered', errorCode: '30007', latencyMs: 900 })),
    );
    expect(warnings).toEqual([]);
    const byMetric = (name: string) => records.filter((record) => metricNamesOf(record)?.includes(name));
    const [undelivered] = byMetric(METRICS.messagesUndelivered);
    expect(metricNamesOf(undelivered)).toEqual([METRICS.messagesUndelivered]);
    expect(dimensionSetsOf(undelivered)).toEqual([
      [...TENANT_DIMENSION_SET],
      [...SENDER_NUMBER_DIMENSION_SET],
    ]);
    expect(dimensionSetsOf(byMetric(METRICS.deliveryErrors)[0])).toEqual([
      ['service', DIMENSIONS.tenant, DIMENSIONS.errorCode],
    ]);
    expect(byMetric(METRICS.deliveryLatency)[0]).not.toHaveProperty(DIMENSIONS.senderNumber);
    // The sender number is in the delivery record only: no log line carries it.
    expect(lines.filter((line) => line.includes(NUMBER))).toHaveLength(1);
  });

  it('gathers a batch into one record per tenant and number, beside the per-tenant latencies', () => {
    const batch = new BatchedTenantMetrics();
    reportStatusEvent(outcome({ sid: 'SM1', latencyMs: 100 }), batch);
    reportStatusEvent(outcome({ sid: 'SM2', latencyMs: 200 }), batch);
    reportStatusEvent(outcome({ sid: 'SM3', from: OTHER_NUMBER, outcome: 'failed' }), batch);
    reportStatusEvent(outcome({ sid: 'SM4', tenantId: 'globex' }), batch);
    reportStatusEvent({ type: 'unknown', tenantId: 'acme', sid: 'SM5' }, batch);
    const { records, warnings } = printed(() => batch.publish());
    expect(warnings).toEqual([]);
    const summary = records.map((record) => ({
      sets: dimensionSetsOf(record)?.length,
      tenant: record[DIMENSIONS.tenant],
      number: record[DIMENSIONS.senderNumber],
      metrics: metricNamesOf(record),
    }));
    expect(summary).toEqual([
      { sets: 2, tenant: 'acme', number: NUMBER, metrics: [METRICS.messagesDelivered] },
      {
        sets: 1,
        tenant: 'acme',
        number: undefined,
        metrics: [METRICS.deliveryLatency, METRICS.unknownMessageStatus],
      },
      { sets: 2, tenant: 'acme', number: OTHER_NUMBER, metrics: [METRICS.messagesFailed] },
      { sets: 2, tenant: 'globex', number: NUMBER, metrics: [METRICS.messagesDelivered] },
    ]);
    expect(records[0]?.[METRICS.messagesDelivered]).toBe(2);
    expect(records[1]?.[METRICS.deliveryLatency]).toEqual([100, 200]);
  });
});

describe('delivery metrics read back as CloudWatch and the log metric filters read them', () => {
  const tenants = ['acme', 'globex'] as const;
  const numbers = [NUMBER, OTHER_NUMBER] as const;
  const delivery = fc.record({
    tenantId: fc.constantFrom(...tenants),
    senderNumber: fc.constantFrom(...numbers),
    campaignId: fc.option(fc.constantFrom('spring', 'autumn'), { nil: undefined }),
    name: fc.constantFrom(...DELIVERY_METRICS),
    batched: fc.boolean(),
  });

  it('count each message once per tenant, once per number and once per campaign', () => {
    fc.assert(
      fc.property(fc.array(delivery, { maxLength: 40 }), (deliveries) => {
        const batch = new BatchedTenantMetrics();
        const { lines, warnings } = printed(() => {
          for (const { batched, campaignId, name, ...subject } of deliveries) {
            const withCampaign = { ...subject, ...(campaignId ? { campaignId } : {}) };
            if (batched) batch.addDelivery(withCampaign, name);
            else emitDeliveryMetric(withCampaign, name);
            // A metric that is not a delivery count, in the same batch: never per number.
            batch.add(subject.tenantId, METRICS.deliveryLatency, MetricUnit.Milliseconds, 5);
          }
          batch.publish();
        });
        expect(warnings).toEqual([]);
        const recorder = new MetricRecorder();
        for (const line of lines) recorder.ingest('status', line);

        const countOf = (name: DeliveryMetricName, matches: (d: (typeof deliveries)[number]) => boolean) =>
          deliveries.filter((d) => d.name === name && matches(d)).length;
        for (const name of DELIVERY_METRICS) {
          for (const tenantId of tenants) {
            const expected = countOf(name, (d) => d.tenantId === tenantId);
            expect(recorder.sumOfSeries(name, { TenantId: tenantId })).toBe(expected);
            // Each value once however many sets its record has (the AllTenants metric filters' view).
            expect(recorder.sum(name, { TenantId: tenantId })).toBe(expected);
            for (const senderNumber of numbers) {
              expect(recorder.sumOfSeries(name, { TenantId: tenantId, SenderNumber: senderNumber })).toBe(
                countOf(name, (d) => d.tenantId === tenantId && d.senderNumber === senderNumber),
              );
            }
            for (const campaignId of ['spring', 'autumn']) {
              expect(recorder.sumOfSeries(name, { TenantId: tenantId, CampaignId: campaignId })).toBe(
                countOf(name, (d) => d.tenantId === tenantId && d.campaignId === campaignId),
              );
            }
          }
        }
        const perNumber = recorder
          .all()
          .filter((datum) => datum.dimensionSets.some((set) => set.includes(DIMENSIONS.senderNumber)));
        expect(new Set(perNumber.map((datum) => datum.name)).size).toBeLessThanOrEqual(
          DELIVERY_METRICS.length,
        );
        for (const datum of perNumber) expect(DELIVERY_METRICS).toContain(datum.name);
      }),
      { numRuns: 60 },
    );
  });
});
