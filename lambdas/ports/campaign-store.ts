import type { CampaignCounter, CampaignCounters, CampaignState } from '../domain/campaign/campaign';
import type { CampaignSkipReason } from '../domain/campaign/campaign';
import type { PoolMember } from '../domain/number-pool';

/**
 * Campaigns in the single table (lambdas/adapters/dynamodb/campaign-store.ts), under `CAMPAIGN#`:
 * - `CAMPAIGN#<tenantId>#<campaignId>` / `META`: the campaign (definition, state, counters, sender
 *   clocks of the dispatch plan);
 * - the same partition / `R#<phone>`: one recipient (its variables, time zone, line, state, and the
 *   sender number it was given), written once per phone (a conditional put: duplicates past the
 *   reader's window are caught here);
 * - the same partition / `DUE#<notBeforeMs, 13 digits>#<phone>`: a recipient waiting to be released,
 *   in the order the dispatcher reads them (start time, then quiet hours);
 * - `CAMPAIGNS#<tenantId>` / `<createdAt>#<campaignId>`: the tenant's campaigns, newest last.
 * A campaign's partition takes 100,000 recipients (an item collection has no size limit without an
 * LSI); its writes are the upload's and the dispatcher's, spread over time.
 */

/** Who sends a campaign's messages. A pool is copied when the campaign is created. */
export type CampaignSender =
  | { readonly kind: 'number'; readonly from: string; readonly segmentsPerSecond?: number }
  | { readonly kind: 'pool'; readonly pool: string; readonly members: readonly PoolMember[] }
  /**
   * Twilio sends through the tenant's Messaging Service. `from` is the service's number the
   * campaign's conversations are kept on and paced as (a reply continues the workflow when it comes
   * to this number; Twilio's sticky sender keeps a customer on one number of the service).
   */
  | { readonly kind: 'messaging-service'; readonly from: string; readonly segmentsPerSecond?: number };

/** What each recipient gets first: a workflow's opening (greeting and first prompt), or one message. */
export type CampaignContent =
  | { readonly kind: 'workflow'; readonly workflowId: string; readonly routeId?: string }
  | { readonly kind: 'message'; readonly body: string };

export interface CampaignDefinition {
  readonly tenantId: string;
  readonly campaignId: string;
  readonly name?: string;
  readonly sender: CampaignSender;
  readonly content: CampaignContent;
  readonly mediaUrls?: readonly string[];
  /** `HH:MM-HH:MM` (quiet-hours.ts), on each recipient's clock. */
  readonly quietHours?: string;
  /** The time zone for recipients whose own is not known (recipient-timezone.ts). */
  readonly defaultTimeZone: string;
  /**
   * ISO 3166 alpha-2 country that recipients' national numbers are read in (recipient-phone.ts);
   * absent: `US`.
   */
  readonly defaultCountry?: string;
  /** ISO 8601: nothing is released before. */
  readonly startAt: string;
  readonly createdAt: string;
  /** The Idempotency-Key the campaign was created with, if any (its id derives from it). */
  readonly idempotencyKey?: string;
}

export interface CampaignRecord extends CampaignDefinition {
  readonly state: CampaignState;
  /** Every recipient has been added: until then `total` is only what was added so far. */
  readonly recipientsComplete: boolean;
  readonly counters: CampaignCounters;
  /** The dispatch plan's per-sender clocks (dispatch-plan.ts SenderClocks). */
  readonly senderClocks: Readonly<Record<string, number>>;
  readonly updatedAt: string;
}

/** One recipient as the reader yields it (recipients.ts) and the store keeps it. */
export interface CampaignRecipient {
  readonly phone: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly timezone?: string;
  /** The line of the recipients file (or the position in an API request), for reports. */
  readonly line: number;
  /** When it may be released first (epoch ms): the campaign's start, later for quiet hours. */
  readonly notBeforeMs: number;
}

