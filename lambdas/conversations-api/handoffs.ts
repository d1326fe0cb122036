import { createHash } from 'node:crypto';
import { IDEMPOTENCY_KEY_TTL_HOURS, MAX_BODY_CHARS, startIdFor } from '../domain/outbound-request';
import { isE164 } from '../domain/phone';
import {
  type OutboundQueueMessage,
  type OutboundRoute,
  outboundSend,
  transcriptKey,
} from '../domain/queue-messages';
import type { ReleaseMode } from '../domain/workflow/handoff';
import type { ReminderTimerMessage } from '../domain/workflow/reminders';
import type {
  ConversationRecord,
  HandedOffConversation,
  HandoffStore,
  PlannedReply,
} from '../ports/conversation-store';
import type { IdempotencyStore, StoredResponse } from '../ports/idempotency-store';
import type { MessageQueue } from '../ports/message-queue';
import type { OptOutStore } from '../ports/opt-out-store';
import type { TenantLookup, TenantNumber } from '../ports/tenant-directory';
import { armFirstReminder } from '../reminders/arm-first';

/**
 * A person's side of a hand-off (issue 18): answer a handed-off conversation, give it back to the
 * bot, list the tenant's handed-off conversations. The one place this logic lives: the
 * conversations API, `smsctl conversation reply|release|list` and the local console's inbox call
 * it. A reply goes through outbound.fifo like every reply, so the sender's opt-out check, pacing,
 * idempotent claim and status tracking apply unchanged.
 */
export interface HandoffDeps {
  readonly tenants: TenantLookup;
  readonly conversations: HandoffStore;
  readonly outbound: MessageQueue<OutboundQueueMessage>;
  readonly idempotency: IdempotencyStore;
  /** Read to answer an opted-out customer's reply with 409 at once; the sender checks again when it sends. */
  readonly optOuts: OptOutStore;
  /**
   * Reminder timers: a release that asks the prompt again arms its first reminder, when the route
   * has `reminders` (lambdas/reminders/arm-first.ts). Absent: none armed.
   */
  readonly reminders?: MessageQueue<ReminderTimerMessage>;
  readonly now: () => Date;
  readonly randomId: () => string;
}

/** Which conversation: the customer's, on `to` (a business number) or on the one number it is handed off on. */
export interface HandoffTarget {
  readonly tenantId: string;
  readonly customer: string;
  readonly to?: string;
}

export type HandoffRefusal =
  | { status: 400; error: 'invalid-request'; message: string }
  | {
      status: 404;
      error: 'tenant-not-found' | 'conversation-not-found' | 'workflow-not-found';
      message: string;
    }
  | { status: 409; error: 'not-handed-off' | 'several-handed-off' | 'opted-out'; message: string }
  | { status: 422; error: 'idempotency-key-reused'; message: string };

export interface HandoffReplied {
  readonly tenantId: string;
  readonly conversationId: string;
  readonly businessNumber: string;
  readonly sends: readonly { readonly sendId: string; readonly transcriptKey: string }[];
  readonly status: 'queued';
  readonly at: string;
}

export interface HandoffReleased {
  readonly tenantId: string;
  readonly conversationId: string;
  readonly businessNumber: string;
  readonly mode: ReleaseMode;
  /** The prompt asked again on a resume; empty on a restart (the customer's next message starts). */
  readonly sends: readonly {
    readonly sendId: string;
    readonly transcriptKey: string;
    readonly body: string;
  }[];
  readonly at: string;
}

export type HandoffResult<T> =
  { ok: true; status: 200 | 201; value: T; replayed: boolean } | { ok: false; refusal: HandoffRefusal };

const MAX_CONFLICT_RETRIES = 5;

function refuse<T>(refusal: HandoffRefusal): HandoffResult<T> {
  return { ok: false, refusal };
}

const KEY_REUSED: HandoffRefusal = {
  status: 422,
  error: 'idempotency-key-reused',
  message: 'this Idempotency-Key was already used for a different request',
};

