import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OUTPUT_KEYS } from '../../../lib/stack-contract';
import { awsTarget } from '../../../cli/target';

const OUTPUTS = {
  [OUTPUT_KEYS.tableName]: 'table-dev',
  [OUTPUT_KEYS.tenantSecretPrefix]: 'sms/dev',
  [OUTPUT_KEYS.inboundQueueUrl]: 'https://sqs/inbound.fifo',
  [OUTPUT_KEYS.outboundQueueUrl]: 'https://sqs/outbound.fifo',
  [OUTPUT_KEYS.statusQueueUrl]: 'https://sqs/status',
  [OUTPUT_KEYS.inboundDlqUrl]: 'https://sqs/inbound-dlq.fifo',
  [OUTPUT_KEYS.outboundDlqUrl]: 'https://sqs/outbound-dlq.fifo',
  [OUTPUT_KEYS.statusDlqUrl]: 'https://sqs/status-dlq',
  [OUTPUT_KEYS.webhooksQueueUrl]: 'https://sqs/webhooks',
  [OUTPUT_KEYS.webhooksDlqUrl]: 'https://sqs/webhooks-dlq',
  [OUTPUT_KEYS.campaignsQueueUrl]: 'https://sqs/campaigns',
  [OUTPUT_KEYS.campaignsDlqUrl]: 'https://sqs/campaigns-dlq',
  [OUTPUT_KEYS.remindersQueueUrl]: 'https://sqs/reminders',
  [OUTPUT_KEYS.remindersDlqUrl]: 'https://sqs/reminders-dlq',
};

function stackWith(outputs: Record<string, string>) {
  return vi.spyOn(CloudFormationClient.prototype, 'send').mockImplementation(async (command: unknown) => {
    expect(command).toBeInstanceOf(DescribeStacksCommand);
    return {
      Stacks: [
        { Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) },
      ],
    };
  });
}

/** The deployed target reads everything from the stack's CloudFormation outputs (lib/stack-contract.ts). */
describe('smsctl against AWS', () => {
  afterEach(() => vi.restoreAllMocks());

  it('finds the table, secret prefix and queues through the stack outputs', async () => {
    const send = stackWith(OUTPUTS);
    const target = await awsTarget('SmsConversations-prod');
    expect((send.mock.calls[0]?.[0] as DescribeStacksCommand).input).toEqual({
      StackName: 'SmsConversations-prod',
    });
    expect(target).toMatchObject({
      tableName: 'table-dev',
      tenantSecretPrefix: 'sms/dev',
      queues: {
        inbound: { url: 'https://sqs/inbound.fifo', dlqUrl: 'https://sqs/inbound-dlq.fifo' },
        outbound: { url: 'https://sqs/outbound.fifo', dlqUrl: 'https://sqs/outbound-dlq.fifo' },
        status: { url: 'https://sqs/status', dlqUrl: 'https://sqs/status-dlq' },
        webhooks: { url: 'https://sqs/webhooks', dlqUrl: 'https://sqs/webhooks-dlq' },
        campaigns: { url: 'https://sqs/campaigns', dlqUrl: 'https://sqs/campaigns-dlq' },
        reminders: { url: 'https://sqs/reminders', dlqUrl: 'https://sqs/reminders-dlq' },
      },
    });
  });

  it('names a missing output instead of failing later', async () => {
    const { [OUTPUT_KEYS.statusDlqUrl]: _missing, ...rest } = OUTPUTS;
    stackWith(rest);
    await expect(awsTarget()).rejects.toThrow(/stack SmsConversations-dev has no output StatusDlqUrl/);
  });
});
