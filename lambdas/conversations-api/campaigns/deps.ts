import type { CampaignTickMessage } from '../../domain/queue-messages';
import type { OutboundUrlPolicy } from '../../domain/outbound-url-policy';
import type { CampaignStore } from '../../ports/campaign-store';
import type { MessageQueue } from '../../ports/message-queue';
import type { NumberPools } from '../../ports/number-pools';
import type { TenantLookup } from '../../ports/tenant-directory';
import type { TenantProfiles } from '../../ports/tenant-profiles';

/**
 * What the campaign use cases (create, recipients, control, read) run on. The same for the API
 * function and `smsctl campaign`: only the adapters behind these ports differ (dynamo-deps.ts).
 */
export interface CampaignDeps {
  readonly campaigns: CampaignStore;
  readonly tenants: TenantLookup;
  readonly profiles: TenantProfiles;
  readonly pools: NumberPools;
  /** The `campaigns` queue: a tick starts (or resumes) a campaign's dispatcher. */
  readonly ticks: MessageQueue<CampaignTickMessage>;
  readonly now: () => Date;
  /** 32 hex digits (a campaign's id when the request has no Idempotency-Key). */
  readonly randomId: () => string;
  /** This stage's outbound URL policy for pictures; absent: the deployed stages' (strict). */
  readonly mediaUrlPolicy?: OutboundUrlPolicy;
}
