import type { CampaignTickMessage } from '../../domain/queue-messages';
import type { MessageQueue } from '../../ports/message-queue';

/** SQS holds a message back at most 15 minutes: a later start is reached by re-delayed ticks. */
export const MAX_TICK_DELAY_SECONDS = 900;

/** Seconds until the campaign's start, within what SQS can delay (0 when it has come). */
export function tickDelaySeconds(startAt: string, now: Date): number {
  const seconds = Math.ceil((Date.parse(startAt) - now.getTime()) / 1000);
  return Math.min(MAX_TICK_DELAY_SECONDS, Math.max(0, Number.isFinite(seconds) ? seconds : 0));
}

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
      delaySeconds: tickDelaySeconds(campaign.startAt, now),
    },
  ]);
}
