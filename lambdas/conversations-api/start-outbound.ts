import {
  combineMedia,
  MAX_MEDIA_PER_MESSAGE,
  mediaUrlsProblem,
  mmsCapability,
} from '../domain/outbound-media';
import {
  fingerprintOf,
  IDEMPOTENCY_KEY_TTL_HOURS,
  type OutboundStart,
  startIdFor,
} from '../domain/outbound-request';
import {
  type OutboundQueueMessage,
  type OutboundRoute,
  outboundSend,
  transcriptKey,
} from '../domain/queue-messages';
import { DEPLOYED_URL_POLICY, type OutboundUrlPolicy } from '../domain/outbound-url-policy';
import { splitForSms } from '../domain/segments';
import { isOngoing } from '../domain/workflow/conversation-status';
import type { Workflow } from '../domain/workflow/definition';
import type { SlotState } from '../domain/workflow/engine';
import type { ReminderTimerMessage } from '../domain/workflow/reminders';
import type { ConversationRecord, ConversationStartStore, PlannedReply } from '../ports/conversation-store';
import type { IdempotencyStore, StoredResponse } from '../ports/idempotency-store';
import type { MessageQueue } from '../ports/message-queue';
import type { OptOutStore } from '../ports/opt-out-store';
import type { TenantLookup } from '../ports/tenant-directory';
import { armFirstReminder } from '../reminders/arm-first';

/**
 * Starts what a business sends first: a workflow conversation or one message. The one place this
 * logic lives: the conversations API function and `smsctl send` both call it. Everything goes
 * through outbound.fifo like any reply, so the sender's opt-out check, idempotent claim and
 * status tracking apply unchanged.
 */
export interface StartOutboundDeps {
  readonly tenants: TenantLookup;
  readonly conversations: ConversationStartStore;
  readonly optOuts: OptOutStore;
  readonly outbound: MessageQueue<OutboundQueueMessage>;
  readonly idempotency: IdempotencyStore;
  /**
   * Reminder timers: a workflow start whose first prompt a route's `reminders` follow up arms the
   * first (lambdas/reminders/arm-first.ts). Absent: none armed.
   */
  readonly reminders?: MessageQueue<ReminderTimerMessage>;
  readonly now: () => Date;
  readonly randomId: () => string;
  /**
   * This stage's outbound URL policy for pictures (`mediaUrls`): loopback only for the local stack
   * (StageConfig.allowLoopbackWebhooks). Absent: the deployed stages' policy, the strict one.
   */
  readonly mediaUrlPolicy?: OutboundUrlPolicy;
}

export interface StartOutboundCommand {
  readonly tenantId: string;
  readonly start: OutboundStart;
  readonly idempotencyKey?: string;
  /**
   * The campaign this start belongs to (the campaign dispatcher's starts): carried on the outbound
   * sends, the message items and the conversation, so delivery, replies and completions count
   * toward the campaign, and a cancelled campaign's queued sends are not sent.
   */
  readonly campaignId?: string;
}

/** Why a start was refused; `status` is the HTTP status the API answers with. */
export type StartRefusal =
  | { status: 404; error: 'tenant-not-found' | 'number-not-found' | 'workflow-not-found'; message: string }
  | { status: 409; error: 'opted-out' | 'conversation-active'; message: string }
  | {
      status: 422;
      error: 'idempotency-key-reused' | 'workflow-cannot-start' | 'media-not-allowed' | 'mms-not-supported';
      message: string;
    };

export interface StartedOutbound {
  readonly tenantId: string;
  readonly kind: OutboundStart['kind'];
  /** The conversation the customer's reply continues; empty for a single message. */
  readonly conversationId: string;
  readonly sends: readonly { readonly sendId: string; readonly transcriptKey: string }[];
  readonly status: 'queued';
  readonly at: string;
}

export type StartOutboundResult =
  | { ok: true; status: 201; started: StartedOutbound; replayed: boolean }
  | { ok: false; refusal: StartRefusal };

/** Optimistic-lock conflicts: the customer texting at the same moment; a few rereads settle them. */
const MAX_CONFLICT_RETRIES = 5;

function refuse(refusal: StartRefusal): StartOutboundResult {
  return { ok: false, refusal };
}

function replay(response: StoredResponse): StartOutboundResult {
  // Stored by this function (complete() below): the body is a StartedOutbound.
  return { ok: true, status: 201, started: response.body as unknown as StartedOutbound, replayed: true };
}