/** A recipient whose time has come, as the dispatcher reads it. */
export interface DueRecipient extends CampaignRecipient {
  /** The sender it was given, once it was given one (sticky across retries). */
  readonly from?: string;
}

export type RecipientRelease =
  /** Queued on the outbound queue with this send id, from this number. */
  | { readonly kind: 'queued'; readonly sendId: string; readonly from: string }
  | { readonly kind: 'skipped'; readonly reason: CampaignSkipReason }
  /** Not yet: quiet hours (or a paused sender); back in the due list at `notBeforeMs`. */
  | { readonly kind: 'postponed'; readonly notBeforeMs: number };

export type CampaignTransitionResult =
  | { readonly ok: true; readonly campaign: CampaignRecord }
  /** The campaign's state was not `from` (someone else moved it): read it again. */
  | { readonly ok: false; readonly current: CampaignRecord | undefined };

export interface CampaignStore {
  /** Creates the campaign (`scheduled`, no recipients). `existing` when the id is taken (a retried create). */
  create(
    definition: CampaignDefinition,
  ): Promise<{ created: true } | { created: false; existing: CampaignRecord }>;
  get(tenantId: string, campaignId: string): Promise<CampaignRecord | undefined>;
  /**
   * The tenant's campaigns, newest first, `limit` at a time. `cursor` (absent on the last page) is
   * the list entry's sort key of the page's last campaign, `<createdAt>#<campaignId>`; the next
   * page starts after it.
   */
  list(
    tenantId: string,
    options: { limit: number; cursor?: string },
  ): Promise<{ campaigns: CampaignRecord[]; cursor?: string }>;
  /**
   * Adds recipients (at most 25 at a time: one BatchWrite of recipient and due items, each a
   * conditional put on the phone): returns those already in the campaign, which count as
   * `skippedDuplicate`; the others add to `total`.
   */
  addRecipients(
    tenantId: string,
    campaignId: string,
    recipients: readonly CampaignRecipient[],
  ): Promise<{ added: number; duplicates: readonly CampaignRecipient[] }>;
  /** Rows refused before they reached the store (bad phone, bad values): counted as `skippedInvalid`. */
  countInvalid(tenantId: string, campaignId: string, count: number): Promise<void>;
  /** The file was read to the end: the dispatcher may complete the campaign once every recipient is released. */
  markRecipientsComplete(tenantId: string, campaignId: string): Promise<void>;
  /** Moves the state if it is still `from` (a conditional write). */
  transition(
    tenantId: string,
    campaignId: string,
    from: CampaignState,
    to: CampaignState,
    at: string,
  ): Promise<CampaignTransitionResult>;
  /** Recipients due at `nowMs`, oldest first. */
  dueRecipients(tenantId: string, campaignId: string, nowMs: number, limit: number): Promise<DueRecipient[]>;
  /**
   * Releases a due recipient, once: one transaction deletes its due item (conditionally: a second
   * release of the same recipient fails and returns false), records the outcome on its recipient
   * item and adds to the campaign's counters (`queued` or the skip reason; nothing for a postponement,
   * which puts a new due item instead).
   */
  release(
    tenantId: string,
    campaignId: string,
    recipient: DueRecipient,
    release: RecipientRelease,
  ): Promise<boolean>;
  /** The dispatch plan's clocks after a tick. */
  saveSenderClocks(
    tenantId: string,
    campaignId: string,
    clocks: Readonly<Record<string, number>>,
  ): Promise<void>;
  /**
   * Adds to counters the status, conversation and sender functions report (sent, delivered,
   * undelivered, failed, optedOut, replied, completed). Callers keep each "once" themselves
   * (campaignCountersForStatus on a status that advanced; a conversation's first reply).
   */
  addCounters(
    tenantId: string,
    campaignId: string,
    counters: Partial<Readonly<Record<CampaignCounter, number>>>,
  ): Promise<void>;
}
