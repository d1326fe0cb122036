import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  DIMENSIONS,
  METRIC_SERVICE,
  METRICS,
  CAMPAIGN_DIMENSION_SET,
  SENDER_NUMBER_DIMENSION_SET,
  TENANT_DIMENSION_SET,
} from './metric-catalog';
import type { StageConfig } from './config';
import { FIREWALL_RULES, type WebhookFirewall } from './webhook-firewall';
import type { FunctionWithLogGroup } from './function-with-log-group';
import { pascal, type QueuePair } from './stateful';
import type { FunctionId, QueueId } from './topology';

/** IteratorAge (ms) at which a stream reader's alarm fires: an hour behind, 23 before changes are lost. */
export const STREAM_ITERATOR_AGE_ALARM_MS = 60 * 60 * 1000;

/** Every dashboard graph and alarm works in 5-minute periods (the unit of `config.alarms.*Per5Min`). */
export const MONITORING_PERIOD = Duration.minutes(5);

/**
 * A SEARCH over one metric of every tenant: exactly the dimension set the handlers emit
 * ({service, TenantId}, see lib/metric-catalog.ts), so no other emission can leak in, e.g.
 * `SEARCH('{SmsConversations/dev,TenantId,service} service="sms-conversations" MetricName="MessagesDelivered"', 'Sum', 300)`.
 */
export function tenantSearch(
  namespace: string,
  metricNames: string | readonly string[],
  statistic: string,
  periodSeconds = MONITORING_PERIOD.toSeconds(),
): string {
  return dimensionSetSearch(namespace, TENANT_DIMENSION_SET, metricNames, statistic, periodSeconds);
}

/**
 * A SEARCH over one metric of every sender number of every tenant: exactly the
 * {service, TenantId, SenderNumber} set the delivery metrics also carry (lib/metric-catalog.ts).
 */
export function senderNumberSearch(
  namespace: string,
  metricNames: string | readonly string[],
  statistic: string,
  periodSeconds = MONITORING_PERIOD.toSeconds(),
): string {
  return dimensionSetSearch(namespace, SENDER_NUMBER_DIMENSION_SET, metricNames, statistic, periodSeconds);
}

/**
 * A SEARCH over one metric of every campaign of every tenant: the {service, TenantId, CampaignId}
 * set a campaign's delivery metrics also carry (lib/metric-catalog.ts).
 */
export function campaignSearch(
  namespace: string,
  metricNames: string | readonly string[],
  statistic: string,
  periodSeconds = MONITORING_PERIOD.toSeconds(),
): string {
  return dimensionSetSearch(namespace, CAMPAIGN_DIMENSION_SET, metricNames, statistic, periodSeconds);
}

/**
 * A SEARCH for metrics with exactly one dimension set: the schema `{namespace,dimensions…}` matches
 * only metrics with exactly those dimensions, so a metric published under several sets is found
 * once, under this one.
 */
export function dimensionSetSearch(
  namespace: string,
  dimensionSet: readonly string[],
  metricNames: string | readonly string[],
  statistic: string,
  periodSeconds = MONITORING_PERIOD.toSeconds(),
): string {
  const schema = [namespace, ...[...dimensionSet].sort()].join(',');
  const names = (typeof metricNames === 'string' ? [metricNames] : metricNames).map(
    (name) => `MetricName="${name}"`,
  );
  const nameFilter = names.length === 1 ? names[0] : `(${names.join(' OR ')})`;
  return `SEARCH('{${schema}} service="${METRIC_SERVICE}" ${nameFilter}', '${statistic}', ${periodSeconds})`;
}

/** Delivery outcomes, the terms of delivered / (delivered + undelivered + failed). */
export const DELIVERY_OUTCOME_METRICS = [
  METRICS.messagesDelivered,
  METRICS.messagesUndelivered,
  METRICS.messagesFailed,
] as const;

/**
 * CloudWatch alarms cannot evaluate SEARCH, and the handlers emit only per-tenant series. For the
 * alarms that watch all tenants, log metric filters on the functions' log groups re-count these
 * metrics from the EMF records into dimensionless `<name>AllTenants` metrics in the same namespace.
 */
export const ALL_TENANTS_METRICS = [
  ...DELIVERY_OUTCOME_METRICS,
  METRICS.signatureRejected,
  METRICS.twilioApiFailures,
];

export function allTenantsMetricName(metricName: string): string {
  return `${metricName}AllTenants`;
}

