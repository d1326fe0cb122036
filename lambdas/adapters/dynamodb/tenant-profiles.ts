import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TenantProfiles } from '../../ports/tenant-profiles';
import { keys } from './keys';

/**
 * The tenant's profile item (`TENANT#<id>` / `PROFILE`), which `smsctl tenant put` writes beside the
 * secret: read by functions that may not read the secret itself (the conversations API).
 */
export class DynamoTenantProfiles implements TenantProfiles {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async messagingServiceSid(tenantId: string): Promise<string | undefined> {
    const { Item: item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.tenantProfile(tenantId) }),
    );
    return typeof item?.messagingServiceSid === 'string' && item.messagingServiceSid !== ''
      ? item.messagingServiceSid
      : undefined;
  }
}
