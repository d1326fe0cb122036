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
  readonly mediaUrls: string[];
  readonly queuedAt: string;
  /** The sender number's configured rate; absent: the carrier default for its kind (send-pacing). */
  readonly senderSegmentsPerSecond?: number;
}

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

/** FIFO group: one conversation (tenant + customer) at a time, in order. */
export function conversationGroupId(tenantId: string, customer: string): string {
  return `${tenantId}#${customer}`;
}

export function sendIdFor(inboundMessageSid: string, replyIndex: number): string {
  return `${inboundMessageSid}-${replyIndex}`;
}
