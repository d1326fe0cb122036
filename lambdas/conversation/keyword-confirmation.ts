import type { KeywordIntent } from '../domain/opt-out';
import {
  confirmationPurpose,
  confirmationSendId,
  confirmationText,
  ownConfirmationOf,
} from '../domain/opt-out-confirmation';
import { type InboundQueueMessage, transcriptKey } from '../domain/queue-messages';
import type { PlannedReply } from '../ports/conversation-store';
import type { TenantDirectory, TenantNumber } from '../ports/tenant-directory';

/**
 * The confirmation the platform owes for an opt-out or opt-in keyword Twilio did not confirm
 * (domain/opt-out-confirmation.ts), as a reply planned on the keyword's inbound entry: committed
 * with it and queued after, so a retry or a redrive queues the same send again and the sender's
 * send id sends it once. Undefined when Twilio confirmed it (or it was no such keyword).
 */
export async function keywordConfirmation(
  deps: { readonly tenants: Pick<TenantDirectory, 'getWorkflow'> },
  input: {
    readonly queued: InboundQueueMessage;
    readonly number: TenantNumber;
    readonly intent: KeywordIntent | undefined;
  },
): Promise<PlannedReply | undefined> {
  const { queued, number } = input;
  const confirmation = ownConfirmationOf(queued.message, input.intent);
  if (!confirmation) return undefined;
  // Only for its own texts: nothing read here may fail the opt-out, an unreadable workflow has none.
  const workflow = await deps.tenants.getWorkflow(queued.tenantId, number.workflowId).catch(() => undefined);
  const sendId = confirmationSendId(confirmation.intent, queued.message.messageSid);
  const purpose = confirmationPurpose(confirmation.intent);
  return {
    sendId,
    transcriptKey: transcriptKey(queued.receivedAt, sendId),
    body: confirmationText(confirmation, workflow),
    ...(purpose !== undefined ? { purpose } : {}),
  };
}
