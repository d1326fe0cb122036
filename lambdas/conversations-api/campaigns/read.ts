import { isCampaignId } from '../../domain/campaign/campaign';
import type { CampaignRecord } from '../../ports/campaign-store';
import type { CampaignDeps } from './deps';
import { campaignNotFound, type CampaignOutcome, refused } from './refusal';

/** A campaign and the tenant's campaigns (API GET routes, `smsctl campaign show|list`). */

export async function showCampaign(
  command: { readonly tenantId: string; readonly campaignId: string },
  deps: Pick<CampaignDeps, 'campaigns'>,
): Promise<CampaignOutcome<CampaignRecord>> {
  const { tenantId, campaignId } = command;
  // Another tenant's campaign is not found: its key is under that tenant.
  const campaign = isCampaignId(campaignId) ? await deps.campaigns.get(tenantId, campaignId) : undefined;
  return campaign ? { ok: true, value: campaign } : refused(campaignNotFound(tenantId, campaignId));
}

export const DEFAULT_LIST_LIMIT = 20;
export const MAX_LIST_LIMIT = 100;

/** A list cursor as the store gives it: the last listed campaign's `<createdAt>#<campaignId>`. */
const LIST_CURSOR = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z#cmp-[0-9a-f]{32}$/;

export interface CampaignPage {
  readonly campaigns: readonly CampaignRecord[];
  /** Absent on the last page. */
  readonly cursor?: string;
}

/** `limit` and `cursor` as the query string gives them (strings), or absent. */
export async function listCampaigns(
  command: { readonly tenantId: string; readonly limit?: string; readonly cursor?: string },
  deps: Pick<CampaignDeps, 'campaigns'>,
): Promise<CampaignOutcome<CampaignPage>> {
  const { tenantId, cursor } = command;
  const limit = command.limit === undefined ? DEFAULT_LIST_LIMIT : Number(command.limit);
  if (!/^\d+$/.test(command.limit ?? '1') || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
    return refused({
      status: 400,
      error: 'invalid-request',
      message: `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`,
    });
  if (cursor !== undefined && !LIST_CURSOR.test(cursor))
    return refused({ status: 400, error: 'invalid-request', message: 'cursor is not one this list gave' });
  const page = await deps.campaigns.list(tenantId, { limit, ...(cursor !== undefined ? { cursor } : {}) });
  return { ok: true, value: page };
}
