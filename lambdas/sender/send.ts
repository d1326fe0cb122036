import { backoffSeconds } from '../domain/backoff';
import { releasedSendProceeds } from '../domain/campaign/campaign';
import { isValidRetentionDays } from '../domain/data-requests';
import {
  type DeliveryOutcome,
  deliveryOutcome,
  isOutboundStatus,
  type OutboundStatus,
} from '../domain/message-status';
import { UNSUBSCRIBED_ERROR_CODE } from '../domain/opt-out';
import { mmsSendRefusal } from '../domain/outbound-media';
import type { OutboundQueueMessage } from '../domain/queue-messages';
import { countSegments } from '../domain/segments';
import { type BookedSlot, segmentsPerSecondFor, waitForSlot } from '../domain/send-pacing';
import { failedAttempts, failureBudgetSpent } from '../domain/send-attempts';
import type { TenantTwilioCredentials } from '../domain/tenant';
import { classifyTwilioError, TwilioApiError } from '../domain/twilio-errors';
import type { CampaignStates } from '../ports/campaign-states';
import type { MessageStore, SendFailureCounter, SendHistory, SendIdentity } from '../ports/message-store';
import { passesOptOut } from '../domain/opt-out-confirmation';
import type { OptOutLookup, OptOutStore } from '../ports/opt-out-store';
import type { SendPacer } from '../ports/send-pacer';
import type { SentSms, SmsGateway } from '../ports/sms-gateway';
import type { TenantCredentialsSource } from '../ports/tenant-credentials';
import { DeadLetterError } from '../shared/dead-letter';
import { RetryLaterError } from '../shared/retry-later';

export interface SendDeps {
  readonly publicBaseUrl: string;
  readonly credentials: TenantCredentialsSource;
  readonly sms: SmsGateway;
  readonly messages: MessageStore;
  readonly optOuts: OptOutStore & OptOutLookup;
  /** Campaigns' states (cached for seconds): a cancelled campaign's released sends are not sent. */
  readonly campaigns: CampaignStates;
  readonly pacer: SendPacer;
  /** How long this record may wait in process for its number's send slot (the invocation's budget). */
  readonly pacingWaitBudgetMs: () => number;
  /** Failed receives after which a send goes to the DLQ (parks for a pacing slot are not failures). */
  readonly failureBudget: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => Date;
  readonly random: () => number;
  readonly onEvent: (event: SendEvent) => void;
}

/**
 * A campaign's send carries its `campaignId` on the events that count deliveries (`sent`, `failed`,
 * `outcome`): its metrics are also published per campaign (deliverySubject).
 */
export type SendEvent =
  | { type: 'sent'; tenantId: string; sid: string; from: string; campaignId?: string }
  | { type: 'failed'; tenantId: string; from: string; errorCode?: number; campaignId?: string }
  /** Not sent: its campaign was cancelled after the dispatcher released it. */
  | { type: 'campaignCancelled'; tenantId: string; sendId: string; campaignId: string }
  | { type: 'apiFailure'; tenantId: string; from: string; errorCode?: number; httpStatus?: number }
  | { type: 'alreadySent'; tenantId: string; sendId: string }
  | { type: 'blockedByOptOut'; tenantId: string; sendId: string }
  /** The one confirmation of the opt-out in force, let past it (domain/opt-out-confirmation.ts). */
  | { type: 'optOutConfirmationPassed'; tenantId: string; sendId: string }
  | { type: 'optOut'; tenantId: string }
  | { type: 'recovered'; tenantId: string; sid: string }
  /**
   * A message Twilio had already finished when it was recorded (an attempt that died after Twilio
   * accepted it is recovered late, and its callbacks found no message): its outcome is reported here.
   */
  | {
      type: 'outcome';
      tenantId: string;
      sid: string;
      from: string;
      outcome: DeliveryOutcome;
      errorCode?: string;
      campaignId?: string;
    }
  | { type: 'paced'; tenantId: string; from: string; waitMs: number }
  /** Parked until its booked slot: `booked` when this receive booked it, else it came back early. */
  | { type: 'pacingDeferred'; tenantId: string; from: string; retryAfterMs: number; booked: boolean }
  | { type: 'failureBudgetSpent'; tenantId: string; sendId: string; failures: number };

