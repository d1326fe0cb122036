import type { InboundMessage, StatusCallback } from './twilio-webhooks';

/**
 * Payloads carried between functions. Each queue has one message type, versioned so a later
 * change can be read side by side with messages still in flight.
 */
export interface InboundQueueMessage {
  readonly v: 1;
  readonly tenantId: string;
  readonly receivedAt: string;
  readonly message: InboundMessage;
}

export interface OutboundQueueMessage {
  readonly v: 1;
  readonly tenantId: string;
  /** Stable per reply: the sender's idempotency key (derived from the inbound MessageSid and position). */
  readonly sendId: string;
  readonly conversationId: string;
  /** Sort key of the transcript entry this send fills in. */
  readonly transcriptKey: string;
  readonly from: string;
  readonly to: string;
  readonly body: string;
  /** Pictures sent with the body as one MMS (Twilio `MediaUrl`, at most 10); empty for an SMS. */
  readonly mediaUrls: string[];
  readonly queuedAt: string;
  /** The sender number's configured rate; absent: the carrier default for its kind (send-pacing). */
  readonly senderSegmentsPerSecond?: number;
  /**
   * The sender number's explicit MMS setting (`smsctl number put --mms`); absent: the country rule
   * (outbound-media.ts). The sender never calls Twilio with media from a number that cannot send MMS.
   */
  readonly senderMms?: boolean;
  /**
   * The campaign whose first message this is (startOutbound's campaignId): the sender refuses it
   * once the campaign is cancelled, and its message counts toward the campaign. Replies in a
   * campaign's conversation carry none: they are the conversation's, not the campaign's.
   */
  readonly campaignId?: string;
  /**
   * The tenant's retention in days (`tenant put --retention-days`): the TTL of what the sender
   * writes for this send. Absent (queued before it existed, or the tenant has none): the default.
   */
  readonly retentionDays?: number;
  /**
   * Why this send is not an ordinary reply, when it is not. `opt-out-confirmation`: the one
   * confirmation of an opt-out keyword Twilio did not confirm itself (opt-out-confirmation.ts); the
   * sender lets it past the opt-out it confirms, and only that one (its sendId names the STOP).
   */
  readonly purpose?: SendPurpose;
}

export type SendPurpose = 'opt-out-confirmation';

export interface StatusQueueMessage {
  readonly v: 1;
  readonly tenantId: string;
  readonly receivedAt: string;
  readonly callback: StatusCallback;
}

/**
 * A completion webhook to deliver (onComplete.webhook): everything the POST needs, fixed when the
 * conversation completed, so every retry sends the same body to the same URL.
 */
export interface WebhookQueueMessage {
  readonly v: 1;
  /** Stable per completion (webhookIdFor): the notifier's claim key and the receiver's dedup key. */
  readonly webhookId: string;
  readonly tenantId: string;
  readonly conversationId: string;
  readonly workflowId: string;
  readonly routeId: string;
  readonly customer: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly completedAt: string;
  readonly url: string;
}

/** One dispatcher tick of a campaign (the `campaigns` queue): release what is due, schedule the next. */
export interface CampaignTickMessage {
  readonly v: 1;
  readonly tenantId: string;
  readonly campaignId: string;
}

/** Who a conversation's replies go to and from, and at what rate the sender number may send. */
export interface OutboundRoute {
  readonly tenantId: string;
  readonly conversationId: string;
  /** The business number. */
  readonly from: string;
  /** The customer. */
  readonly to: string;
  readonly senderSegmentsPerSecond?: number;
  /** The business number's explicit MMS setting, when it has one. */
  readonly senderMms?: boolean;
  /** The campaign the sends belong to (a campaign's start), carried on each of them. */
  readonly campaignId?: string;
  /** The tenant's retention in days (TenantNumber.retentionDays), carried on each send. */
  readonly retentionDays?: number;
}

/**
 * One reply as the outbound FIFO queue takes it: grouped by conversation (in order), deduplicated
 * by its send id (a re-queued reply within five minutes is dropped by the queue).
 */
export function outboundSend(
  route: OutboundRoute,
  reply: {
    readonly sendId: string;
    readonly transcriptKey: string;
    readonly body: string;
    readonly mediaUrls?: readonly string[];
    readonly purpose?: SendPurpose;
  },
  queuedAt: string,
): { body: OutboundQueueMessage; groupId: string; deduplicationId: string } {
  return {
    body: {
      v: 1,
      tenantId: route.tenantId,
      sendId: reply.sendId,
      conversationId: route.conversationId,
      transcriptKey: reply.transcriptKey,
      from: route.from,
      to: route.to,
      body: reply.body,
      mediaUrls: [...(reply.mediaUrls ?? [])],
      queuedAt,
      ...(route.senderSegmentsPerSecond !== undefined
        ? { senderSegmentsPerSecond: route.senderSegmentsPerSecond }
        : {}),
      ...(route.senderMms !== undefined ? { senderMms: route.senderMms } : {}),
      ...(route.campaignId !== undefined ? { campaignId: route.campaignId } : {}),
      ...(route.retentionDays !== undefined ? { retentionDays: route.retentionDays } : {}),
      ...(reply.purpose !== undefined ? { purpose: reply.purpose } : {}),
    },
    groupId: conversationGroupId(route.tenantId, route.from, route.to),
    deduplicationId: reply.sendId,
  };
}

/**
 * FIFO group: one conversation (tenant + business number + customer) at a time, in order; the
 * same customer's conversation with another of the tenant's numbers goes on in parallel.
 */
export function conversationGroupId(tenantId: string, businessNumber: string, customer: string): string {
  return `${tenantId}#${businessNumber}#${customer}`;
}

/** A transcript entry's sort key: in time order, then by message or send id. */
export function transcriptKey(at: string, id: string): string {
  return `${at}#${id}`;
}

export function sendIdFor(inboundMessageSid: string, replyIndex: number): string {
  return `${inboundMessageSid}-${replyIndex}`;
}
