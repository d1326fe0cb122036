import type { WebhookQueueMessage } from '../queue-messages';
import type { Workflow } from '../workflow/definition';
import type { SlotState } from '../workflow/engine';
import { webhookIdFor } from './payload';

/**
 * The webhook job a completing turn owes, or undefined when the route names no webhook. Built only
 * from the turn's own inputs, so every retry of the turn builds the identical job (same webhookId).
 */
export function completionWebhookJob(input: {
  readonly workflow: Workflow;
  readonly state: SlotState;
  readonly tenantId: string;
  readonly conversationId: string;
  readonly customer: string;
  /** The MessageSid of the message that completed the conversation. */
  readonly completingMessageSid: string;
  readonly completedAt: string;
}): WebhookQueueMessage | undefined {
  const { workflow, state } = input;
  if (state.status !== 'completed' || state.routeId === undefined) return undefined;
  const route = workflow.routes.find((candidate) => candidate.id === state.routeId);
  const webhook = route?.onComplete.webhook;
  if (!route || !webhook) return undefined;
  return {
    v: 1,
    webhookId: webhookIdFor(input.tenantId, input.conversationId, input.completingMessageSid),
    tenantId: input.tenantId,
    conversationId: input.conversationId,
    workflowId: workflow.id,
    routeId: route.id,
    customer: input.customer,
    variables: { ...state.variables },
    completedAt: input.completedAt,
    url: webhook.url,
  };
}
