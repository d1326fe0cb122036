import { type CampaignProgress, campaignProgress, type CampaignState } from '../../domain/campaign/campaign';
import type { CampaignRecord } from '../../ports/campaign-store';
import { DEFAULT_CAMPAIGN_COUNTRY } from './request';

/**
 * A campaign as the API answers and `smsctl campaign show --json` prints it: the request's own
 * field names (`from` | `pool` | `messagingService`, `workflowId` | `body`, ...), its state and its
 * progress. Nothing about recipients beyond counts.
 */
export interface CampaignView {
  readonly tenantId: string;
  readonly campaignId: string;
  readonly name?: string;
  readonly state: CampaignState;
  /** Every recipient was added: until then `progress.total` is only what was added so far. */
  readonly recipientsComplete: boolean;
  readonly from?: string;
  readonly pool?: string;
  /** A pool's numbers as copied when the campaign was created. */
  readonly numbers?: readonly string[];
  readonly messagingService?: true;
  readonly workflowId?: string;
  readonly routeId?: string;
  readonly body?: string;
  readonly mediaUrls?: readonly string[];
  readonly quietHours?: string;
  readonly timeZone: string;
  readonly defaultCountry: string;
  readonly startAt: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly progress: CampaignProgress;
}

export function campaignView(campaign: CampaignRecord): CampaignView {
  const { sender, content } = campaign;
  return {
    tenantId: campaign.tenantId,
    campaignId: campaign.campaignId,
    ...(campaign.name !== undefined ? { name: campaign.name } : {}),
    state: campaign.state,
    recipientsComplete: campaign.recipientsComplete,
    ...(sender.kind === 'number' ? { from: sender.from } : {}),
    ...(sender.kind === 'pool'
      ? { pool: sender.pool, numbers: sender.members.map((member) => member.number) }
      : {}),
    ...(sender.kind === 'messaging-service' ? { messagingService: true as const, from: sender.from } : {}),
    ...(content.kind === 'workflow'
      ? {
          workflowId: content.workflowId,
          ...(content.routeId !== undefined ? { routeId: content.routeId } : {}),
        }
      : { body: content.body }),
    ...(campaign.mediaUrls !== undefined && campaign.mediaUrls.length > 0
      ? { mediaUrls: campaign.mediaUrls }
      : {}),
    ...(campaign.quietHours !== undefined ? { quietHours: campaign.quietHours } : {}),
    timeZone: campaign.defaultTimeZone,
    defaultCountry: campaign.defaultCountry ?? DEFAULT_CAMPAIGN_COUNTRY,
    startAt: campaign.startAt,
    createdAt: campaign.createdAt,
    updatedAt: campaign.updatedAt,
    progress: campaignProgress(campaign.counters),
  };
}
