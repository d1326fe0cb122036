import type { OutboundStatus } from '../domain/message-status';

export type SendClaim =
  | { outcome: 'claimed' }
  /** Sent already: nothing to do. */
  | { outcome: 'done'; sid?: string }
  /** An earlier attempt started sending and never recorded the outcome. */
  | { outcome: 'inFlight'; claimedAt: string };

export interface SendIdentity {
  readonly tenantId: string;
  readonly sendId: string;
  readonly conversationKey: { readonly tenantId: string; readonly customer: string };
  readonly transcriptKey: string;
  readonly from: string;
  readonly to: string;
}

export interface RecordedSend {
  /**
   * Twilio had finished the message already (a send recovered late) and the final status is this
   * send's own record, not yet reported: the sender reports the outcome and confirms it.
   */
  readonly reportOutcome: boolean;
}

export type StatusApplyResult =
  /** The same (MessageSid, status) was applied before. */
  | { outcome: 'duplicate' }
  /**
   * The message's status moved forward to this one, by this delivery of the callback, and its
   * report (metrics) is not confirmed yet: also when an earlier attempt of the same delivery
   * applied it and died before confirming.
   */
  | { outcome: 'advanced'; createdAt: string; from: string }
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
  claimSend(tenantId: string, sendId: string, now: string): Promise<SendClaim>;
  /** The attempt failed in a way worth retrying: let the next attempt claim again. */
  releaseSend(tenantId: string, sendId: string): Promise<void>;
  /**
   * Records what Twilio accepted (message and transcript). The send stays claimed until
   * `completeSend`: the caller reports the send in between, so a crash anywhere before the
   * completion leaves the send in flight, and its retry finds the message and reports it.
   */
  recordSent(
    send: SendIdentity,
    sent: { sid: string; status: OutboundStatus; numSegments?: number; at: string },
  ): Promise<RecordedSend>;
  /** Records a send that will never succeed on the transcript; `completeSend` follows as above. */
  recordFailed(
    send: SendIdentity,
    failure: { errorCode?: number; reason: string; at: string },
  ): Promise<void>;
  /** The send's outcome is recorded and reported: no later attempt will touch it. */
  completeSend(
    send: SendIdentity,
    outcome:
      | { state: 'sent'; sid: string; at: string }
      | { state: 'failed'; errorCode?: number; reason: string; at: string },
  ): Promise<void>;
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
