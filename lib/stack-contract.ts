/**
 * What tools outside the CDK app (the `smsctl` CLI, scripts) rely on to find a deployed stack and
 * read its outputs. Pure data: no aws-cdk-lib import, so the CLI can load it cheaply.
 */
import type { QueueId } from './topology';

export const STACK_NAME_PREFIX = 'SmsConversations';

/** CloudFormation stack name of a stage, e.g. `SmsConversations-dev`. */
export function stackName(stage: string): string {
  return `${STACK_NAME_PREFIX}-${stage}`;
}

/** The stage a stack name of {@link stackName} belongs to; undefined for any other name. */
export function stageOfStackName(name: string): string | undefined {
  const prefix = `${STACK_NAME_PREFIX}-`;
  return name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : undefined;
}

/** CloudFormation output keys (`OutputKey` in DescribeStacks). Stable: never rename. */
export const OUTPUT_KEYS = {
  /** Public base URL Twilio calls (custom domain or the API's execute-api URL + stage), no trailing slash. */
  apiUrl: 'ApiUrl',
  tableName: 'TableName',
  inboundQueueUrl: 'InboundQueueUrl',
  outboundQueueUrl: 'OutboundQueueUrl',
  statusQueueUrl: 'StatusQueueUrl',
  webhooksQueueUrl: 'WebhooksQueueUrl',
  campaignsQueueUrl: 'CampaignsQueueUrl',
  remindersQueueUrl: 'RemindersQueueUrl',
  inboundDlqUrl: 'InboundDlqUrl',
  outboundDlqUrl: 'OutboundDlqUrl',
  statusDlqUrl: 'StatusDlqUrl',
  webhooksDlqUrl: 'WebhooksDlqUrl',
  campaignsDlqUrl: 'CampaignsDlqUrl',
  remindersDlqUrl: 'RemindersDlqUrl',
  alarmTopicArn: 'AlarmTopicArn',
  tenantSecretPrefix: 'TenantSecretPrefix',
  dashboardName: 'DashboardName',
} as const;

export type OutputKey = (typeof OUTPUT_KEYS)[keyof typeof OUTPUT_KEYS];

/** Output key holding each queue's URL. */
export const QUEUE_URL_OUTPUT_KEYS: Readonly<Record<QueueId, OutputKey>> = {
  inbound: OUTPUT_KEYS.inboundQueueUrl,
  outbound: OUTPUT_KEYS.outboundQueueUrl,
  status: OUTPUT_KEYS.statusQueueUrl,
  webhooks: OUTPUT_KEYS.webhooksQueueUrl,
  campaigns: OUTPUT_KEYS.campaignsQueueUrl,
  reminders: OUTPUT_KEYS.remindersQueueUrl,
};

/** Output key holding the URL of each queue's dead-letter queue. */
export const DLQ_URL_OUTPUT_KEYS: Readonly<Record<QueueId, OutputKey>> = {
  inbound: OUTPUT_KEYS.inboundDlqUrl,
  outbound: OUTPUT_KEYS.outboundDlqUrl,
  status: OUTPUT_KEYS.statusDlqUrl,
  webhooks: OUTPUT_KEYS.webhooksDlqUrl,
  campaigns: OUTPUT_KEYS.campaignsDlqUrl,
  reminders: OUTPUT_KEYS.remindersDlqUrl,
};
