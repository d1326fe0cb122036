import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCampaignStore } from '../../adapters/dynamodb/campaign-store';
import { DynamoNumberPools } from '../../adapters/dynamodb/number-pools';
import { DynamoTenantDirectory } from '../../adapters/dynamodb/tenant-directory';
import { DynamoTenantProfiles } from '../../adapters/dynamodb/tenant-profiles';
import { SqsMessageQueue } from '../../adapters/sqs-message-queue';
import type { OutboundUrlPolicy } from '../../domain/outbound-url-policy';
import type { CampaignDeps } from './deps';

/** The campaign use cases on DynamoDB and SQS, wired the same way for the API function and smsctl. */
export function dynamoCampaignDeps(
  clients: { readonly dynamo: DynamoDBDocumentClient; readonly sqs: SQSClient },
  where: {
    readonly tableName: string;
    readonly campaignsQueueUrl: string;
    readonly mediaUrlPolicy?: OutboundUrlPolicy;
  },
  now: () => Date = () => new Date(),
): CampaignDeps {
  const { dynamo, sqs } = clients;
  return {
    campaigns: new DynamoCampaignStore(dynamo, where.tableName, now),
    // No cache: a number or workflow just put is the one a campaign gets (as DynamoNumberPools).
    tenants: new DynamoTenantDirectory(dynamo, where.tableName, 0),
    profiles: new DynamoTenantProfiles(dynamo, where.tableName),
    pools: new DynamoNumberPools(dynamo, where.tableName),
    ticks: new SqsMessageQueue(sqs, where.campaignsQueueUrl),
    now,
    randomId: () => randomUUID().replaceAll('-', ''),
    ...(where.mediaUrlPolicy ? { mediaUrlPolicy: where.mediaUrlPolicy } : {}),
  };
}