export interface MonitoringProps {
  readonly config: StageConfig;
  readonly dashboardName: string;
  readonly alarmTopic: sns.ITopic;
  readonly queues: Readonly<Record<QueueId, QueuePair>>;
  readonly functions: Readonly<Record<FunctionId, FunctionWithLogGroup>>;
  readonly api: apigateway.RestApi;
  /** The stage's WAF, when it has one: what it blocks is alarmed on too. */
  readonly firewall?: WebhookFirewall;
}

/** The CloudWatch dashboard and every alarm, all alarms notifying the alarm topic. */
export class Monitoring extends Construct {
  readonly dashboard: cw.Dashboard;
  readonly alarms: cw.Alarm[] = [];
  readonly dlqDepthAlarms: Partial<Record<QueueId, cw.Alarm>> = {};
  readonly dlqAgeAlarms: Partial<Record<QueueId, cw.Alarm>> = {};
  readonly deliveryRateAlarm: cw.Alarm;
  readonly signatureRejectionsAlarm: cw.Alarm;
  readonly twilioApiFailuresAlarm: cw.Alarm;

  private readonly config: StageConfig;
  private readonly alarmAction: cwActions.SnsAction;
  private readonly alarmNamePrefix: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { config, queues, functions } = props;
    this.config = config;
    this.alarmAction = new cwActions.SnsAction(props.alarmTopic);
    this.alarmNamePrefix = props.dashboardName;
    const namespace = config.metricsNamespace;
    const thresholds = config.alarms;

    // ---- all-tenant aggregates for alarms (metric filters over the EMF records) ----
    const allTenants = this.allTenantsMetrics(functions);
    const aggregate = (name: string): cw.Metric => {
      const metric = allTenants.get(name);
      if (!metric) throw new Error(`No all-tenants metric for ${name}`);
      return metric;
    };

