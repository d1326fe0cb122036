import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type CampaignState, isCampaignState } from '../../domain/campaign/campaign';
import type { CampaignStates } from '../../ports/campaign-states';
import { keys } from './keys';

/** The `state` attribute of a campaign's `META` item (lambdas/ports/campaign-store.ts). */
export class DynamoCampaignStates implements CampaignStates {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async stateOf(tenantId: string, campaignId: string): Promise<CampaignState | undefined> {
    const { Item: item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.campaign(tenantId, campaignId),
        ProjectionExpression: '#state',
        ExpressionAttributeNames: { '#state': 'state' },
        // Eventually consistent: callers cache the answer for seconds anyway.
        ConsistentRead: false,
      }),
    );
    const state = item?.state;
    return typeof state === 'string' && isCampaignState(state) ? state : undefined;
  }
}
