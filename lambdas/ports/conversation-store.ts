import type { ConversationCounter } from '../domain/campaign/conversation-counters';
import type { SendPurpose, WebhookQueueMessage } from '../domain/queue-messages';
import type { SlotState } from '../domain/workflow/engine';
import type { ReminderMarker, ResumedPrompt } from '../domain/workflow/reminders';

/**
 * What one conversation is: a customer texting one business number of a tenant. The same customer
 * texting two numbers of a tenant holds two conversations (opt-outs stay per tenant + customer).
 */
export interface ConversationScope {
  readonly tenantId: string;
  readonly businessNumber: string;
  readonly customer: string;
}

export interface ConversationRecord {
  readonly tenantId: string;
  readonly customer: string;
  readonly conversationId: string;
  readonly businessNumber: string;
  readonly workflowId: string;
  readonly slots: SlotState;
  /** Optimistic lock: every write is conditional on the version read. */
  readonly version: number;
  readonly startedAt: string;
  readonly lastActivityAt: string;
  /** ISO time after which the next message starts a new conversation. */
  readonly expiresAt: string;
  /**
   * The customer's last few inbound messages applied to this state, newest last (see
   * RECENT_MESSAGES_KEPT): a second webhook for an applied message is recognised by its SID even
   * though its transcript key (receipt time) differs. Business starts leave it.
   */
  readonly recentMessageSids?: readonly string[];
  /**
   * When the last customer message applied to this state was received: a message received before
   * it (a redrive of an old one) is late and is not applied. Business starts leave it.
   */
  readonly lastInboundAt?: string;
  /**
   * The campaign that started this conversation (startOutbound's campaignId), kept while the
   * conversation lives: the customer's answer, the workflow's completion and a STOP count for it.
   */
  readonly campaignId?: string;
  /** The counters this conversation added to its campaign, each once (conversationCampaignCounters). */
  readonly campaignCounted?: readonly ConversationCounter[];
  /**
   * The reminders sent in the current silence (lambdas/domain/workflow/reminders.ts), written with
   * each reminder; a record without it (every turn and start writes one) removes it.
   */
  readonly reminder?: ReminderMarker;
  /**
   * The prompt a hand-off's release (`resume`) asked again: a silence of its own for reminders
   * (reminders.ts silenceOf); a record without it (every turn and start writes one) removes it.
   */
  readonly resumedPrompt?: ResumedPrompt;
}

/** A reply decided in a turn, waiting to be sent. */
export interface PlannedReply {
  readonly sendId: string;
  readonly transcriptKey: string;
  readonly body: string;
  /** Pictures sent with it as one MMS; absent or empty for an SMS (and in replies recorded before MMS). */
  readonly mediaUrls?: readonly string[];
  /** `agent`: a person wrote it (a hand-off reply); absent: the platform (workflow, start, apology). */
  readonly author?: 'agent';
  /** Carried to its send (OutboundQueueMessage.purpose), also when a redrive queues it again. */
  readonly purpose?: SendPurpose;
}

export interface InboundTranscriptEntry {
  readonly transcriptKey: string;
  readonly messageSid: string;
  readonly conversationId: string;
  readonly from: string;
  readonly to: string;
  readonly body: string;
  readonly mediaUrls: readonly string[];
  readonly at: string;
  /** Why the message got no reply, when it got none (unknown number, ...). */
  readonly note?: string;
}

export interface TurnCommit {
  readonly tenantId: string;
  readonly customer: string;
  /** The state after the turn; undefined when the message did not touch any conversation. */
  readonly conversation?: ConversationRecord;
  /** The version read before the turn (undefined: there was none). */
  readonly expectedVersion?: number;
  readonly inbound: InboundTranscriptEntry;
  readonly replies: readonly PlannedReply[];
  /** The completion webhook this turn owes (onComplete.webhook), recorded with the inbound message. */
  readonly webhook?: WebhookQueueMessage;
  /**
   * Counters the turn adds to a campaign (its conversation's answer, completion, STOP), added in the
   * same transaction as `conversation`, whose `campaignCounted` marks them: so once, whatever the
   * retries. Only with `conversation`. A campaign that no longer exists gets nothing.
   */
  readonly campaignCounters?: {
    readonly campaignId: string;
    readonly counters: readonly ConversationCounter[];
  };
  /**
   * The tenant's list of handed-off conversations (HANDOFFS#), changed in the same transaction as
   * `conversation`: `add` when this turn handed it to a person, `remove` when it replaces a
   * handed-off conversation that expired. Only with `conversation`.
   */
  readonly handoffListing?: HandoffListingChange;
}

