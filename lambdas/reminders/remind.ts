import {
  type OutboundQueueMessage,
  type OutboundRoute,
  outboundSend,
  transcriptKey,
} from '../domain/queue-messages';
import { splitForSms } from '../domain/segments';
import type { Workflow } from '../domain/workflow/definition';
import { reminderQuietHours } from '../domain/workflow/reminder-quiet-hours';
import { reminderReply } from '../domain/workflow/reminder-text';
import {
  type AwaitedPrompt,
  decideReminder,
  nextReminderTimer,
  type ReminderDropReason,
  reminderSendId,
  type ReminderTimerMessage,
  silenceOf,
  timerDelaySeconds,
  type WorkflowReminder,
} from '../domain/workflow/reminders';
import { StoredWorkflowError } from '../domain/workflow/stored';
import type { ConversationRecord, PlannedReply } from '../ports/conversation-store';
import type { MessageQueue } from '../ports/message-queue';
import type { OptOutStore } from '../ports/opt-out-store';
import type { ReminderStore } from '../ports/reminder-store';
import type { TenantDirectory } from '../ports/tenant-directory';
import type { TenantQuietHours } from '../ports/tenant-profiles';

/**
 * One reminder timer fires (lambdas/domain/workflow/reminders.ts decides): it is dropped when its
 * silence ended or nothing is owed; put back when it came early (a hop) or falls in the tenant's
 * quiet hours; else the reminder is committed (transcript entry + the state's marker, on the state's
 * version), queued on outbound.fifo like any reply, and the next timer armed.
 *
 * Exactly once: the commit is conditional on the state's version, so of two copies of a timer one
 * commits and the other finds the marker; a timer that finds its reminder committed (an attempt
 * that crashed before queueing it) queues it again under the same send ids (FIFO dedup and the
 * sender's claim send it once) and arms the next.
 */
export interface ReminderDeps {
  readonly tenants: TenantDirectory;
  readonly quietHours: TenantQuietHours;
  readonly conversations: ReminderStore;
  readonly optOuts: OptOutStore;
  readonly outbound: MessageQueue<OutboundQueueMessage>;
  readonly timers: MessageQueue<ReminderTimerMessage>;
  readonly now: () => Date;
}

export type ReminderOutcome =
  | { readonly kind: 'sent' | 'resent'; readonly index: number; readonly nextArmed: boolean }
  | { readonly kind: 'waiting'; readonly delaySeconds: number; readonly quietHours: boolean }
  | { readonly kind: 'dropped'; readonly reason: ReminderDropReason };

const MAX_CONFLICT_RETRIES = 5;

export async function fireReminder(
  timer: ReminderTimerMessage,
  deps: ReminderDeps,
): Promise<ReminderOutcome> {
  const scope = { tenantId: timer.tenantId, businessNumber: timer.businessNumber, customer: timer.customer };
  for (let attempt = 1; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
    const conversation = await deps.conversations.load(scope);
    const workflow =
      conversation?.conversationId === timer.conversationId
        ? await workflowOf(deps, timer.tenantId, conversation.workflowId)
        : undefined;
    const now = deps.now();
    const quiet =
      workflow &&
      reminderQuietHours(
        await deps.quietHours.quietHours(timer.tenantId),
        timer.customer,
        workflow.timeZone,
        now,
      );
    const decision = decideReminder({ timer, conversation, workflow, now, ...(quiet ? { quiet } : {}) });
    switch (decision.kind) {
      case 'drop':
        return { kind: 'dropped', reason: decision.reason };
      case 'wait':
        await deps.timers.send([{ body: decision.timer, delaySeconds: decision.delaySeconds }]);
        return { kind: 'waiting', delaySeconds: decision.delaySeconds, quietHours: decision.quietHours };
      case 'resend': {
        const sending = { conversation: conversation as ConversationRecord, workflow: workflow as Workflow };
        const nextArmed = await queueAndArmNext(timer, sending, decision, deps);
        return { kind: 'resent', index: timer.index, nextArmed };
      }
      case 'send': {
        const current = conversation as ConversationRecord;
        const sending = { conversation: current, workflow: workflow as Workflow };
        // Checked last, only for a reminder about to go: they cost reads.
        if (await deps.optOuts.isOptedOut(timer.tenantId, timer.customer))
          return { kind: 'dropped', reason: 'opted-out' };
        if (await deps.conversations.inboundAfter(scope, silenceOf(current).answeredAfter))
          return { kind: 'dropped', reason: 'answered' };
        const outcome = await deps.conversations.commitReminder({
          ...scope,
          conversation: { ...current, version: current.version + 1, reminder: decision.marker },
          expectedVersion: current.version,
          replies: repliesOf(timer, sending, decision),
          at: decision.at,
        });
        if (outcome === 'conflict') continue;
        const nextArmed = await queueAndArmNext(timer, sending, decision, deps);
        return { kind: 'sent', index: timer.index, nextArmed };
      }
    }
  }
  throw new Error(
    `Conversation of tenant ${timer.tenantId} kept changing under ${MAX_CONFLICT_RETRIES} attempts`,
  );
}

