import type { CampaignCounter } from '../domain/campaign/campaign';
import type { OutboundStatus } from '../domain/message-status';

/** What the send's record says about earlier receives: its booked pacing slot and how often it was parked. */
export interface SendHistory {
  /** The slot an earlier receive booked on the number's schedule and parked for (epoch ms). */
  readonly bookedSlotAtMs?: number;
  /** Receives that only parked the send for its slot (not failures: send-attempts). */
  readonly parks: number;
}

export type SendClaim =
  | ({ outcome: 'claimed' } & SendHistory)
  /** Sent already: nothing to do. */
  | { outcome: 'done'; sid?: string }
  /** An earlier attempt started sending and never recorded the outcome. */
  | ({ outcome: 'inFlight'; claimedAt: string } & SendHistory);

/**
 * One reply to send, as the sender claims it. The reply's transcript entry is the send's record:
 * its claim, its outcome and the link (sid) to the message item that status callbacks update.
 */
export interface SendIdentity {
  readonly tenantId: string;
  readonly sendId: string;
  readonly conversationKey: { readonly tenantId: string; readonly customer: string };
  readonly transcriptKey: string;
  readonly conversationId: string;
  readonly from: string;
  readonly to: string;
  readonly body: string;
  /** When the reply was queued: the transcript entry's time if the sender is the first to write it. */
  readonly queuedAt: string;
  /**
   * The campaign whose message this is: kept on the message item, so that the statuses it reaches
   * count toward the campaign (once per message and counter), as does a send that fails for good.
   */
  readonly campaignId?: string;
  /** The tenant's retention in days (OutboundQueueMessage.retentionDays); absent: the default. */
  readonly retentionDays?: number;
}

/** What a send that fails for good counts as in its campaign: `failed`, or `cancelled` (the campaign's). */
export type SendFailureCounter = Extract<CampaignCounter, 'failed' | 'cancelled'>;

export type RecordedSend =
  | {
      /**
       * Twilio had finished the message already (a send recovered late) and the final status is this
       * send's own record, not yet reported: the sender reports the outcome and confirms it.
       */
      readonly reportOutcome: boolean;
    }
  /**
   * The message is already recorded for another send (a recovery found an earlier send's message
   * with the same text): nothing was written, and this send must not adopt it.
   */
  | { readonly belongsToAnotherSend: true };

export type StatusApplyResult =
  /** The same (MessageSid, status) was applied before. */
  | { outcome: 'duplicate' }
  /**
   * The message's status moved forward to this one, by this delivery of the callback, and its
   * report (metrics) is not confirmed yet: also when an earlier attempt of the same delivery
   * applied it and died before confirming.
   */
  | { outcome: 'advanced'; createdAt: string; from: string; campaignId?: string }
  /** Recorded as an event; the message already has a later status. */
  | { outcome: 'stale' }
  /** No message with this SID belongs to this tenant (yet). */
  | { outcome: 'unknown' };

/** A sent message whose status is not final yet. */
export interface OpenMessage {
  readonly sid: string;
  readonly tenantId: string;
  readonly status: OutboundStatus;
  readonly openSince: string;
}

export interface MessageStore {
  /**
   * Exactly one attempt holds a send at a time; a finished send is never claimed again. Writes the
   * reply's transcript entry if nobody did yet (a turn leaves its replies on the inbound entry).
   */
  claimSend(send: SendIdentity, now: string): Promise<SendClaim>;
  /** The attempt failed in a way worth retrying: let the next attempt claim again (a booked slot is used up). */
  releaseSend(send: SendIdentity): Promise<void>;
  /**
   * The send's slot is further off than this receive may wait: release the claim, keep the slot
   * for the receive that comes back for it, and count the park (it is not a failure).
   */
  parkSend(send: SendIdentity, slot: { slotAtMs: number }): Promise<void>;
  /**
   * Records what Twilio accepted: the message item, which status callbacks update. The send stays
   * claimed until `completeSend`: the caller reports the send in between, so a crash anywhere before
   * the completion leaves the send in flight, and its retry finds the message and reports it. A
   * campaign's message counts the status it was recorded with toward the campaign
   * (campaignCountersForStatus from nothing), once per message and counter, before this returns.
   */
  recordSent(
    send: SendIdentity,
    sent: { sid: string; status: OutboundStatus; numSegments?: number; at: string },
  ): Promise<RecordedSend>;
  /**
   * The send's outcome is recorded and reported: no later attempt will touch it. A sent reply's
   * transcript entry gets the message's sid (its status is the message item's); a failed one keeps
   * the reason and the Twilio error code. A campaign's send that failed adds one to the campaign's
   * `campaignCounter` (default `failed`) in the same write, so once.
   */
  completeSend(
    send: SendIdentity,
    outcome:
      | { state: 'sent'; sid: string; at: string }
      | {
          state: 'failed';
          errorCode?: number;
          reason: string;
          at: string;
          campaignCounter?: SendFailureCounter;
        },
  ): Promise<void>;
  /**
   * Moves a message's status forward and records the event. A campaign's message (`campaignId` in
   * the answer) adds what the move reached to its campaign (campaignCountersForStatus), once per
   * message and counter, before `advanced` is answered: so also when a redelivery after a crash is
   * `advanced` again.
   */
  applyStatus(update: {
    tenantId: string;
    sid: string;
    status: OutboundStatus;
    errorCode?: string;
    rawDlrDoneDate?: string;
    at: string;
    /**
     * Names this delivery of the callback (the SQS message id, stable across its redeliveries), so
     * that a redelivery after a crash can tell its own unreported write from another delivery's.
     */
    deliveryId: string;
    /** Record the event even when the message is unknown (after retries ran out). */
    recordUnknown: boolean;
  }): Promise<StatusApplyResult>;
  /** The `advanced` status has been reported (metrics emitted): a redelivery is now a duplicate. */
  confirmStatusReported(sid: string, status: OutboundStatus): Promise<void>;
  /** Messages of one index shard that have been open since before `openBefore` (ISO), oldest first. */
  openMessages(shard: string, openBefore: string, limit: number): Promise<OpenMessage[]>;
  /** Stops reconciling a message (Twilio will not tell more). */
  closeOpen(sid: string): Promise<void>;
}