export type HandoffListingChange =
  { readonly change: 'add'; readonly entry: HandoffListing } | { readonly change: 'remove' };

/** One conversation in the tenant's list of handed-off conversations (the inbox). */
export interface HandoffListing {
  readonly businessNumber: string;
  readonly customer: string;
  readonly conversationId: string;
  /** When it was handed off, and why. */
  readonly at: string;
  readonly reason: 'fallback' | 'keyword';
}

/** A handed-off conversation as the inbox shows it: its listing and its state now. */
export interface HandedOffConversation extends HandoffListing {
  readonly lastActivityAt: string;
  readonly expiresAt: string;
  readonly workflowId: string;
  readonly routeId?: string;
}

/**
 * What a change no customer message caused (a person's reply, a release, a reminder) writes, in one
 * transaction: the replies' transcript entries (the first one marks the change as done: a retry
 * finds it) and the conversation, conditional on the version read.
 */
export interface NonInboundCommit {
  readonly tenantId: string;
  readonly customer: string;
  readonly businessNumber: string;
  readonly conversation: ConversationRecord;
  readonly expectedVersion: number;
  readonly replies: readonly PlannedReply[];
  readonly at: string;
}

/** A person's reply or a release: and, for a release, the removal of its hand-off listing. */
export interface HandoffCommit extends NonInboundCommit {
  readonly removeListing: boolean;
}

/** The part of the conversation store the hand-off use cases (reply, release, list) use. */
export interface HandoffStore {
  load(scope: ConversationScope): Promise<ConversationRecord | undefined>;
  /** The customer's conversations with each of the tenant's numbers. */
  loadAll(tenantId: string, customer: string): Promise<ConversationRecord[]>;
  /** `duplicate`: the first reply's entry exists (an earlier attempt committed); `conflict`: the state changed. */
  commitHandoff(commit: HandoffCommit): Promise<'committed' | 'conflict' | 'duplicate'>;
  /** The tenant's handed-off conversations that are still handed off and not expired at `now`, oldest first. */
  listHandedOff(tenantId: string, now: string): Promise<HandedOffConversation[]>;
}

export type TurnCommitResult =
  | { outcome: 'committed' }
  /** Another writer changed the conversation since it was read: read again and redo the turn. */
  | { outcome: 'conflict' }
  /** This inbound message was recorded by an earlier attempt; these were its replies. */
  | { outcome: 'duplicate'; replies: PlannedReply[]; webhook?: WebhookQueueMessage };

/** What a business-initiated start writes: its sends and, for a workflow, the new conversation. */
export interface StartCommit {
  readonly tenantId: string;
  readonly customer: string;
  readonly businessNumber: string;
  /** Undefined for a single message: it touches no conversation. */
  readonly conversation?: ConversationRecord;
  /** The version read before the start (undefined: there was none). */
  readonly expectedVersion?: number;
  /** Non-empty; the first one's transcript entry marks the start as done (a retry finds it). */
  readonly replies: readonly PlannedReply[];
  readonly conversationId: string;
  readonly at: string;
}

/** The part of the conversation store a business-initiated start uses. */
export interface ConversationStartStore {
  load(scope: ConversationScope): Promise<ConversationRecord | undefined>;
  /**
   * One transaction: the outbound transcript entries and the conversation. `duplicate` when an
   * earlier attempt of the same start committed; `conflict` when the conversation changed since read.
   */
  commitStart(commit: StartCommit): Promise<'committed' | 'conflict' | 'duplicate'>;
}

export interface ConversationStore {
  load(scope: ConversationScope): Promise<ConversationRecord | undefined>;
  commitTurn(commit: TurnCommit): Promise<TurnCommitResult>;
  /** Records a reply outside a turn (an apology after a failed turn); idempotent per transcript key. */
  recordReply(
    reply: PlannedReply & { tenantId: string; customer: string; businessNumber: string; at: string },
  ): Promise<void>;
}
