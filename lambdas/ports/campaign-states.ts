import type { CampaignState } from '../domain/campaign/campaign';

/**
 * A campaign's state as the sender reads it, to refuse the released sends of a cancelled campaign
 * (releasedSendProceeds). A read of one attribute: the sender never writes a campaign's definition.
 */
export interface CampaignStates {
  /** Undefined: no such campaign. */
  stateOf(tenantId: string, campaignId: string): Promise<CampaignState | undefined>;
}
