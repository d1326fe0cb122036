import { CAMPAIGN_ACTIONS, controlCampaign } from '../../lambdas/conversations-api/campaigns/control';
import type { CampaignDeps } from '../../lambdas/conversations-api/campaigns/deps';
import { listCampaigns, showCampaign } from '../../lambdas/conversations-api/campaigns/read';
import { type CampaignOutcome, refused } from '../../lambdas/conversations-api/campaigns/refusal';
import { campaignView } from '../../lambdas/conversations-api/campaigns/view';
import { isCampaignId, transitionCampaign } from '../../lambdas/domain/campaign/campaign';
import type { CampaignRecord } from '../../lambdas/ports/campaign-store';
import type {
  CampaignControlResult,
  ConsoleCampaign,
  ConsoleCampaignAction,
  ConsoleCampaignList,
} from './api-types';

/**
 * The console's campaigns: listed, shown and paused, resumed or cancelled through the use cases the
 * campaigns API and `smsctl campaign` run (lambdas/conversations-api/campaigns), on the same
 * adapters, so the console has no state machine of its own.
 */
export interface ConsoleCampaigns {
  list(tenantId: string): Promise<CampaignOutcome<ConsoleCampaignList>>;
  show(tenantId: string, campaignId: string): Promise<CampaignOutcome<ConsoleCampaign>>;
  control(
    tenantId: string,
    campaignId: string,
    action: ConsoleCampaignAction,
  ): Promise<CampaignOutcome<CampaignControlResult>>;
}

/** The console lists one page: a local stack rarely holds more, and `smsctl campaign list` pages the rest. */
const LIST_LIMIT = '50';

export function consoleCampaigns(deps: CampaignDeps): ConsoleCampaigns {
  function consoleCampaign(record: CampaignRecord): ConsoleCampaign {
    const now = deps.now();
    const startAt = new Date(record.startAt);
    // Offered only when transitionCampaign would move the state: a retried pause is no button.
    const actions = CAMPAIGN_ACTIONS.filter((action) => {
      const move = transitionCampaign({ state: record.state, startAt }, action, now);
      return move.ok && move.changed;
    });
    return { ...campaignView(record), actions };
  }

  return {
    async list(tenantId) {
      const outcome = await listCampaigns({ tenantId, limit: LIST_LIMIT }, deps);
      if (!outcome.ok) return outcome;
      return {
        ok: true,
        value: {
          tenantId,
          campaigns: outcome.value.campaigns.map(consoleCampaign),
          more: outcome.value.cursor !== undefined,
        },
      };
    },

    async show(tenantId, campaignId) {
      const outcome = await showCampaign({ tenantId, campaignId }, deps);
      return outcome.ok ? { ok: true, value: consoleCampaign(outcome.value) } : outcome;
    },

    async control(tenantId, campaignId, action) {
      if (!isCampaignId(campaignId))
        return refused({
          status: 400,
          error: 'invalid-request',
          message: `invalid campaign id "${campaignId}": expected cmp- and 32 hex digits`,
        });
      const outcome = await controlCampaign({ tenantId, campaignId, action }, deps);
      if (!outcome.ok) return outcome;
      return {
        ok: true,
        value: { changed: outcome.value.changed, campaign: consoleCampaign(outcome.value.campaign) },
      };
    },
  };
}