/** A reply's text as a person sends it: not split, so at most one message body. */
export function handoffReplyBodyProblem(body: unknown): string | undefined {
  if (typeof body !== 'string' || body.trim() === '') return 'body must be a non-empty string';
  if (body.length > MAX_BODY_CHARS) return `body must be at most ${MAX_BODY_CHARS} characters`;
  return undefined;
}

/**
 * The conversation a person addresses: with `to`, the one on that number; without, the only one
 * handed off (the customer may text several of the tenant's numbers).
 */
async function handedOffConversation(
  target: HandoffTarget,
  deps: HandoffDeps,
  at: string,
): Promise<{ ok: true; conversation: ConversationRecord } | { ok: false; refusal: HandoffRefusal }> {
  const { tenantId, customer, to } = target;
  if (!isE164(customer))
    return {
      ok: false,
      refusal: { status: 400, error: 'invalid-request', message: 'customer must be E.164' },
    };
  if (to !== undefined && !isE164(to))
    return { ok: false, refusal: { status: 400, error: 'invalid-request', message: 'to must be E.164' } };
  if (!(await deps.tenants.tenantExists(tenantId)))
    return {
      ok: false,
      refusal: { status: 404, error: 'tenant-not-found', message: `tenant ${tenantId} not found` },
    };
  const all = await deps.conversations.loadAll(tenantId, customer);
  const candidates = to === undefined ? all : all.filter((record) => record.businessNumber === to);
  if (candidates.length === 0)
    return {
      ok: false,
      refusal: {
        status: 404,
        error: 'conversation-not-found',
        message: `no conversation with this customer${to === undefined ? '' : ' on that number'}`,
      },
    };
  const handedOff = candidates.filter(
    (record) => record.slots.status === 'handed-off' && record.expiresAt > at,
  );
  if (handedOff.length > 1)
    return {
      ok: false,
      refusal: {
        status: 409,
        error: 'several-handed-off',
        message: `the customer is handed off on ${handedOff.length} numbers: say which with to`,
      },
    };
  const [conversation] = handedOff;
  if (conversation) return { ok: true, conversation };
  const [latest] = [...candidates].sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));
  const reason =
    latest?.slots.status === 'handed-off'
      ? `it expired at ${latest.expiresAt} (no message either way for the workflow's expiresAfterHours): the customer's next message starts over with the bot`
      : `its status is ${latest?.slots.status ?? 'unknown'}: the bot answers it (a person answers only after a hand-off: fallback.action handoff or a handoff keyword)`;
  return {
    ok: false,
    refusal: {
      status: 409,
      error: 'not-handed-off',
      message: `the conversation is not handed off: ${reason}`,
    },
  };
}

/** The window of silence the conversation was given (the workflow's expiresAfterHours), restarted now. */
function extendedExpiry(conversation: ConversationRecord, at: string): string {
  const window = Date.parse(conversation.expiresAt) - Date.parse(conversation.lastActivityAt);
  return new Date(Date.parse(at) + Math.max(window, 0)).toISOString();
}

function routeFrom(number: TenantNumber | undefined, conversation: ConversationRecord): OutboundRoute {
  return {
    tenantId: conversation.tenantId,
    conversationId: conversation.conversationId,
    from: conversation.businessNumber,
    to: conversation.customer,
    ...(number?.segmentsPerSecond !== undefined ? { senderSegmentsPerSecond: number.segmentsPerSecond } : {}),
    ...(number?.mms !== undefined ? { senderMms: number.mms } : {}),
    ...(number?.retentionDays !== undefined ? { retentionDays: number.retentionDays } : {}),
  };
}

