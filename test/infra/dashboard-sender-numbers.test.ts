/**
 * The dashboard's rows per sender number and per campaign: SEARCH over exactly the
 * {service, TenantId, SenderNumber} and {service, TenantId, CampaignId} sets the delivery metrics
 * carry (numbers and campaigns are runtime data), the selected number's rate and the campaigns' rate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageConfig } from '../../lib/config';
import { DIMENSIONS, METRIC_SERVICE, METRICS } from '../../lib/metric-catalog';
import { campaignSearch, DELIVERY_OUTCOME_METRICS, senderNumberSearch } from '../../lib/monitoring';
import { dispose, flatten, props, resourcesOfType, type Synthesized, synthesize } from './helpers';

const dev = stageConfig('dev');

/** A metric of a widget: a plain metric's [namespace, name, dimension, value, …, options] or an expression. */
type WidgetMetric = (string | { expression?: string; label?: string; id?: string; visible?: boolean })[];

interface Widget {
  readonly type: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly properties: { readonly title?: string; readonly metrics?: readonly WidgetMetric[] };
}

interface DashboardBody {
  readonly widgets: readonly Widget[];
  readonly variables?: readonly Record<string, unknown>[];
}

const options = (metric: WidgetMetric) =>
  metric.find((part) => typeof part === 'object') as
    { expression?: string; label?: string; visible?: boolean } | undefined;
const expressionsOf = (widget: Widget | undefined) =>
  (widget?.properties.metrics ?? []).map((metric) => options(metric)?.expression).filter(Boolean);

describe('dashboard: delivery per sender number', () => {
  let synth: Synthesized;
  let dashboard: DashboardBody;
  const widget = (title: string) =>
    dashboard.widgets.find((candidate) => candidate.properties.title === title);

  beforeAll(() => {
    synth = synthesize({ stage: 'dev' });
    const [[, resource] = []] = resourcesOfType(synth.json, 'AWS::CloudWatch::Dashboard');
    dashboard = JSON.parse(
      flatten(props<{ DashboardBody: unknown }>(resource ?? { Type: '' }).DashboardBody),
    ) as DashboardBody;
  });
  afterAll(() => dispose(synth));

  it('searches exactly the {namespace,SenderNumber,TenantId,service} set', () => {
    expect(senderNumberSearch(dev.metricsNamespace, METRICS.messagesSent, 'Sum')).toBe(
      `SEARCH('{SmsConversations/dev,SenderNumber,TenantId,service} service="sms-conversations" MetricName="MessagesSent"', 'Sum', 300)`,
    );
  });

  it('graphs sends, deliveries and undelivered/failed per number of every tenant, in one row', () => {
    const titles = [
      'Sent by sender number',
      'Delivered by sender number',
      'Undelivered / failed by sender number',
      'Delivery rate, selected sender number',
    ];
    const row = titles.map(widget);
    expect(row.map((found) => found?.type)).toEqual(['metric', 'metric', 'metric', 'metric']);
    expect(new Set(row.map((found) => found?.y)).size).toBe(1);
    expect(row.reduce((total, found) => total + (found?.width ?? 0), 0)).toBe(24);

    expect(expressionsOf(row[0])).toEqual([
      senderNumberSearch(dev.metricsNamespace, METRICS.messagesSent, 'Sum'),
    ]);
    expect(expressionsOf(row[1])).toEqual([
      senderNumberSearch(dev.metricsNamespace, METRICS.messagesDelivered, 'Sum'),
    ]);
    expect(expressionsOf(row[2])).toEqual([
      senderNumberSearch(dev.metricsNamespace, [METRICS.messagesUndelivered, METRICS.messagesFailed], 'Sum'),
    ]);
    // Each series is labelled with its tenant and number.
    const label = options(row[0]?.properties.metrics?.[0] ?? [])?.label;
    expect(label).toBe(`\${PROP('Dim.${DIMENSIONS.tenant}')} \${PROP('Dim.${DIMENSIONS.senderNumber}')}`);
  });

  it("computes the selected number's rate delivered / (delivered + undelivered + failed) from its own series", () => {
    const rate = widget('Delivery rate, selected sender number');
    const expressions = expressionsOf(rate);
    expect(expressions).toContain('IF(outcomes > 0, FILL(delivered, 0) / outcomes)');
    expect(expressions).toContain('FILL(delivered, 0) + FILL(undelivered, 0) + FILL(failed, 0)');
    const plain = (rate?.properties.metrics ?? []).filter((metric) => typeof metric[0] === 'string');
    expect(plain.map((metric) => metric[1]).sort()).toEqual(
      [METRICS.messagesDelivered, METRICS.messagesFailed, METRICS.messagesUndelivered].sort(),
    );
    for (const metric of plain) {
      const dimensions = metric.filter((part): part is string => typeof part === 'string').slice(2);
      expect(dimensions.filter((_, index) => index % 2 === 0).sort()).toEqual(
        [DIMENSIONS.senderNumber, DIMENSIONS.tenant, 'service'].sort(),
      );
      expect(dimensions).toContain(METRIC_SERVICE);
    }
  });

  it("graphs each campaign of every tenant in a row of its own, and the campaigns' delivery rate", () => {
    expect(campaignSearch(dev.metricsNamespace, METRICS.messagesSent, 'Sum')).toBe(
      `SEARCH('{SmsConversations/dev,CampaignId,TenantId,service} service="sms-conversations" MetricName="MessagesSent"', 'Sum', 300)`,
    );
    const row = [
      'Sent by campaign',
      'Delivered by campaign',
      'Undelivered / failed by campaign',
      'Delivery rate, all campaigns',
    ].map(widget);
    expect(row.map((found) => found?.type)).toEqual(['metric', 'metric', 'metric', 'metric']);
    expect(new Set(row.map((found) => found?.y)).size).toBe(1);
    expect(row.reduce((total, found) => total + (found?.width ?? 0), 0)).toBe(24);
    expect(expressionsOf(row[0])).toEqual([
      campaignSearch(dev.metricsNamespace, METRICS.messagesSent, 'Sum'),
    ]);
    expect(expressionsOf(row[1])).toEqual([
      campaignSearch(dev.metricsNamespace, METRICS.messagesDelivered, 'Sum'),
    ]);
    expect(expressionsOf(row[2])).toEqual([
      campaignSearch(dev.metricsNamespace, [METRICS.messagesUndelivered, METRICS.messagesFailed], 'Sum'),
    ]);
    expect(options(row[0]?.properties.metrics?.[0] ?? [])?.label).toBe(
      `\${PROP('Dim.${DIMENSIONS.tenant}')} \${PROP('Dim.${DIMENSIONS.campaign}')}`,
    );
    expect(expressionsOf(row[3])).toEqual(
      expect.arrayContaining([
        'SUM(campaignDelivered) / SUM(campaignOutcomes)',
        campaignSearch(dev.metricsNamespace, METRICS.messagesDelivered, 'Sum'),
        campaignSearch(dev.metricsNamespace, DELIVERY_OUTCOME_METRICS, 'Sum'),
      ]),
    );
  });

  it('has a Sender number selector populated by SEARCH over the per-number set', () => {
    expect(dashboard.variables).toContainEqual(
      expect.objectContaining({
        type: 'property',
        property: DIMENSIONS.senderNumber,
        defaultValue: '__FIRST',
        search: `{${dev.metricsNamespace},SenderNumber,TenantId,service} service="${METRIC_SERVICE}" MetricName="${METRICS.messagesSent}"`,
        populateFrom: DIMENSIONS.senderNumber,
      }),
    );
  });
});
