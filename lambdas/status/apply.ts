import { type DeliveryOutcome, deliveryOutcome } from '../domain/message-status';
import type { StatusQueueMessage } from '../domain/queue-messages';
import type { MessageStore, StatusApplyResult } from '../ports/message-store';
import type { AfterReport } from '../shared/reported-batch';
import { RetryLaterError } from '../shared/retry-later';

export interface StatusDeps {
  readonly messages: MessageStore;
  readonly onEvent: (event: StatusEvent) => void;
  /** Confirms a reported outcome after the report is out (the status function: after its batch's). */
  readonly afterReport: AfterReport;
}

export type StatusEvent =
  | {
      type: 'outcome';
      tenantId: string;
      sid: string;
      outcome: DeliveryOutcome;
      from: string;
      latencyMs?: number;
      errorCode?: string;
      /** The campaign whose message it is: the outcome is also counted per campaign (deliverySubject). */
      campaignId?: string;
    }
  | { type: 'duplicate' | 'stale'; tenantId: string; sid: string }
  | { type: 'unknown'; tenantId: string; sid: string };

/**
 * A callback can overtake the sender recording the message it is about; such callbacks are
 * retried this many receives before they are recorded as unknown and acknowledged.
 */
export const UNKNOWN_MESSAGE_RECEIVES = 3;

/** Retried after a short delay: the sender usually records the message within milliseconds. */
export class MessageNotYetKnownError extends RetryLaterError {
  constructor(sid: string, receiveCount: number) {
    super(`Message ${sid} not recorded yet`, 2 ** receiveCount);
    this.name = 'MessageNotYetKnownError';
  }
}

/** One delivery of a callback: its stable id (the SQS message id) and how often it was received. */
export interface CallbackDelivery {
  readonly id: string;
  readonly receiveCount: number;
}

export async function applyStatusCallback(
  queued: StatusQueueMessage,
  delivery: CallbackDelivery,
  deps: StatusDeps,
): Promise<StatusApplyResult['outcome']> {
  const { receiveCount } = delivery;
  const { tenantId, callback, receivedAt } = queued;
  const recordUnknown = receiveCount >= UNKNOWN_MESSAGE_RECEIVES;
  const result = await deps.messages.applyStatus({
    tenantId,
    sid: callback.messageSid,
    status: callback.status,
    ...(callback.errorCode ? { errorCode: callback.errorCode } : {}),
    ...(callback.rawDlrDoneDate ? { rawDlrDoneDate: callback.rawDlrDoneDate } : {}),
    at: receivedAt,
    deliveryId: delivery.id,
    recordUnknown,
  });
  switch (result.outcome) {
    case 'advanced': {
      // The store counted the move toward the message's campaign, if it has one, before answering.
      const outcome = deliveryOutcome(callback.status);
      if (outcome) {
        const latencyMs = Date.parse(receivedAt) - Date.parse(result.createdAt);
        deps.onEvent({
          type: 'outcome',
          tenantId,
          sid: callback.messageSid,
          outcome,
          from: result.from,
          ...(outcome === 'delivered' && latencyMs >= 0 ? { latencyMs } : {}),
          ...(callback.errorCode ? { errorCode: callback.errorCode } : {}),
          ...(result.campaignId !== undefined ? { campaignId: result.campaignId } : {}),
        });
        // Reported, then confirmed: a crash before the confirmation has the redelivery report it again.
        await deps.afterReport(() =>
          deps.messages.confirmStatusReported(callback.messageSid, callback.status),
        );
      }
      return result.outcome;
    }
    case 'unknown':
      if (!recordUnknown) throw new MessageNotYetKnownError(callback.messageSid, receiveCount);
      deps.onEvent({ type: 'unknown', tenantId, sid: callback.messageSid });
      return result.outcome;
    default:
      deps.onEvent({ type: result.outcome, tenantId, sid: callback.messageSid });
      return result.outcome;
  }
}