    // ---- alarms ----
    for (const pair of Object.values(queues)) {
      const name = pascal(pair.spec.id);
      this.dlqDepthAlarms[pair.spec.id] = this.alarm(`${name}DlqDepth`, {
        description: `Messages of the ${pair.spec.id} queue are in its dead-letter queue (smsctl dlq list / dlq redrive).`,
        metric: pair.dlq.metricApproximateNumberOfMessagesVisible({
          period: MONITORING_PERIOD,
          statistic: cw.Stats.MAXIMUM,
        }),
        threshold: thresholds.dlqMessagesAtLeast,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
      this.dlqAgeAlarms[pair.spec.id] = this.alarm(`${name}DlqAge`, {
        description: `A message has waited in the ${pair.spec.id} dead-letter queue for too long.`,
        metric: pair.dlq.metricApproximateAgeOfOldestMessage({
          period: MONITORING_PERIOD,
          statistic: cw.Stats.MAXIMUM,
        }),
        threshold: thresholds.dlqOldestMessageSeconds,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
    }

    const allTenantsDeliveryRate = new cw.MathExpression({
      // No outcomes in a period: no data point (treated as not breaching), not a 0 % rate.
      expression: 'IF(outcomes > 0, FILL(delivered, 0) / outcomes)',
      usingMetrics: {
        delivered: aggregate(METRICS.messagesDelivered),
        outcomes: new cw.MathExpression({
          expression: 'FILL(delivered, 0) + FILL(undelivered, 0) + FILL(failed, 0)',
          usingMetrics: {
            delivered: aggregate(METRICS.messagesDelivered),
            undelivered: aggregate(METRICS.messagesUndelivered),
            failed: aggregate(METRICS.messagesFailed),
          },
          period: MONITORING_PERIOD,
        }),
      },
      label: 'Delivery rate, all tenants (alarm metric)',
      period: MONITORING_PERIOD,
    });
    this.deliveryRateAlarm = this.alarm('DeliveryRate', {
      description: `Delivery rate delivered / (delivered + undelivered + failed) over all tenants fell below ${thresholds.deliveryRateBelow}.`,
      metric: allTenantsDeliveryRate,
      threshold: thresholds.deliveryRateBelow,
      comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
    });
    this.signatureRejectionsAlarm = this.alarm('SignatureRejections', {
      description:
        'Many webhooks failed X-Twilio-Signature verification (wrong auth token, rotation, or forged traffic).',
      metric: aggregate(METRICS.signatureRejected),
      threshold: thresholds.signatureRejectionsPer5Min,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    if (props.firewall) {
      // Unsigned webhooks never reach ingest (the WAF answers them), so SignatureRejections no
      // longer sees such a flood: the same threshold on what the edge blocked.
      this.alarm('UnsignedWebhooksBlocked', {
        description:
          'The WAF blocked many requests to the webhook paths without X-Twilio-Signature (a flood, or a proxy stripping the header).',
        metric: props.firewall.metricBlockedRequests(FIREWALL_RULES.unsignedWebhook, MONITORING_PERIOD),
        threshold: thresholds.signatureRejectionsPer5Min,
      });
      // A tenant's webhook path over its rate: genuine Twilio webhooks to it are blocked too, and
      // Twilio does not retry messaging webhooks, so every one counts.
      this.alarm('WebhookPathRateLimited', {
        description:
          "The WAF's per-path rate limit blocked requests to a tenant's webhook URL: that tenant's Twilio webhooks are refused until the rate falls.",
        metric: props.firewall.metricBlockedRequests(FIREWALL_RULES.ratePerWebhookPath, MONITORING_PERIOD),
        threshold: 1,
      });
    }
    this.twilioApiFailuresAlarm = this.alarm('TwilioApiFailures', {
      description: 'Calls to the Twilio REST API are failing (429/5xx/timeouts or permanent errors).',
      metric: aggregate(METRICS.twilioApiFailures),
      threshold: thresholds.twilioApiFailuresPer5Min,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    for (const fn of Object.values(functions)) {
      const name = pascal(fn.spec.id);
      this.alarm(`${name}Errors`, {
        description: `The ${fn.spec.id} function threw unhandled errors.`,
        metric: fn.function.metricErrors({ period: MONITORING_PERIOD, statistic: cw.Stats.SUM }),
        threshold: thresholds.lambdaErrorsAtLeast,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
      this.alarm(`${name}Throttles`, {
        description: `Invocations of the ${fn.spec.id} function were throttled.`,
        metric: fn.function.metricThrottles({ period: MONITORING_PERIOD, statistic: cw.Stats.SUM }),
        threshold: thresholds.lambdaThrottlesAtLeast,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
      // The table's stream keeps a change 24 hours: a reader that far behind loses lifecycle events.
      if (fn.spec.tableStreamSource) {
        this.alarm(`${name}IteratorAge`, {
          description: `The ${fn.spec.id} function is more than an hour behind the table's stream (changes are dropped after 24 hours).`,
          metric: fn.function.metric('IteratorAge', {
            period: MONITORING_PERIOD,
            statistic: cw.Stats.MAXIMUM,
          }),
          threshold: STREAM_ITERATOR_AGE_ALARM_MS,
          comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        });
      }
    }

    // ---- dashboard ----
    const search = (metricNames: string | readonly string[], statistic: string, label: string) =>
      new cw.MathExpression({
        expression: tenantSearch(namespace, metricNames, statistic),
        usingMetrics: {},
        label,
        period: MONITORING_PERIOD,
      });
    const byTenant = (metricName: string, statistic = 'Sum') =>
      search(metricName, statistic, `\${PROP('Dim.${DIMENSIONS.tenant}')}`);
    const totalOf = (metricNames: string | readonly string[], label: string) =>
      new cw.MathExpression({
        expression: `SUM(${tenantSearch(namespace, metricNames, 'Sum')})`,
        usingMetrics: {},
        label,
        period: MONITORING_PERIOD,
      });

    // Metric math cannot divide one SEARCH result by another series by series, so the rate is over all
    // tenants: SUM(delivered) / SUM(delivered + undelivered + failed). The denominator is one SEARCH over
    // the three names, so it exists as soon as any outcome was ever emitted.
    const deliveryRateAllTenants = new cw.MathExpression({
      expression: 'FILL(delivered, 0) / outcomes',
      usingMetrics: {
        delivered: totalOf(METRICS.messagesDelivered, 'delivered'),
        outcomes: totalOf(DELIVERY_OUTCOME_METRICS, 'delivered + undelivered + failed'),
      },
      label: 'delivered / (delivered + undelivered + failed)',
      period: MONITORING_PERIOD,
    });

    // The rate of one series' outcomes, e.g. the selected tenant's: no data point without outcomes.
    const deliveryRateOf = (dimensionsMap: Record<string, string>, label: string) => {
      const metric = (metricName: string) =>
        new cw.Metric({
          namespace,
          metricName,
          dimensionsMap,
          statistic: cw.Stats.SUM,
          period: MONITORING_PERIOD,
        });
      return new cw.MathExpression({
        expression: 'IF(outcomes > 0, FILL(delivered, 0) / outcomes)',
        usingMetrics: {
          delivered: metric(METRICS.messagesDelivered),
          outcomes: new cw.MathExpression({
            expression: 'FILL(delivered, 0) + FILL(undelivered, 0) + FILL(failed, 0)',
            usingMetrics: {
              delivered: metric(METRICS.messagesDelivered),
              undelivered: metric(METRICS.messagesUndelivered),
              failed: metric(METRICS.messagesFailed),
            },
            period: MONITORING_PERIOD,
          }),
        },
        label,
        period: MONITORING_PERIOD,
      });
    };
    // Per-tenant rate: the dashboard's Tenant selector (populated by SEARCH) sets TenantId on these
    // metrics. 'demo' is the initial value only: the Tenant variable (default: first tenant found)
    // replaces it on load.
    const deliveryRateSelectedTenant = deliveryRateOf(
      { [DIMENSIONS.tenant]: 'demo', service: METRIC_SERVICE },
      'Delivery rate (selected tenant)',
    );
    // Per-number rate: metric math cannot divide a SEARCH by a SEARCH series by series, so the rate
    // is the selected number's; the Tenant and Sender number selectors set both dimensions (the
    // initial values are replaced on load like the tenant's).
    const deliveryRateSelectedNumber = deliveryRateOf(
      { [DIMENSIONS.tenant]: 'demo', [DIMENSIONS.senderNumber]: '+15005550006', service: METRIC_SERVICE },
      'Delivery rate (selected tenant and sender number)',
    );
    const bySenderNumber = (metricNames: string | readonly string[], label: string) =>
      new cw.MathExpression({
        expression: senderNumberSearch(namespace, metricNames, 'Sum'),
        usingMetrics: {},
        label,
        period: MONITORING_PERIOD,
      });
    const numberLabel = `\${PROP('Dim.${DIMENSIONS.tenant}')} \${PROP('Dim.${DIMENSIONS.senderNumber}')}`;
    const byCampaign = (metricNames: string | readonly string[], label: string) =>
      new cw.MathExpression({
        expression: campaignSearch(namespace, metricNames, 'Sum'),
        usingMetrics: {},
        label,
        period: MONITORING_PERIOD,
      });
    const campaignLabel = `\${PROP('Dim.${DIMENSIONS.tenant}')} \${PROP('Dim.${DIMENSIONS.campaign}')}`;
    // A campaign's delivery rate: the outcomes of every campaign in one SEARCH each (metric math
    // cannot divide SEARCH by SEARCH series by series, so the rate is over all campaigns).
    const campaignDeliveryRate = new cw.MathExpression({
      expression: 'SUM(campaignDelivered) / SUM(campaignOutcomes)',
      usingMetrics: {
        campaignDelivered: byCampaign(METRICS.messagesDelivered, 'delivered'),
        campaignOutcomes: byCampaign(DELIVERY_OUTCOME_METRICS, 'outcomes'),
      },
      label: 'Delivery rate, all campaigns',
      period: MONITORING_PERIOD,
    });

    const rateAxis: cw.YAxisProps = { min: 0, max: 1, showUnits: false };
    const queueList = Object.values(queues);
    const functionList = Object.values(functions);

    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(6),
      variables: [
        new cw.DashboardVariable({
          id: 'tenant',
          label: 'Tenant',
          type: cw.VariableType.PROPERTY,
          value: DIMENSIONS.tenant,
          inputType: cw.VariableInputType.SELECT,
          values: cw.Values.fromSearch(
            `{${namespace},${[...TENANT_DIMENSION_SET].sort().join(',')}} service="${METRIC_SERVICE}" MetricName="${METRICS.messagesSent}"`,
            DIMENSIONS.tenant,
          ),
          defaultValue: cw.DefaultValue.FIRST,
          visible: true,
        }),
        new cw.DashboardVariable({
          id: 'senderNumber',
          label: 'Sender number',
          type: cw.VariableType.PROPERTY,
          value: DIMENSIONS.senderNumber,
          inputType: cw.VariableInputType.SELECT,
          values: cw.Values.fromSearch(
            `{${namespace},${[...SENDER_NUMBER_DIMENSION_SET].sort().join(',')}} service="${METRIC_SERVICE}" MetricName="${METRICS.messagesSent}"`,
            DIMENSIONS.senderNumber,
          ),
          defaultValue: cw.DefaultValue.FIRST,
          visible: true,
        }),
      ],
    });

    this.dashboard.addWidgets(
      new cw.TextWidget({
        markdown: [
          `# SMS conversations (${config.stage})`,
          'Delivery rate = delivered / (delivered + undelivered + failed). Per-tenant series come from SEARCH over',
          `\`{${namespace},${[...TENANT_DIMENSION_SET].sort().join(',')}}\`; pick a tenant above for its own rate.`,
          `Per sender number (delivery metrics only): \`{${namespace},${[...SENDER_NUMBER_DIMENSION_SET].sort().join(',')}}\`; pick a tenant and one of its numbers for the number's rate.`,
        ].join('\n'),
        width: 24,
        height: 3,
      }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Delivery rate, all tenants (SEARCH)',
        left: [deliveryRateAllTenants],
        leftYAxis: rateAxis,
        leftAnnotations: [{ value: thresholds.deliveryRateBelow, label: 'alarm threshold' }],
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Delivery rate, selected tenant',
        left: [deliveryRateSelectedTenant],
        leftYAxis: rateAxis,
        width: 8,
      }),
      new cw.AlarmWidget({
        title: 'Delivery rate alarm',
        alarm: this.deliveryRateAlarm,
        leftYAxis: rateAxis,
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({ title: 'Sent by tenant', left: [byTenant(METRICS.messagesSent)], width: 6 }),
      new cw.GraphWidget({
        title: 'Delivered by tenant',
        left: [byTenant(METRICS.messagesDelivered)],
        width: 6,
      }),
      new cw.GraphWidget({
        title: 'Undelivered by tenant',
        left: [byTenant(METRICS.messagesUndelivered)],
        width: 6,
      }),
      new cw.GraphWidget({ title: 'Failed by tenant', left: [byTenant(METRICS.messagesFailed)], width: 6 }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Sent by sender number',
        left: [bySenderNumber(METRICS.messagesSent, numberLabel)],
        width: 6,
      }),
      new cw.GraphWidget({
        title: 'Delivered by sender number',
        left: [bySenderNumber(METRICS.messagesDelivered, numberLabel)],
        width: 6,
      }),
      new cw.GraphWidget({
        title: 'Undelivered / failed by sender number',
        left: [
          bySenderNumber(
            [METRICS.messagesUndelivered, METRICS.messagesFailed],
            `\${PROP('MetricName')} ${numberLabel}`,
          ),
        ],
        width: 6,
      }),
      new cw.GraphWidget({
        title: 'Delivery rate, selected sender number',
        left: [deliveryRateSelectedNumber],
        leftYAxis: rateAxis,
        width: 6,
      }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Sent by campaign',
        left: [byCampaign(METRICS.messagesSent, campaignLabel)],
        width: 6,
      }),
      new cw.GraphWidget({
        title: 'Delivered by campaign',
        left: [byCampaign(METRICS.messagesDelivered, campaignLabel)],
        width: 6,
      }),
      new cw.GraphWidget({
        title: 'Undelivered / failed by campaign',
        left: [
          byCampaign(
            [METRICS.messagesUndelivered, METRICS.messagesFailed],
            `\${PROP('MetricName')} ${campaignLabel}`,
          ),
        ],
        width: 6,
      }),
      new cw.GraphWidget({
        title: 'Delivery rate, all campaigns',
        left: [campaignDeliveryRate],
        leftYAxis: rateAxis,
        width: 6,
      }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Delivery latency by tenant (p50 / p90 / p99, ms)',
        left: (['p50', 'p90', 'p99'] as const).map((stat) =>
          search(METRICS.deliveryLatency, stat, `${stat} \${PROP('Dim.${DIMENSIONS.tenant}')}`),
        ),
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Twilio API failures by tenant',
        left: [byTenant(METRICS.twilioApiFailures)],
        width: 8,
      }),
      new cw.GraphWidget({
        // Accepted with the previous token: a rotation still propagating (tenant put --previous-token-grace).
        title: 'Signature rejections / accepted with the previous token, by tenant',
        left: [
          search(METRICS.signatureRejected, 'Sum', `rejected \${PROP('Dim.${DIMENSIONS.tenant}')}`),
          search(
            METRICS.signatureAcceptedWithPreviousToken,
            'Sum',
            `previous token \${PROP('Dim.${DIMENSIONS.tenant}')}`,
          ),
        ],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        // Late: received before the conversation's last applied message (a redrive), recorded, not applied.
        title: 'Inbound messages / late messages, by tenant',
        left: [
          search(METRICS.inboundReceived, 'Sum', `inbound \${PROP('Dim.${DIMENSIONS.tenant}')}`),
          search(METRICS.lateMessages, 'Sum', `late \${PROP('Dim.${DIMENSIONS.tenant}')}`),
        ],
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Conversations started / completed by tenant',
        left: [
          search(METRICS.conversationsStarted, 'Sum', `started \${PROP('Dim.${DIMENSIONS.tenant}')}`),
          search(METRICS.conversationsCompleted, 'Sum', `completed \${PROP('Dim.${DIMENSIONS.tenant}')}`),
        ],
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Undelivered / failed by Twilio error code (30007 = carrier filtering)',
        left: [
          new cw.MathExpression({
            expression: `SEARCH('{${namespace},${[DIMENSIONS.errorCode, DIMENSIONS.tenant, 'service'].sort().join(',')}} service="${METRIC_SERVICE}" MetricName="${METRICS.deliveryErrors}"', 'Sum', ${MONITORING_PERIOD.toSeconds()})`,
            usingMetrics: {},
            label: `\${PROP('Dim.${DIMENSIONS.errorCode}')} \${PROP('Dim.${DIMENSIONS.tenant}')}`,
            period: MONITORING_PERIOD,
          }),
        ],
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Opt-outs / sends blocked by opt-out, by tenant',
        left: [
          search(METRICS.optOuts, 'Sum', `opt-outs \${PROP('Dim.${DIMENSIONS.tenant}')}`),
          search(METRICS.sendsBlockedByOptOut, 'Sum', `blocked \${PROP('Dim.${DIMENSIONS.tenant}')}`),
        ],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Completion webhooks by tenant (failed = moved to the webhooks DLQ)',
        left: [
          search(METRICS.webhooksDelivered, 'Sum', `delivered \${PROP('Dim.${DIMENSIONS.tenant}')}`),
          search(METRICS.webhookAttemptsFailed, 'Sum', `retried \${PROP('Dim.${DIMENSIONS.tenant}')}`),
          search(METRICS.webhooksFailed, 'Sum', `failed \${PROP('Dim.${DIMENSIONS.tenant}')}`),
        ],
        width: 12,
      }),
      new cw.GraphWidget({
        title: 'Completion webhook latency by tenant (p90, ms)',
        left: [search(METRICS.webhookLatency, 'p90', `p90 \${PROP('Dim.${DIMENSIONS.tenant}')}`)],
        width: 12,
      }),
    );
    // The understanding port (issue #19): what the model costs, how fast it answers, how often the types agree.
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Understanding tokens by tenant (input / output)',
        left: [
          search(METRICS.understandingInputTokens, 'Sum', `input \${PROP('Dim.${DIMENSIONS.tenant}')}`),
          search(METRICS.understandingOutputTokens, 'Sum', `output \${PROP('Dim.${DIMENSIONS.tenant}')}`),
        ],
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Understanding proposals by tenant (accepted / rejected by the types; no answer)',
        left: [
          search(
            METRICS.understandingProposalsAccepted,
            'Sum',
            `accepted \${PROP('Dim.${DIMENSIONS.tenant}')}`,
          ),
          search(
            METRICS.understandingProposalsRejected,
            'Sum',
            `rejected \${PROP('Dim.${DIMENSIONS.tenant}')}`,
          ),
          search(METRICS.understandingTimeouts, 'Sum', `timeouts \${PROP('Dim.${DIMENSIONS.tenant}')}`),
          search(METRICS.understandingFailures, 'Sum', `failures \${PROP('Dim.${DIMENSIONS.tenant}')}`),
          search(
            METRICS.understandingBudgetExhausted,
            'Sum',
            `budget used up \${PROP('Dim.${DIMENSIONS.tenant}')}`,
          ),
        ],
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Understanding latency by tenant (p90, ms)',
        left: [search(METRICS.understandingLatency, 'p90', `p90 \${PROP('Dim.${DIMENSIONS.tenant}')}`)],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'DLQ depth (messages visible)',
        left: queueList.map((pair) =>
          pair.dlq.metricApproximateNumberOfMessagesVisible({
            period: MONITORING_PERIOD,
            statistic: cw.Stats.MAXIMUM,
            label: `${pair.spec.id} DLQ`,
          }),
        ),
        leftAnnotations: [{ value: thresholds.dlqMessagesAtLeast, label: 'alarm threshold' }],
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'DLQ age of oldest message (s)',
        left: queueList.map((pair) =>
          pair.dlq.metricApproximateAgeOfOldestMessage({
            period: MONITORING_PERIOD,
            statistic: cw.Stats.MAXIMUM,
            label: `${pair.spec.id} DLQ`,
          }),
        ),
        leftAnnotations: [{ value: thresholds.dlqOldestMessageSeconds, label: 'alarm threshold' }],
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Queue backlog (messages visible / oldest age s)',
        left: queueList.map((pair) =>
          pair.queue.metricApproximateNumberOfMessagesVisible({
            period: MONITORING_PERIOD,
            statistic: cw.Stats.MAXIMUM,
            label: `${pair.spec.id} visible`,
          }),
        ),
        right: queueList.map((pair) =>
          pair.queue.metricApproximateAgeOfOldestMessage({
            period: MONITORING_PERIOD,
            statistic: cw.Stats.MAXIMUM,
            label: `${pair.spec.id} oldest`,
          }),
        ),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Lambda errors',
        left: functionList.map((fn) =>
          fn.function.metricErrors({ period: MONITORING_PERIOD, statistic: cw.Stats.SUM, label: fn.spec.id }),
        ),
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Lambda throttles',
        left: functionList.map((fn) =>
          fn.function.metricThrottles({
            period: MONITORING_PERIOD,
            statistic: cw.Stats.SUM,
            label: fn.spec.id,
          }),
        ),
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Lambda duration p99 (ms)',
        left: functionList.map((fn) =>
          fn.function.metricDuration({
            period: MONITORING_PERIOD,
            statistic: cw.Stats.p(99),
            label: fn.spec.id,
          }),
        ),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Webhook API requests / 4XX / 5XX',
        left: [
          props.api.metricCount({ period: MONITORING_PERIOD, statistic: cw.Stats.SUM, label: 'requests' }),
          props.api.metricClientError({ period: MONITORING_PERIOD, statistic: cw.Stats.SUM, label: '4XX' }),
          props.api.metricServerError({ period: MONITORING_PERIOD, statistic: cw.Stats.SUM, label: '5XX' }),
        ],
        width: 12,
      }),
      new cw.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 12 }),
    );
  }

  /** One alarm: 5-minute periods, missing data is fine, notifies the alarm topic on ALARM and OK. */
  private alarm(
    id: string,
    props: { description: string } & Pick<cw.AlarmProps, 'metric' | 'threshold' | 'comparisonOperator'>,
  ): cw.Alarm {
    const alarm = new cw.Alarm(this, `${id}Alarm`, {
      alarmName: `${this.alarmNamePrefix}-${id}`,
      alarmDescription: props.description,
      metric: props.metric,
      threshold: props.threshold,
      comparisonOperator: props.comparisonOperator,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.alarmAction);
    alarm.addOkAction(this.alarmAction);
    this.alarms.push(alarm);
    return alarm;
  }

  /** `<name>AllTenants` metrics, counted by metric filters on every function's log group. */
  private allTenantsMetrics(
    functions: Readonly<Record<FunctionId, FunctionWithLogGroup>>,
  ): Map<string, cw.Metric> {
    const result = new Map<string, cw.Metric>();
    for (const metricName of ALL_TENANTS_METRICS) {
      for (const fn of Object.values(functions)) {
        new logs.MetricFilter(this, `${pascal(fn.spec.id)}${metricName}Filter`, {
          logGroup: fn.logGroup,
          filterPattern: logs.FilterPattern.all(
            logs.FilterPattern.stringValue('$.service', '=', METRIC_SERVICE),
            logs.FilterPattern.numberValue(`$.${metricName}`, '>=', 0),
          ),
          metricNamespace: this.config.metricsNamespace,
          metricName: allTenantsMetricName(metricName),
          metricValue: `$.${metricName}`,
        });
      }
      result.set(
        metricName,
        new cw.Metric({
          namespace: this.config.metricsNamespace,
          metricName: allTenantsMetricName(metricName),
          statistic: cw.Stats.SUM,
          period: MONITORING_PERIOD,
        }),
      );
    }
    return result;
  }
}