const KEY_REUSED: StartRefusal = {
  status: 422,
  error: 'idempotency-key-reused',
  message: 'this Idempotency-Key was already used for a different request',
};

export async function startOutbound(
  command: StartOutboundCommand,
  deps: StartOutboundDeps,
): Promise<StartOutboundResult> {
  const { tenantId, start, idempotencyKey } = command;
  const fingerprint = fingerprintOf(start);
  let remembered = idempotencyKey ? await deps.idempotency.find(tenantId, idempotencyKey) : undefined;
  if (remembered && remembered.fingerprint !== fingerprint) return refuse(KEY_REUSED);
  if (remembered?.response) return replay(remembered.response);

  // Checked before anything is written: a refused start leaves no trace and its key stays free.
  if (!(await deps.tenants.tenantExists(tenantId)))
    return refuse({ status: 404, error: 'tenant-not-found', message: `tenant ${tenantId} not found` });
  const number = await deps.tenants.getNumber(tenantId, start.from);
  if (!number)
    return refuse({
      status: 404,
      error: 'number-not-found',
      message: `from is not a number of tenant ${tenantId}`,
    });
  let text: string;
  let media: string[];
  let opening: { workflow: Workflow; slots: SlotState } | undefined;
  if (start.kind === 'workflow') {
    const workflow = await deps.tenants.getWorkflow(tenantId, start.workflowId);
    if (!workflow)
      return refuse({
        status: 404,
        error: 'workflow-not-found',
        message: `workflow ${start.workflowId} not found for tenant ${tenantId}`,
      });
    // The workflow engine (dates, phones, RE2) is loaded by the first workflow start, not by every cold start.
    const [{ startWorkflow }, { prepareReaders }] = await Promise.all([
      import('../domain/workflow/start'),
      import('../domain/workflow/readers'),
    ]);
    await prepareReaders(workflow);
    const opened = startWorkflow({
      workflow,
      ...(start.routeId !== undefined ? { routeId: start.routeId } : {}),
      variables: start.variables,
      now: deps.now(),
      // The number's language (`number put --language`), when the workflow speaks it.
      ...(number.language !== undefined ? { language: number.language } : {}),
    });
    if (!opened.ok) return refuse({ status: 422, error: 'workflow-cannot-start', message: opened.reason });
    text = opened.replies.join(' ');
    // The caller's pictures go with the first prompt, after the workflow's own.
    media = combineMedia(...opened.media, start.mediaUrls);
    opening = { workflow, slots: opened.state };
  } else {
    text = start.body;
    media = [...(start.mediaUrls ?? [])];
  }
  const mediaRefusal = refuseMedia(media, start, number.mms, deps.mediaUrlPolicy ?? DEPLOYED_URL_POLICY);
  if (mediaRefusal) return refuse(mediaRefusal);
  // The sender checks again right before calling Twilio; this answers the caller now.
  if (await deps.optOuts.isOptedOut(tenantId, start.to))
    return refuse({ status: 409, error: 'opted-out', message: 'the customer has opted out (STOP)' });

  if (idempotencyKey && !remembered) {
    const claimed = {
      fingerprint,
      startId: startIdFor(tenantId, idempotencyKey, deps.randomId),
      at: deps.now().toISOString(),
    };
    const expiresAt = new Date(Date.parse(claimed.at) + IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000).toISOString();
    remembered = await deps.idempotency.claim(tenantId, idempotencyKey, claimed, expiresAt);
    // Someone else won the race for this key.
    if (remembered.fingerprint !== fingerprint) return refuse(KEY_REUSED);
    if (remembered.response) return replay(remembered.response);
  }
  // A key that was claimed but never answered (a crash) resumes under the same ids and time.
  const startId = remembered?.startId ?? startIdFor(tenantId, undefined, deps.randomId);
  const at = remembered?.at ?? deps.now().toISOString();
  // A message of pictures only is one send with an empty body; the pictures go with the first part.
  const parts = text === '' ? [''] : splitForSms(text);
  const replies: PlannedReply[] = parts.map((body, index) => {
    const sendId = `${startId}-${index}`;
    return {
      sendId,
      transcriptKey: transcriptKey(at, sendId),
      body,
      ...(index === 0 && media.length > 0 ? { mediaUrls: media } : {}),
    };
  });
  const conversationId = opening ? startId : '';

  let committed: { outcome: 'committed' | 'duplicate'; record: ConversationRecord | undefined };
  for (let attempt = 1; ; attempt++) {
    let record: ConversationRecord | undefined;
    let expectedVersion: number | undefined;
    if (opening) {
      const current = await deps.conversations.load({
        tenantId,
        businessNumber: start.from,
        customer: start.to,
      });
      const open = current && current.expiresAt > at && isOngoing(current.slots.status);
      if (open && current.conversationId !== startId)
        return refuse({
          status: 409,
          error: 'conversation-active',
          message: 'the customer is in the middle of another conversation with this number',
        });
      record = {
        tenantId,
        customer: start.to,
        conversationId,
        businessNumber: start.from,
        workflowId: opening.workflow.id,
        slots: opening.slots,
        version: (current?.version ?? 0) + 1,
        startedAt: at,
        lastActivityAt: at,
        expiresAt: new Date(Date.parse(at) + opening.workflow.expiresAfterHours * 3_600_000).toISOString(),
        // Kept while the conversation lives: the customer's answer and its completion count for it.
        ...(command.campaignId !== undefined ? { campaignId: command.campaignId } : {}),
      };
      expectedVersion = current?.version;
    }
    const outcome = await deps.conversations.commitStart({
      tenantId,
      customer: start.to,
      businessNumber: start.from,
      ...(record ? { conversation: record } : {}),
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      replies,
      conversationId,
      at,
    });
    if (outcome !== 'conflict') {
      committed = { outcome, record };
      break;
    }
    if (attempt >= MAX_CONFLICT_RETRIES)
      throw new Error(
        `Conversation of tenant ${tenantId} kept changing under ${MAX_CONFLICT_RETRIES} attempts`,
      );
  }

  // Enqueued after the commit, and again by any retry: FIFO dedup (5 minutes) and the sender's
  // claim on each send id make a repeat a no-op.
  const queuedAt = deps.now().toISOString();
  const route: OutboundRoute = {
    tenantId,
    conversationId,
    from: start.from,
    to: start.to,
    ...(number.segmentsPerSecond !== undefined ? { senderSegmentsPerSecond: number.segmentsPerSecond } : {}),
    ...(number.mms !== undefined ? { senderMms: number.mms } : {}),
    ...(command.campaignId !== undefined ? { campaignId: command.campaignId } : {}),
    ...(number.retentionDays !== undefined ? { retentionDays: number.retentionDays } : {}),
  };
  await deps.outbound.send(replies.map((reply) => outboundSend(route, reply, queuedAt)));
  // After the prompt is queued and before the key is answered: a retry of a start that crashed in
  // between (the commit a duplicate) arms again, unless the customer has answered since.
  if (opening && committed.record)
    await armFirstReminder({
      timers: deps.reminders,
      workflow: opening.workflow,
      outcome: committed.outcome,
      written: committed.record,
      silenceKey: conversationId,
      load: (scope) => deps.conversations.load(scope),
      now: deps.now,
    });
  const started: StartedOutbound = {
    tenantId,
    kind: start.kind,
    conversationId,
    sends: replies.map(({ sendId, transcriptKey: key }) => ({ sendId, transcriptKey: key })),
    status: 'queued',
    at,
  };
  if (idempotencyKey)
    await deps.idempotency.complete(tenantId, idempotencyKey, {
      statusCode: 201,
      body: started as unknown as Record<string, unknown>,
    });
  return { ok: true, status: 201, started, replayed: false };
}

/**
 * Pictures the first message may not carry: beyond Twilio's 10 (the workflow's and the caller's
 * together), refused by this stage's outbound URL policy, or from a number that cannot send MMS.
 */
function refuseMedia(
  media: readonly string[],
  start: OutboundStart,
  numberMms: boolean | undefined,
  policy: OutboundUrlPolicy,
): StartRefusal | undefined {
  if (media.length === 0) return undefined;
  if (media.length > MAX_MEDIA_PER_MESSAGE)
    return {
      status: 422,
      error: 'media-not-allowed',
      message: `the first message would carry ${media.length} pictures (the workflow's and mediaUrls): at most ${MAX_MEDIA_PER_MESSAGE}`,
    };
  const problem = mediaUrlsProblem(start.mediaUrls ?? [], policy, 'mediaUrls');
  if (problem) return { status: 422, error: 'media-not-allowed', message: problem };
  const capability = mmsCapability(start.from, numberMms);
  if (!capability.canSend)
    return { status: 422, error: 'mms-not-supported', message: `from cannot send MMS: ${capability.reason}` };
  return undefined;
}
