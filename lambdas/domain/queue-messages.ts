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
}

export interface StatusQueueMessage {
  readonly v: 1;
  readonly tenantId: string;
  readonly receivedAt: string;
  readonly callback: StatusCallback;
}

/** FIFO group: one conversation (tenant + customer) at a time, in order. */
export function conversationGroupId(tenantId: string, customer: string): string {
  return `${tenantId}#${customer}`;
}

export function sendIdFor(inboundMessageSid: string, replyIndex: number): string {
  return `${inboundMessageSid}-${replyIndex}`;
}