/** A workflow that is gone or cannot be read sends no reminder (the turn that reads it dead-letters). */
async function workflowOf(
  deps: ReminderDeps,
  tenantId: string,
  workflowId: string,
): Promise<Workflow | undefined> {
  try {
    return await deps.tenants.getWorkflow(tenantId, workflowId);
  } catch (error) {
    if (error instanceof StoredWorkflowError) return undefined;
    throw error;
  }
}

interface Sending {
  readonly conversation: ConversationRecord;
  readonly workflow: Workflow;
}

interface Chosen {
  readonly awaited: AwaitedPrompt;
  readonly reminder: WorkflowReminder;
  readonly at: string;
}

/** The reminder as replies (split like any reply over 1600 characters, pictures with the first part). */
function repliesOf(timer: ReminderTimerMessage, sending: Sending, chosen: Chosen): PlannedReply[] {
  const { text, media } = reminderReply(
    sending.workflow,
    chosen.awaited,
    chosen.reminder,
    sending.conversation.slots,
    new Date(chosen.at),
  );
  return splitForSms(text).map((body, part) => {
    const sendId = reminderSendId(timer.silenceKey, timer.index, part);
    return {
      sendId,
      transcriptKey: transcriptKey(chosen.at, sendId),
      body,
      ...(part === 0 && media.length > 0 ? { mediaUrls: media } : {}),
    };
  });
}

/** Queues the committed reminder (again, on a resend: the sender sends it once), then arms the next. */
async function queueAndArmNext(
  timer: ReminderTimerMessage,
  sending: Sending,
  chosen: Chosen,
  deps: ReminderDeps,
): Promise<boolean> {
  const { conversation } = sending;
  const number = await deps.tenants.getNumber(timer.tenantId, timer.businessNumber);
  const route: OutboundRoute = {
    tenantId: timer.tenantId,
    conversationId: conversation.conversationId,
    from: timer.businessNumber,
    to: timer.customer,
    ...(number?.segmentsPerSecond !== undefined ? { senderSegmentsPerSecond: number.segmentsPerSecond } : {}),
    ...(number?.mms !== undefined ? { senderMms: number.mms } : {}),
    ...(number?.retentionDays !== undefined ? { retentionDays: number.retentionDays } : {}),
  };
  const queuedAt = deps.now().toISOString();
  await deps.outbound.send(
    repliesOf(timer, sending, chosen).map((reply) => outboundSend(route, reply, queuedAt)),
  );
  const next = nextReminderTimer(chosen.awaited, conversation, timer.silenceKey, timer.index, chosen.at);
  if (!next) return false;
  await deps.timers.send([
    { body: next, delaySeconds: timerDelaySeconds(Date.parse(next.dueAt), deps.now().getTime()) },
  ]);
  return true;
}
