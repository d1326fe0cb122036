import { createHash } from 'node:crypto';
import type { WebhookQueueMessage } from '../queue-messages';

/** The body POSTed to the tenant's endpoint when a conversation completes (docs/workflows.md documents it). */
export interface ConversationCompletedEvent {
  /** Standard Webhooks' payload fields (`type`, `timestamp`), beside the fields receivers read before. */
  readonly type: 'conversation.completed';
  readonly timestamp: string;
  readonly event: 'conversation.completed';
  readonly webhookId: string;
  readonly tenantId: string;
  readonly conversationId: string;
  readonly workflowId: string;
  readonly routeId: string;
  /** The customer's phone number, E.164: the tenant's own customer, so not masked here. */
  readonly customer: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly completedAt: string;
}

/**
 * One id per completion, the same however often the completing turn is retried: a conversation
 * can complete more than once (a second order tracked in the same conversation), so the id covers
 * the MessageSid of the message that completed it. Opaque and fixed-length for receivers' dedup.
 */
export function webhookIdFor(tenantId: string, conversationId: string, completingMessageSid: string): string {
  const digest = createHash('sha256')
    .update(`${tenantId}\n${conversationId}\n${completingMessageSid}`)
    .digest('hex');
  return `wh_${digest.slice(0, 32)}`;
}

export function completedEvent(job: WebhookQueueMessage): ConversationCompletedEvent {
  return {
    type: 'conversation.completed',
    timestamp: job.completedAt,
    event: 'conversation.completed',
    webhookId: job.webhookId,
    tenantId: job.tenantId,
    conversationId: job.conversationId,
    workflowId: job.workflowId,
    routeId: job.routeId,
    customer: job.customer,
    variables: job.variables,
    completedAt: job.completedAt,
  };
}

/** The exact bytes sent and signed; the same job always gives the same body. */
export function webhookBody(job: WebhookQueueMessage): string {
  return JSON.stringify(completedEvent(job));
}
