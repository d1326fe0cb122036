import { describe, expect, it } from 'vitest';
import { deliveryReport } from '../../../local/console/delivery-report';
import type { MetricDatum } from '../../../local/emf';

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

/** One value of an EMF record with one dimension set: service, TenantId and `extra`. */
function datum(
  name: string,
  tenantId: string,
  timestamp: number,
  extra: Record<string, string> = {},
  value = 1,
): MetricDatum {
  const dimensions = { service: 'sms-conversations', TenantId: tenantId, ...extra };
  return {
    name,
    unit: 'Count',
    value,
    dimensions,
    dimensionSets: [Object.keys(dimensions)],
    namespace: 'SmsConversations',
    timestamp,
    functionName: 'status',
  };
}

/** One value of a delivery record as the functions print it: per tenant and per sender number. */
function deliveryDatum(name: string, tenantId: string, senderNumber: string, value = 1): MetricDatum {
  return {
    ...datum(name, tenantId, T0, { SenderNumber: senderNumber }, value),
    dimensionSets: [
      ['service', 'TenantId'],
      ['service', 'TenantId', 'SenderNumber'],
    ],
  };
}

describe('deliveryReport', () => {
  it('sums outcomes per tenant and per aligned period, rate = delivered / outcomes', () => {
    const data = [
      datum('MessagesSent', 'demo', T0 + 1_000),
      datum('MessagesSent', 'demo', T0 + 2_000),
      datum('MessagesSent', 'demo', T0 + 12_000),
      datum('MessagesDelivered', 'demo', T0 + 1_500),
      datum('MessagesDelivered', 'demo', T0 + 2_500),
      datum('MessagesUndelivered', 'demo', T0 + 12_500),
      datum('DeliveryErrors', 'demo', T0 + 12_500, { ErrorCode: '30003' }),
      datum('MessagesFailed', 'acme', T0 + 3_000),
    ];
    const report = deliveryReport(data, { now: T0 + 25_000, periodSeconds: 10, windowSeconds: 30 });
    expect(report.tenants.map((tenant) => tenant.tenantId)).toEqual(['acme', 'demo']);
    const demo = report.tenants[1];
    expect(demo).toMatchObject({ sent: 3, delivered: 2, undelivered: 1, failed: 0 });
    expect(demo?.rate).toBeCloseTo(2 / 3);
    expect(demo?.errorCodes).toEqual([{ code: '30003', count: 1 }]);
    expect(demo?.periods.filter((period) => period.rate !== null)).toEqual([
      { start: T0, delivered: 2, undelivered: 0, failed: 0, rate: 1 },
      { start: T0 + 10_000, delivered: 0, undelivered: 1, failed: 0, rate: 0 },
    ]);
    expect(report.tenants[0]?.rate).toBe(0);
  });

  it('gives periods without outcomes no rate, as the dashboard shows no data point', () => {
    const report = deliveryReport([datum('MessagesSent', 'demo', T0)], {
      now: T0 + 5_000,
      periodSeconds: 10,
      windowSeconds: 20,
    });
    expect(report.tenants[0]?.rate).toBeNull();
    expect(report.tenants[0]?.periods.every((period) => period.rate === null)).toBe(true);
  });

  it('reads only the dimension sets the dashboard searches', () => {
    const report = deliveryReport(
      [
        datum('MessagesDelivered', 'demo', T0, { SenderNumber: '+15005550006' }),
        { ...datum('MessagesDelivered', 'demo', T0), dimensions: { service: 'other', TenantId: 'demo' } },
        datum('MessagesDelivered', 'demo', T0),
      ],
      { now: T0, periodSeconds: 60, windowSeconds: 60 },
    );
    expect(report.tenants[0]?.delivered).toBe(1);
    expect(report.metricValues).toBe(1);
  });

  it('breaks a tenant down by sender number, each record counted once per tenant', () => {
    const data = [
      deliveryDatum('MessagesSent', 'demo', '+15005550006', 3),
      deliveryDatum('MessagesDelivered', 'demo', '+15005550006', 2),
      deliveryDatum('MessagesUndelivered', 'demo', '+15005550006'),
      deliveryDatum('MessagesSent', 'demo', '+15017122661'),
      deliveryDatum('MessagesFailed', 'demo', '+15017122661'),
      deliveryDatum('MessagesDelivered', 'acme', '+15005550006'),
      // Not a delivery count: never per number, and no row for it.
      datum('DeliveryLatency', 'demo', T0, { SenderNumber: '+15009999999' }),
    ];
    const report = deliveryReport(data, { now: T0, periodSeconds: 60, windowSeconds: 60 });
    const [acme, demo] = report.tenants;
    expect(demo).toMatchObject({ sent: 4, delivered: 2, undelivered: 1, failed: 1 });
    expect(demo?.numbers).toEqual([
      { number: '+15005550006', sent: 3, delivered: 2, undelivered: 1, failed: 0, rate: 2 / 3 },
      { number: '+15017122661', sent: 1, delivered: 0, undelivered: 0, failed: 1, rate: 0 },
    ]);
    expect(acme?.numbers).toEqual([
      { number: '+15005550006', sent: 0, delivered: 1, undelivered: 0, failed: 0, rate: 1 },
    ]);
    // The per-number set repeats values the tenant's set already counted.
    expect(report.metricValues).toBe(6);
  });

  it('counts outcomes older than the window in the totals only', () => {
    const report = deliveryReport(
      [datum('MessagesDelivered', 'demo', T0), datum('MessagesDelivered', 'demo', T0 + 600_000)],
      { now: T0 + 600_000, periodSeconds: 60, windowSeconds: 120 },
    );
    const demo = report.tenants[0];
    expect(demo?.delivered).toBe(2);
    expect(demo?.periods.reduce((total, period) => total + period.delivered, 0)).toBe(1);
  });

  it("starts a young stack's chart a few periods before its first outcome", () => {
    const report = deliveryReport([datum('MessagesDelivered', 'demo', T0 + 95_000)], {
      now: T0 + 100_000,
      periodSeconds: 10,
      windowSeconds: 290,
    });
    expect(report.windowStart).toBe(T0 + 40_000);
    expect(report.tenants[0]?.periods).toHaveLength(7);
  });
});