function fingerprint(request: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/**
 * A person answers a handed-off conversation: one message, recorded in the transcript as the
 * agent's (`author: agent`), sent by the sender like every reply. Refused with 409 when the
 * conversation is not handed off. With an Idempotency-Key a repeat never sends twice: it gets the
 * first answer back (the key names the send ids, and the sender claims each once).
 */
export async function replyToHandoff(
  command: HandoffTarget & { readonly body: string; readonly idempotencyKey?: string },
  deps: HandoffDeps,
): Promise<HandoffResult<HandoffReplied>> {
  const { tenantId, idempotencyKey } = command;
  const problem = handoffReplyBodyProblem(command.body);
  if (problem) return refuse({ status: 400, error: 'invalid-request', message: problem });
  const print = fingerprint({
    kind: 'handoff-reply',
    customer: command.customer,
    to: command.to ?? null,
    body: command.body,
  });
  let remembered = idempotencyKey ? await deps.idempotency.find(tenantId, idempotencyKey) : undefined;
  if (remembered && remembered.fingerprint !== print) return refuse(KEY_REUSED);
  if (remembered?.response) return replayed(remembered.response);

  for (let attempt = 1; ; attempt++) {
    const at = remembered?.at ?? deps.now().toISOString();
    const found = await handedOffConversation(command, deps, at);
    if (!found.ok) return refuse(found.refusal);
    const { conversation } = found;
    if (await deps.optOuts.isOptedOut(tenantId, conversation.customer))
      return refuse({ status: 409, error: 'opted-out', message: 'the customer has opted out (STOP)' });
    if (idempotencyKey && !remembered) {
      const claimed = {
        fingerprint: print,
        startId: startIdFor(tenantId, idempotencyKey, deps.randomId),
        at,
      };
      const expiresAt = new Date(Date.parse(at) + IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000).toISOString();
      remembered = await deps.idempotency.claim(tenantId, idempotencyKey, claimed, expiresAt);
      if (remembered.fingerprint !== print) return refuse(KEY_REUSED);
      if (remembered.response) return replayed(remembered.response);
    }
    const replyId = remembered?.startId ?? startIdFor(tenantId, undefined, deps.randomId);
    const replyAt = remembered?.at ?? at;
    const sendId = `${replyId}-0`;
    const reply: PlannedReply = {
      sendId,
      transcriptKey: transcriptKey(replyAt, sendId),
      body: command.body,
      author: 'agent',
    };
    const outcome = await deps.conversations.commitHandoff({
      tenantId,
      customer: conversation.customer,
      businessNumber: conversation.businessNumber,
      conversation: {
        ...conversation,
        version: conversation.version + 1,
        lastActivityAt: replyAt,
        expiresAt: extendedExpiry(conversation, replyAt),
      },
      expectedVersion: conversation.version,
      replies: [reply],
      at: replyAt,
      removeListing: false,
    });
    if (outcome === 'conflict') {
      if (attempt >= MAX_CONFLICT_RETRIES)
        throw new Error(
          `Conversation of tenant ${tenantId} kept changing under ${MAX_CONFLICT_RETRIES} attempts`,
        );
      continue;
    }
    // Queued after the commit, and again by a retry that finds it committed: FIFO dedup and the
    // sender's claim on the send id make a repeat a no-op.
    const number = await deps.tenants.getNumber(tenantId, conversation.businessNumber);
    await deps.outbound.send([
      outboundSend(routeFrom(number, conversation), reply, deps.now().toISOString()),
    ]);
    const value: HandoffReplied = {
      tenantId,
      conversationId: conversation.conversationId,
      businessNumber: conversation.businessNumber,
      sends: [{ sendId, transcriptKey: reply.transcriptKey }],
      status: 'queued',
      at: replyAt,
    };
    if (idempotencyKey)
      await deps.idempotency.complete(tenantId, idempotencyKey, {
        statusCode: 201,
        body: value as unknown as Record<string, unknown>,
      });
    return { ok: true, status: 201, value, replayed: false };
  }
}

function replayed(response: StoredResponse): HandoffResult<HandoffReplied> {
  // Stored by replyToHandoff: the body is a HandoffReplied.
  return { ok: true, status: 201, value: response.body as unknown as HandoffReplied, replayed: true };
}

/**
 * Gives a handed-off conversation back to the bot (handoff.ts releaseHandoff): `restart` from the
 * workflow's start, `resume` at the prompt it was at (asked again). It leaves the tenant's list of
 * handed-off conversations. A second release finds it not handed off: 409.
 */
export async function releaseFromHandoff(
  command: HandoffTarget & { readonly mode: ReleaseMode },
  deps: HandoffDeps,
): Promise<HandoffResult<HandoffReleased>> {
  const { tenantId, mode } = command;
  for (let attempt = 1; ; attempt++) {
    const at = deps.now().toISOString();
    const found = await handedOffConversation(command, deps, at);
    if (!found.ok) return refuse(found.refusal);
    const { conversation } = found;
    const workflow = await deps.tenants.getWorkflow(tenantId, conversation.workflowId);
    if (!workflow)
      return refuse({
        status: 404,
        error: 'workflow-not-found',
        message: `workflow ${conversation.workflowId} of the conversation no longer exists`,
      });
    // Loaded by the first release, not by every cold start of the API function.
    const { releaseHandoff } = await import('../domain/workflow/handoff');
    const release = releaseHandoff({ workflow, state: conversation.slots, mode, now: new Date(at) });
    const releaseId = startIdFor(tenantId, undefined, deps.randomId);
    const replies: PlannedReply[] = release.replies.map((body, index) => {
      const sendId = `${releaseId}-${index}`;
      const media = release.media[index] ?? [];
      return {
        sendId,
        transcriptKey: transcriptKey(at, sendId),
        body,
        ...(media.length > 0 ? { mediaUrls: media } : {}),
      };
    });
    // The prompt asked again begins a silence of its own (reminders.ts silenceOf): its reminders
    // count from now, not from the customer's last message, and none of an earlier silence counts.
    const { reminder: _earlierSilence, resumedPrompt: _earlierRelease, ...kept } = conversation;
    const released: ConversationRecord = {
      ...kept,
      slots: release.state,
      version: conversation.version + 1,
      lastActivityAt: at,
      expiresAt: extendedExpiry(conversation, at),
      ...(replies.length > 0 ? { resumedPrompt: { id: releaseId, at } } : {}),
    };
    const outcome = await deps.conversations.commitHandoff({
      tenantId,
      customer: conversation.customer,
      businessNumber: conversation.businessNumber,
      conversation: released,
      expectedVersion: conversation.version,
      replies,
      at,
      removeListing: true,
    });
    if (outcome === 'conflict') {
      if (attempt >= MAX_CONFLICT_RETRIES)
        throw new Error(
          `Conversation of tenant ${tenantId} kept changing under ${MAX_CONFLICT_RETRIES} attempts`,
        );
      continue;
    }
    if (replies.length > 0) {
      const number = await deps.tenants.getNumber(tenantId, conversation.businessNumber);
      const queuedAt = deps.now().toISOString();
      await deps.outbound.send(
        replies.map((reply) => outboundSend(routeFrom(number, conversation), reply, queuedAt)),
      );
      await armFirstReminder({
        timers: deps.reminders,
        workflow,
        outcome,
        written: released,
        silenceKey: releaseId,
        load: (scope) => deps.conversations.load(scope),
        now: deps.now,
      });
    }
    return {
      ok: true,
      status: 200,
      value: {
        tenantId,
        conversationId: conversation.conversationId,
        businessNumber: conversation.businessNumber,
        mode,
        sends: replies.map(({ sendId, transcriptKey: key, body }) => ({ sendId, transcriptKey: key, body })),
        at,
      },
      replayed: false,
    };
  }
}

/** A handed-off conversation as listed: whether its customer has opted out since (a reply is then refused). */
export type ListedHandoff = HandedOffConversation & { readonly optedOut: boolean };

/** The tenant's handed-off conversations (still handed off, not expired), oldest hand-off first. */
export async function listHandoffs(
  tenantId: string,
  deps: Pick<HandoffDeps, 'tenants' | 'conversations' | 'optOuts' | 'now'>,
): Promise<HandoffResult<{ tenantId: string; conversations: ListedHandoff[] }>> {
  if (!(await deps.tenants.tenantExists(tenantId)))
    return refuse({ status: 404, error: 'tenant-not-found', message: `tenant ${tenantId} not found` });
  const handedOff = await deps.conversations.listHandedOff(tenantId, deps.now().toISOString());
  const conversations = await Promise.all(
    handedOff.map(async (conversation) => ({
      ...conversation,
      optedOut: await deps.optOuts.isOptedOut(tenantId, conversation.customer),
    })),
  );
  return { ok: true, status: 200, value: { tenantId, conversations }, replayed: false };
}
