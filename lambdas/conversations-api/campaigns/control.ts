import { transitionCampaign } from '../../domain/campaign/campaign';
import type { CampaignRecord } from '../../ports/campaign-store';
import type { CampaignDeps } from './deps';
import { campaignNotFound, type CampaignOutcome, refused } from './refusal';
import { putFirstTick } from './tick';

/** What an operator may do to a campaign (API `POST .../campaigns/{campaignId}/{action}`, smsctl). */
export const CAMPAIGN_ACTIONS = ['pause', 'resume', 'cancel'] as const;
export type CampaignAction = (typeof CAMPAIGN_ACTIONS)[number];

export function isCampaignAction(value: string): value is CampaignAction {
  return (CAMPAIGN_ACTIONS as readonly string[]).includes(value);
}

export interface ControlCampaignCommand {
  readonly tenantId: string;
  readonly campaignId: string;
  readonly action: CampaignAction;
}

export interface ControlledCampaign {
  readonly campaign: CampaignRecord;
  /** False when the campaign already was where the action takes it (a retried pause or cancel). */
  readonly changed: boolean;
}

/** The dispatcher may move the state between our read and our write (start, complete): read again. */
const MAX_ATTEMPTS = 5;

/**
 * Pauses, resumes or cancels a campaign: transitionCampaign decides (409 for a move it refuses),
 * the store moves the state only from the one read. A pause or cancel is seen by the dispatcher's
 * next tick (seconds); a resume puts a tick of its own, since a paused campaign's ticks stopped.
 */
export async function controlCampaign(
  command: ControlCampaignCommand,
  deps: CampaignDeps,
): Promise<CampaignOutcome<ControlledCampaign>> {
  const { tenantId, campaignId, action } = command;
  let campaign = await deps.campaigns.get(tenantId, campaignId);
  for (let attempt = 1; ; attempt += 1) {
    if (!campaign) return refused(campaignNotFound(tenantId, campaignId));
    const now = deps.now();
    const move = transitionCampaign(
      { state: campaign.state, startAt: new Date(campaign.startAt) },
      action,
      now,
    );
    if (!move.ok) return refused({ status: move.status, error: move.error, message: move.message });
    if (!move.changed) return { ok: true, value: { campaign, changed: false } };
    const moved = await deps.campaigns.transition(
      tenantId,
      campaignId,
      campaign.state,
      move.state,
      now.toISOString(),
    );
    if (moved.ok) {
      // A resumed campaign still waiting for its file gets its first tick when the file is complete.
      if (action === 'resume' && (moved.campaign.recipientsComplete || moved.campaign.state === 'running'))
        await putFirstTick(deps.ticks, moved.campaign, now);
      return { ok: true, value: { campaign: moved.campaign, changed: true } };
    }
    if (attempt >= MAX_ATTEMPTS)
      throw new Error(
        `campaign ${campaignId} of tenant ${tenantId} kept changing under ${MAX_ATTEMPTS} attempts`,
      );
    campaign = moved.current;
  }
}
