import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { StageConfig } from './config';
import { FunctionWithLogGroup } from './function-with-log-group';
import { Monitoring } from './monitoring';
import { DLQ_URL_OUTPUT_KEYS, OUTPUT_KEYS, QUEUE_URL_OUTPUT_KEYS } from './stack-contract';
import { pascal, StatefulResources } from './stateful';
import {
  type EnvironmentValues,
  type FunctionId,
  functionEnvironment,
  functions,
  type QueueId,
  routes,
  TWILIO_API_BASE_URL_DEFAULT,
} from './topology';
import { WebhookApi } from './webhook-api';

export interface SmsConversationsStackProps extends StackProps {
  readonly config: StageConfig;
}

export interface StatelessResourcesProps {
  readonly config: StageConfig;
  readonly stateful: StatefulResources;
  readonly dashboardName: string;
}

/** Stateless resources: functions, the webhook API, dashboard and alarms. Safe to replace at any time. */
export class StatelessResources extends Construct {
  readonly api: WebhookApi;
  readonly functions: Readonly<Record<FunctionId, FunctionWithLogGroup>>;
  readonly monitoring: Monitoring;
  /** The base URL Twilio calls and signatures are checked against. */
  readonly publicBaseUrl: string;
  /** The values handed to `functionEnvironment()`. */
  readonly environmentValues: EnvironmentValues;

  constructor(scope: Construct, id: string, props: StatelessResourcesProps) {
    super(scope, id);
    const { config, stateful } = props;

    // The API comes first: its id (not its Stage) is part of the URL the functions need.
    this.api = new WebhookApi(this, 'Webhooks', { config });
    this.publicBaseUrl = config.publicBaseUrl ?? this.api.executeApiUrl;

    const mainQueues = mapQueues(stateful, (pair) => pair.queue);
    this.environmentValues = {
      tableName: stateful.table.tableName,
      tenantSecretPrefix: config.tenantSecretPrefix,
      publicBaseUrl: this.publicBaseUrl,
      twilioApiBaseUrl: TWILIO_API_BASE_URL_DEFAULT,
      metricsNamespace: config.metricsNamespace,
      logLevel: config.logLevel,
      stage: config.stage,
      queueUrls: mapQueues(stateful, (pair) => pair.queue.queueUrl),
      dlqUrls: mapQueues(stateful, (pair) => pair.dlq.queueUrl),
    };

    const created: Partial<Record<FunctionId, FunctionWithLogGroup>> = {};
    for (const spec of Object.values(functions)) {
      created[spec.id] = new FunctionWithLogGroup(this, pascal(spec.id), {
        spec,
        environment: functionEnvironment(spec, this.environmentValues),
        config,
        resources: {
          queues: mainQueues,
          deadLetterQueues: mapQueues(stateful, (pair) => pair.dlq),
          table: stateful.table,
        },
      });
    }
    this.functions = created as Record<FunctionId, FunctionWithLogGroup>;

    for (const route of routes) this.api.addRoute(route, this.functions[route.function].function);

    this.monitoring = new Monitoring(this, 'Monitoring', {
      config,
      dashboardName: props.dashboardName,
      alarmTopic: stateful.alarmTopic,
      queues: stateful.queues,
      functions: this.functions,
      api: this.api.api,
      ...(this.api.firewall ? { firewall: this.api.firewall } : {}),
    });
  }
}

function mapQueues<T>(
  stateful: StatefulResources,
  pick: (pair: StatefulResources['queues'][QueueId]) => T,
): Record<QueueId, T> {
  const { inbound, outbound, status, webhooks, campaigns, reminders } = stateful.queues;
  return {
    inbound: pick(inbound),
    outbound: pick(outbound),
    status: pick(status),
    webhooks: pick(webhooks),
    campaigns: pick(campaigns),
    reminders: pick(reminders),
  };
}

/**
 * The whole platform for one stage in one stack: `Data` (table, queues + DLQs, alarm topic; retained
 * and deletion-protected when `config.protectData`) and `App` (functions, API, dashboard, alarms).
 * One stack means one deploy and one set of outputs for the CLI, and no cross-stack exports that
 * would pin the queues and table; the construct boundary keeps the stateful part separable.
 */
export class SmsConversationsStack extends Stack {
  readonly config: StageConfig;
  readonly stateful: StatefulResources;
  readonly stateless: StatelessResources;

  constructor(scope: Construct, id: string, props: SmsConversationsStackProps) {
    super(scope, id, {
      description: `Serverless SMS conversations (Twilio webhooks, SQS FIFO, Lambda, DynamoDB), stage ${props.config.stage}`,
      ...props,
    });
    const { config } = props;
    this.config = config;

    this.stateful = new StatefulResources(this, 'Data', { config });
    this.stateless = new StatelessResources(this, 'App', {
      config,
      stateful: this.stateful,
      dashboardName: this.stackName,
    });

    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { key, value, description });
    output(
      OUTPUT_KEYS.apiUrl,
      this.stateless.publicBaseUrl,
      'Public base URL of the Twilio webhooks (no trailing slash)',
    );
    output(OUTPUT_KEYS.tableName, this.stateful.table.tableName, 'DynamoDB table');
    for (const pair of Object.values(this.stateful.queues)) {
      output(QUEUE_URL_OUTPUT_KEYS[pair.spec.id], pair.queue.queueUrl, `${pair.spec.id} queue URL`);
      output(DLQ_URL_OUTPUT_KEYS[pair.spec.id], pair.dlq.queueUrl, `${pair.spec.id} dead-letter queue URL`);
    }
    output(OUTPUT_KEYS.alarmTopicArn, this.stateful.alarmTopic.topicArn, 'SNS topic of every alarm');
    output(
      OUTPUT_KEYS.tenantSecretPrefix,
      config.tenantSecretPrefix,
      'Tenant secrets: {prefix}/tenants/{tenantId}/twilio',
    );
    output(
      OUTPUT_KEYS.dashboardName,
      this.stateless.monitoring.dashboard.dashboardName,
      'CloudWatch dashboard',
    );
  }
}