/** A retryable failure: the record goes back to the queue, to be tried again after a jittered backoff. */
export class RetryableSendError extends RetryLaterError {
  constructor(message: string, delaySeconds: number) {
    super(message, delaySeconds);
    this.name = 'RetryableSendError';
  }
}

/** The reason a cancelled campaign's send is completed with (its transcript entry's `reason`). */
export const CAMPAIGN_CANCELLED = 'campaign cancelled';

/** The campaign a send belongs to, as the fields its events and record carry. */
function campaignOf(queued: OutboundQueueMessage): { campaignId?: string } {
  return queued.campaignId !== undefined ? { campaignId: queued.campaignId } : {};
}

export function statusCallbackUrl(publicBaseUrl: string, tenantId: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/webhooks/twilio/${tenantId}/status`;
}

/** `receiveCount` is the queue's count for this record, parks included (send-attempts). */
export async function processSend(
  queued: OutboundQueueMessage,
  receiveCount: number,
  deps: SendDeps,
): Promise<void> {
  const identity: SendIdentity = {
    tenantId: queued.tenantId,
    sendId: queued.sendId,
    conversationKey: { tenantId: queued.tenantId, customer: queued.to },
    transcriptKey: queued.transcriptKey,
    conversationId: queued.conversationId,
    from: queued.from,
    to: queued.to,
    body: queued.body,
    queuedAt: queued.queuedAt,
    ...campaignOf(queued),
    // A value out of range (a hand-made message) leaves the default rather than a broken TTL.
    ...(isValidRetentionDays(queued.retentionDays) ? { retentionDays: queued.retentionDays } : {}),
  };
  const claim = await deps.messages.claimSend(identity, deps.now().toISOString());
  if (claim.outcome === 'done') {
    deps.onEvent({ type: 'alreadySent', tenantId: queued.tenantId, sendId: queued.sendId });
    return;
  }
  if (failureBudgetSpent(receiveCount, claim.parks, deps.failureBudget)) {
    const failures = failedAttempts(receiveCount, claim.parks);
    deps.onEvent({ type: 'failureBudgetSpent', tenantId: queued.tenantId, sendId: queued.sendId, failures });
    // A claim still in flight stays so: the redrive's first receive asks Twilio before sending.
    if (claim.outcome === 'claimed') await deps.messages.releaseSend(identity);
    throw new DeadLetterError(`send failed ${failures} times`);
  }

  let credentials: TenantTwilioCredentials | undefined;
  if (claim.outcome === 'inFlight') {
    // An earlier attempt died between calling Twilio and recording the answer: ask Twilio first,
    // before any refusal below. A message Twilio has was sent, whatever happened since (a STOP, a
    // cancelled campaign): it is recorded as sent, never completed as refused.
    credentials = await deps.credentials.get(queued.tenantId);
    const candidates = credentials
      ? await deps.sms.findRecent({
          credentials,
          to: queued.to,
          from: queued.from,
          body: queued.body,
          since: new Date(claim.claimedAt),
        })
      : [];
    // The first no other send has recorded: an earlier reply of the same text can match too.
    for (const found of candidates) {
      if (await record(identity, found, deps)) {
        deps.onEvent({ type: 'recovered', tenantId: queued.tenantId, sid: found.sid });
        return;
      }
    }
  }

  // Checked here, at the last moment, so that no path to Twilio can skip it. Only the one
  // confirmation of the opt-out in force passes (domain/opt-out-confirmation.ts).
  const optOut = await deps.optOuts.optOutInForce(queued.tenantId, queued.to);
  if (optOut && passesOptOut(queued, optOut))
    deps.onEvent({ type: 'optOutConfirmationPassed', tenantId: queued.tenantId, sendId: queued.sendId });
  else if (optOut) {
    await recordFailure(
      identity,
      { errorCode: UNSUBSCRIBED_ERROR_CODE, reason: 'recipient opted out' },
      { type: 'blockedByOptOut', tenantId: queued.tenantId, sendId: queued.sendId },
      deps,
    );
    return;
  }

  // Pictures only from a number that can send MMS (outbound-media.ts): never to Twilio otherwise,
  // and before pacing, so a refused one books no slot.
  const mmsRefusal = mmsSendRefusal(queued);
  if (mmsRefusal) {
    await recordFailure(
      identity,
      { reason: mmsRefusal },
      { type: 'failed', tenantId: queued.tenantId, from: queued.from, ...campaignOf(queued) },
      deps,
    );
    return;
  }

  credentials ??= await deps.credentials.get(queued.tenantId);
  if (!credentials) {
    await recordFailure(
      identity,
      { reason: 'tenant has no credentials' },
      { type: 'failed', tenantId: queued.tenantId, from: queued.from, ...campaignOf(queued) },
      deps,
    );
    return;
  }

  // After the recovery above (an earlier attempt may have sent it: then it was sent), before a slot
  // is booked: a cancelled campaign's send costs its number no slot.
  if (queued.campaignId !== undefined) {
    const state = await deps.campaigns.stateOf(queued.tenantId, queued.campaignId);
    if (state !== undefined && !releasedSendProceeds(state)) {
      await recordFailure(
        identity,
        { reason: CAMPAIGN_CANCELLED, campaignCounter: 'cancelled' },
        {
          type: 'campaignCancelled',
          tenantId: queued.tenantId,
          sendId: queued.sendId,
          campaignId: queued.campaignId,
        },
        deps,
      );
      return;
    }
  }

  const parked = await waitForSendSlot(queued, claim, deps);
  if (parked) {
    // Back to the queue until the slot is near, the slot kept: throttled, never dropped.
    await deps.messages.parkSend(identity, { slotAtMs: parked.slot.sendAtMs });
    throw new RetryableSendError('sender number is at its rate limit', parked.delaySeconds);
  }

  for (let reauthenticated = false; ; reauthenticated = true) {
    try {
      const sent = await deps.sms.send(sendRequest(queued, credentials, deps.publicBaseUrl));
      // A SID Twilio just created is no other send's.
      await record(identity, sent, deps);
      return;
    } catch (error) {
      if (!(error instanceof TwilioApiError)) throw error;
      const disposition = classifyTwilioError(error);
      if (disposition === 'reauthenticate' && !reauthenticated) {
        // The token may have been rotated since it was cached.
        const fresh = await deps.credentials.get(queued.tenantId, { refresh: true });
        if (fresh) {
          credentials = fresh;
          continue;
        }
      }
      if (disposition === 'permanent') {
        if (error.code === UNSUBSCRIBED_ERROR_CODE) {
          await deps.optOuts.optOut(queued.tenantId, queued.to, {
            at: deps.now().toISOString(),
            source: 'twilio-21610',
          });
          deps.onEvent({ type: 'optOut', tenantId: queued.tenantId });
        }
        const errorCode = error.code !== undefined ? { errorCode: error.code } : {};
        await recordFailure(
          identity,
          { ...errorCode, reason: error.message },
          {
            type: 'failed',
            tenantId: queued.tenantId,
            from: queued.from,
            ...errorCode,
            ...campaignOf(queued),
          },
          deps,
        );
        return;
      }
      deps.onEvent({
        type: 'apiFailure',
        tenantId: queued.tenantId,
        from: queued.from,
        ...(error.code !== undefined ? { errorCode: error.code } : {}),
        ...(error.httpStatus !== undefined ? { httpStatus: error.httpStatus } : {}),
      });
      // No answer (a timeout, a dropped connection): Twilio may have created the message. The claim
      // stays in flight, so the retry asks Twilio for it before sending (findRecent above).
      if (error.httpStatus !== undefined) await deps.messages.releaseSend(identity);
      throw new RetryableSendError(
        error.message,
        backoffSeconds(failedAttempts(receiveCount, claim.parks) + 1, deps.random),
      );
    }
  }
}

/**
 * Paces the sender number (segments per second, shared by every concurrent sender). The send's
 * slot is the one an earlier receive booked for it, else the number's next one, booked now however
 * far ahead. A slot within the invocation's budget is waited for in process; a later one parks the
 * send until shortly before it (and the receive that comes back sends without competing again).
 */
async function waitForSendSlot(
  queued: OutboundQueueMessage,
  history: SendHistory,
  deps: SendDeps,
): Promise<{ slot: BookedSlot | { sendAtMs: number }; delaySeconds: number } | undefined> {
  const booked = history.bookedSlotAtMs === undefined;
  const slot =
    history.bookedSlotAtMs !== undefined
      ? { sendAtMs: history.bookedSlotAtMs }
      : await deps.pacer.reserve({
          from: queued.from,
          // A media-only message still occupies one send.
          segments: Math.max(1, countSegments(queued.body).segments),
          segmentsPerSecond: segmentsPerSecondFor(queued.from, queued.senderSegmentsPerSecond),
        });
  const nowMs = deps.now().getTime();
  const wait = waitForSlot(slot, nowMs, deps.pacingWaitBudgetMs());
  if (wait.kind === 'park') {
    deps.onEvent({
      type: 'pacingDeferred',
      tenantId: queued.tenantId,
      from: queued.from,
      retryAfterMs: slot.sendAtMs - nowMs,
      booked,
    });
    return { slot, delaySeconds: wait.delaySeconds };
  }
  if (wait.waitMs > 0) {
    deps.onEvent({ type: 'paced', tenantId: queued.tenantId, from: queued.from, waitMs: wait.waitMs });
    await deps.sleep(wait.waitMs);
  }
  return undefined;
}

function sendRequest(
  queued: OutboundQueueMessage,
  credentials: TenantTwilioCredentials,
  publicBaseUrl: string,
) {
  return {
    credentials,
    to: queued.to,
    // From always, the service too when the tenant has one: a reply goes out from the number its
    // conversation is kept on, so the customer's answer comes back to it (a service left to pick
    // could answer from another of its numbers, and the platform paces the number it names).
    from: queued.from,
    ...(credentials.messagingServiceSid ? { messagingServiceSid: credentials.messagingServiceSid } : {}),
    body: queued.body,
    mediaUrls: queued.mediaUrls,
    statusCallback: statusCallbackUrl(publicBaseUrl, queued.tenantId),
  };
}

/**
 * Record, report, complete, in that order: a crash before the completion leaves the send in flight,
 * and its retry finds the message at Twilio and reports it, so the metric is never lost. (Only a
 * crash in the instant between reporting and sending the completion reports a send twice.)
 * False, and nothing done, when the message is another send's.
 */
async function record(identity: SendIdentity, sent: SentSms, deps: SendDeps): Promise<boolean> {
  // Twilio never calls back with the initial status: record it from the create response.
  const status: OutboundStatus = isOutboundStatus(sent.status) ? sent.status : 'queued';
  const at = deps.now().toISOString();
  const recorded = await deps.messages.recordSent(identity, {
    sid: sent.sid,
    status,
    ...(sent.numSegments !== undefined ? { numSegments: sent.numSegments } : {}),
    at,
  });
  if ('belongsToAnotherSend' in recorded) return false;
  const campaign = identity.campaignId !== undefined ? { campaignId: identity.campaignId } : {};
  deps.onEvent({
    type: 'sent',
    tenantId: identity.tenantId,
    sid: sent.sid,
    from: identity.from,
    ...campaign,
  });
  const outcome = deliveryOutcome(status);
  // Only an outcome this send recorded itself: if a status callback recorded it, that reported it.
  if (outcome && recorded.reportOutcome) {
    deps.onEvent({
      type: 'outcome',
      tenantId: identity.tenantId,
      sid: sent.sid,
      from: identity.from,
      outcome,
      ...(sent.errorCode !== undefined ? { errorCode: String(sent.errorCode) } : {}),
      ...campaign,
    });
    await deps.messages.confirmStatusReported(sent.sid, status);
  }
  await deps.messages.completeSend(identity, { state: 'sent', sid: sent.sid, at });
  return true;
}

/**
 * A send that will never succeed: reported, then completed with the reason, as in `record` (a crash
 * before the completion leaves the claim in flight, and the retry meets the same refusal again).
 * A campaign's send counts toward its campaign with the completion (`failed` unless said otherwise).
 */
async function recordFailure(
  identity: SendIdentity,
  failure: { errorCode?: number; reason: string; campaignCounter?: SendFailureCounter },
  event: SendEvent,
  deps: SendDeps,
): Promise<void> {
  deps.onEvent(event);
  await deps.messages.completeSend(identity, { state: 'failed', ...failure, at: deps.now().toISOString() });
}
