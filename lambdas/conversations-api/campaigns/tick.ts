import { tickDelaySeconds } from '../../domain/campaign/dispatch-plan';
import type { CampaignTickMessage } from '../../domain/queue-messages';
import type { MessageQueue } from '../../ports/message-queue';

/**
 * Starts a campaign's dispatcher: one tick on the `campaigns` queue, held back until the start
 * time (or as close as SQS can hold it). Each tick schedules the next one itself.
 */
export async function putFirstTick(
  ticks: MessageQueue<CampaignTickMessage>,
  campaign: { readonly tenantId: string; readonly campaignId: string; readonly startAt: string },
  now: Date,
): Promise<void> {
  await ticks.send([
    {
      body: { v: 1, tenantId: campaign.tenantId, campaignId: campaign.campaignId },
      delaySeconds: tickDelaySeconds(Date.parse(campaign.startAt), now.getTime()),
    },
  ]);
}
