import { conversationCampaignCounters } from '../domain/campaign/conversation-counters';
import { completionWebhookJob } from '../domain/completion-webhook/job';
import { completionWebhookGroupId } from '../domain/events/lanes';
import { type KeywordIntent, keywordIntent } from '../domain/opt-out';
import { splitForSms } from '../domain/segments';
import type {
  InboundQueueMessage,
  OutboundQueueMessage,
  OutboundRoute,
  WebhookQueueMessage,
} from '../domain/queue-messages';
import { outboundSend, sendIdFor, transcriptKey } from '../domain/queue-messages';
import type { Workflow } from '../domain/workflow/definition';
import { runTurn } from '../domain/workflow/engine';
import type { HandoffReason } from '../domain/workflow/handoff';
import { prepareReaders } from '../domain/workflow/readers';
import { StoredWorkflowError } from '../domain/workflow/stored';
import type {
  ConversationRecord,
  ConversationStore,
  HandoffListingChange,
  InboundTranscriptEntry,
  PlannedReply,
} from '../ports/conversation-store';
import type { MessageQueue } from '../ports/message-queue';
import type { OptOutStore } from '../ports/opt-out-store';
import type { TenantDirectory, TenantNumber } from '../ports/tenant-directory';
import { DeadLetterError } from '../shared/dead-letter';
import type { ReminderTimerMessage } from '../domain/workflow/reminders';
import { armFirstReminder } from '../reminders/arm-first';
import { keywordConfirmation } from './keyword-confirmation';
import type { LanguagePreferences } from '../ports/language-preferences';
import { builtinMessage } from '../domain/language/builtin-messages';
import { apologyText, decideLanguage, helpLanguage, helpText, rememberLanguage } from './language';
import { turnWithUnderstanding, type UnderstandingDeps, type UnderstandingOutcome } from './understanding';

export interface TurnDeps {
  readonly tenants: TenantDirectory;
  readonly conversations: ConversationStore;
  readonly outbound: MessageQueue<OutboundQueueMessage>;
  /** Completion webhooks (onComplete.webhook) for the notifier; never called from the turn itself. */
  readonly webhooks: MessageQueue<WebhookQueueMessage>;
  readonly optOuts: OptOutStore;
  readonly onEvent: (event: TurnEvent) => void;
  /** Customers' languages (workflows of several languages: lambdas/conversation/language.ts); absent: none kept. */
  readonly languages?: LanguagePreferences;
  /** The understanding port and its budget, for workflows with `understanding` (absent: rules only). */
  readonly understanding?: UnderstandingDeps;
  /** Reminder timers (a route's `reminders`: lambdas/reminders/arm-first.ts); absent: none armed. */
  readonly reminders?: MessageQueue<ReminderTimerMessage>;
}

export type TurnEvent =
  | { type: 'unroutable'; tenantId: string; reason: string }
  | { type: 'started'; tenantId: string }
  | { type: 'completed'; tenantId: string }
  | { type: 'webhookQueued'; tenantId: string; webhookId: string }
  | { type: 'conflict'; tenantId: string; attempt: number }
  | { type: 'duplicate'; tenantId: string }
  /** A message received before the last one applied (an old message redriven): recorded, not applied. */
  | { type: 'late'; tenantId: string }
  | { type: 'optOut' | 'optIn'; tenantId: string }
  /** The turn handed the conversation to a person (its fallback, or a keyword); one acknowledgement was queued. */
  | ({ type: 'handedOff'; reason: HandoffReason } & HandoffEventScope)
  /** A message to a handed-off conversation: recorded (note `handed-off`) for the person, no reply. */
  | ({ type: 'heldForPerson'; messageSid: string } & HandoffEventScope)
  /** The understanding port was asked, or would have been (lambdas/conversation/understanding.ts). */
  | ({ type: 'understanding'; tenantId: string } & UnderstandingOutcome);

/** Which conversation a hand-off event is about (for the tenant's events; never logged: numbers in full). */
interface HandoffEventScope {
  readonly tenantId: string;
  readonly conversationId: string;
  readonly businessNumber: string;
  readonly customer: string;
}

/**
 * How many of a customer's latest messages the state remembers as applied, by SID. A turn's own
 * retries and redrives are recognised by its inbound entry (written in the same transaction as the
 * state); the SIDs catch a second webhook for one message, whose receipt time (and so transcript
 * key) differs.
 */
export const RECENT_MESSAGES_KEPT = 5;

/** Optimistic-lock conflicts are rare (FIFO serialises a customer); a few rereads settle them. */
const MAX_CONFLICT_RETRIES = 5;

/** Handles one customer message: runs the workflow, records the turn, queues the replies. */
export async function processInbound(queued: InboundQueueMessage, deps: TurnDeps): Promise<void> {
  const { tenantId, message, receivedAt } = queued;
  const inboundBase = {
    transcriptKey: transcriptKey(receivedAt, message.messageSid),
    messageSid: message.messageSid,
    from: message.from,
    to: message.to,
    body: message.body,
    mediaUrls: message.mediaUrls,
    at: receivedAt,
  };

  const number = await deps.tenants.getNumber(tenantId, message.to);
  if (!number) {
    deps.onEvent({ type: 'unroutable', tenantId, reason: 'number not owned by tenant' });
    const inbound: InboundTranscriptEntry = { ...inboundBase, conversationId: '', note: 'unknown-number' };
    await commitAndQueue(deps, { tenantId, customer: message.from, inbound, replies: [] }, undefined);
    return;
  }
  const intent = await keywordIntentFor(deps, tenantId, message);
  if (intent === 'optOut' || intent === 'optIn') {
    // Twilio confirms its own keywords (and those Advanced Opt-Out lists: OptOutType) to the
    // customer; any other (PARAR) the platform confirms itself, once (keyword-confirmation.ts).
    const change = { at: receivedAt, source: 'keyword', messageSid: message.messageSid };
    if (intent === 'optOut') await deps.optOuts.optOut(tenantId, message.from, change);
    else await deps.optOuts.optIn(tenantId, message.from, change);
    const inbound: InboundTranscriptEntry = { ...inboundBase, conversationId: '', note: intent };
    const confirmation = await keywordConfirmation(deps, { queued, number, intent });
    const replies = confirmation ? [confirmation] : [];
    const route = confirmation ? replyRoute(number, message.from, '') : undefined;
    const recorded =
      intent === 'optOut'
        ? await commitOptOut(deps, queued, inbound, replies, route)
        : await commitAndQueue(deps, { tenantId, customer: message.from, inbound, replies }, route);
    if (recorded === 'committed') deps.onEvent({ type: intent, tenantId });
    return;
  }

  const workflow = await readWorkflow(deps, tenantId, number.workflowId);
  if (intent === 'help') {
    const sendId = sendIdFor(message.messageSid, 0);
    const reply = {
      sendId,
      transcriptKey: transcriptKey(receivedAt, sendId),
      body: helpText(
        workflow,
        await helpLanguage(deps, { tenantId, customer: message.from, workflow, number, text: message.body }),
      ),
      ...withMedia(workflow.help === undefined ? undefined : workflow.helpMedia),
    };
    const inbound: InboundTranscriptEntry = { ...inboundBase, conversationId: '', note: 'help' };
    await commitAndQueue(
      deps,
      { tenantId, customer: message.from, inbound, replies: [reply] },
      replyRoute(number, message.from, ''),
    );
    return;
  }

  for (let attempt = 1; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
    const current = await deps.conversations.load({
      tenantId,
      businessNumber: message.to,
      customer: message.from,
    });
    if (current?.lastInboundAt && receivedAt < current.lastInboundAt) {
      // Applying it now would answer an old question against the current state, out of order.
      // A redrive of a message that was applied finds its entry: its recorded replies are queued
      // again (the sender sends each once), so a crash before they were queued loses none.
      const inbound: InboundTranscriptEntry = { ...inboundBase, conversationId: '', note: 'late' };
      const commit = { tenantId, customer: message.from, inbound, replies: [] };
      const route = replyRoute(number, message.from, current.conversationId);
      if ((await commitAndQueue(deps, commit, route)) === 'committed')
        deps.onEvent({ type: 'late', tenantId });
      return;
    }
    const active = current && current.expiresAt > receivedAt ? current : undefined;
    if (!active && !number.allowInboundStart) {
      deps.onEvent({ type: 'unroutable', tenantId, reason: 'inbound start not allowed' });
      const inbound: InboundTranscriptEntry = {
        ...inboundBase,
        conversationId: '',
        note: 'inbound-start-not-allowed',
      };
      await commitAndQueue(deps, { tenantId, customer: message.from, inbound, replies: [] }, undefined);
      return;
    }
    const conversationId = active?.conversationId ?? message.messageSid;
    const language = await decideLanguage(deps, {
      tenantId,
      customer: message.from,
      workflow,
      number,
      text: message.body,
      state: active?.slots,
    });
    const turn = await turnWithUnderstanding(
      {
        tenantId,
        workflow,
        state: active?.slots,
        text: message.body,
        now: new Date(receivedAt),
        customer: message.from,
      },
      deps.understanding,
      (turnInput) => runTurnOrDeadLetter({ ...turnInput, language: language.language }),
      (outcome) => deps.onEvent({ type: 'understanding', tenantId, ...outcome }),
    );
    await rememberLanguage(deps, {
      tenantId,
      customer: message.from,
      number,
      at: receivedAt,
      decision: language,
      switchedTo: turn.languageChanged,
    });
    // Twilio refuses bodies over 1600 characters: longer replies go out as ordered parts, the
    // reply's pictures with the first.
    const replies: PlannedReply[] = turn.replies
      .flatMap((text, reply) =>
        splitForSms(text).map((body, part) => ({ body, media: part === 0 ? turn.media[reply] : undefined })),
      )
      .map(({ body, media }, index) => {
        const sendId = sendIdFor(message.messageSid, index);
        return { sendId, transcriptKey: transcriptKey(receivedAt, sendId), body, ...withMedia(media) };
      });
    const expiresAt = new Date(Date.parse(receivedAt) + workflow.expiresAfterHours * 3_600_000).toISOString();
    // A campaign's conversation goes on: its customer answered, and maybe completed the workflow.
    const campaign =
      active?.campaignId !== undefined
        ? {
            campaignId: active.campaignId,
            ...conversationCampaignCounters(active.campaignCounted, {
              replied: true,
              completed: turn.completed,
            }),
          }
        : undefined;
    const conversation: ConversationRecord = {
      tenantId,
      customer: message.from,
      conversationId,
      businessNumber: message.to,
      workflowId: workflow.id,
      slots: turn.state,
      version: (current?.version ?? 0) + 1,
      startedAt: active?.startedAt ?? receivedAt,
      lastActivityAt: receivedAt,
      expiresAt,
      recentMessageSids: [...(current?.recentMessageSids ?? []), message.messageSid].slice(
        -RECENT_MESSAGES_KEPT,
      ),
      lastInboundAt: receivedAt,
      ...(campaign ? { campaignId: campaign.campaignId, campaignCounted: campaign.counted } : {}),
    };
    const held = active?.slots.status === 'handed-off';
    // The inbox lists handed-off conversations: this one joins it, or one that expired leaves it.
    const handoffListing: HandoffListingChange | undefined = turn.handoff
      ? {
          change: 'add',
          entry: {
            businessNumber: message.to,
            customer: message.from,
            conversationId,
            at: receivedAt,
            reason: turn.handoff,
          },
        }
      : current?.slots.status === 'handed-off' && !active
        ? { change: 'remove' }
        : undefined;
    const webhook = turn.completed
      ? completionWebhookJob({
          workflow,
          state: turn.state,
          tenantId,
          conversationId,
          customer: message.from,
          completingMessageSid: message.messageSid,
          completedAt: receivedAt,
        })
      : undefined;
    const result = await commitAndQueue(
      deps,
      {
        tenantId,
        customer: message.from,
        conversation,
        ...(current ? { expectedVersion: current.version } : {}),
        inbound: { ...inboundBase, conversationId, ...(held ? { note: 'handed-off' } : {}) },
        replies,
        ...(webhook ? { webhook } : {}),
        ...(handoffListing ? { handoffListing } : {}),
        ...(campaign && campaign.add.length > 0
          ? { campaignCounters: { campaignId: campaign.campaignId, counters: campaign.add } }
          : {}),
      },
      replyRoute(number, message.from, conversationId),
    );
    if (result === 'conflict') {
      deps.onEvent({ type: 'conflict', tenantId, attempt });
      continue;
    }
    await armFirstReminder({
      timers: deps.reminders,
      workflow,
      outcome: result,
      // The silence this message began: the prompt its turn asked.
      silenceKey: message.messageSid,
      written: conversation,
      load: (scope) => deps.conversations.load(scope),
      now: () => new Date(),
    });
    if (result === 'committed') {
      if (!active) deps.onEvent({ type: 'started', tenantId });
      if (turn.completed) deps.onEvent({ type: 'completed', tenantId });
      const scope = { tenantId, conversationId, businessNumber: message.to, customer: message.from };
      if (turn.handoff) deps.onEvent({ type: 'handedOff', reason: turn.handoff, ...scope });
      if (held) deps.onEvent({ type: 'heldForPerson', messageSid: message.messageSid, ...scope });
    }
    return;
  }
  throw new Error(`Conversation of tenant ${tenantId} kept changing under ${MAX_CONFLICT_RETRIES} attempts`);
}

/**
 * Records a STOP (the opt-out itself is already written). A STOP to a number whose conversation
 * with the customer is a campaign's counts `optedOut` for the campaign, once: the count, the mark on
 * the conversation's state and the inbound entry are one transaction, conditional on the state
 * read (a conflict reads again). The conversation itself is left as it was. `replies`: the
 * platform's own confirmation, when it owes one, planned on the inbound entry.
 */
async function commitOptOut(
  deps: TurnDeps,
  queued: InboundQueueMessage,
  inbound: InboundTranscriptEntry,
  replies: PlannedReply[],
  route: OutboundRoute | undefined,
): Promise<'committed' | 'conflict' | 'duplicate'> {
  const { tenantId, message } = queued;
  const plain = { tenantId, customer: message.from, inbound, replies };
  for (let attempt = 1; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
    const current = await deps.conversations.load({
      tenantId,
      businessNumber: message.to,
      customer: message.from,
    });
    const campaignId = current?.campaignId;
    const counting = conversationCampaignCounters(current?.campaignCounted, { optedOut: true });
    if (!current || campaignId === undefined || counting.add.length === 0)
      return commitAndQueue(deps, plain, route);
    const result = await commitAndQueue(
      deps,
      {
        ...plain,
        conversation: {
          ...current,
          version: current.version + 1,
          // A second webhook for the same STOP is recognised by its SID, as a turn's is.
          recentMessageSids: [...(current.recentMessageSids ?? []), message.messageSid].slice(
            -RECENT_MESSAGES_KEPT,
          ),
          campaignCounted: counting.counted,
        },
        expectedVersion: current.version,
        campaignCounters: { campaignId, counters: counting.add },
      },
      route,
    );
    if (result !== 'conflict') return result;
    deps.onEvent({ type: 'conflict', tenantId, attempt });
  }
  throw new Error(`Conversation of tenant ${tenantId} kept changing under ${MAX_CONFLICT_RETRIES} attempts`);
}

/**
 * The carrier keywords as Twilio means them: the STOP family always opts out; an opt-in keyword
 * (START, UNSTOP, YES, or Twilio's `OptOutType=START`, which Advanced Opt-Out also sets for a YES
 * it lists) re-subscribes only a customer who is opted out. For anyone else it is an ordinary
 * answer ("YES" to "Reply YES or NO"), so it goes to the workflow: undefined here.
 */
async function keywordIntentFor(
  deps: TurnDeps,
  tenantId: string,
  message: InboundQueueMessage['message'],
): Promise<KeywordIntent | undefined> {
  const intent = keywordIntent(message.body, message.optOutType);
  if (intent !== 'optIn') return intent;
  return (await deps.optOuts.isOptedOut(tenantId, message.from)) ? 'optIn' : undefined;
}

/**
 * The workflow, with the readers it needs loaded (prepareReaders). One that is missing or cannot
 * be read fails the same way on every retry: the message
 * goes to the DLQ at once (for a redrive after the fix) and the customer hears the failure
 * message, instead of holding the conversation's FIFO group through every receive.
 */
async function readWorkflow(deps: TurnDeps, tenantId: string, workflowId: string): Promise<Workflow> {
  let workflow: Workflow | undefined;
  try {
    workflow = await deps.tenants.getWorkflow(tenantId, workflowId);
  } catch (error) {
    if (error instanceof StoredWorkflowError)
      throw new DeadLetterError(
        `Workflow ${workflowId} of tenant ${tenantId} is unreadable: ${error.message}`,
      );
    throw error;
  }
  if (!workflow) throw new DeadLetterError(`Workflow ${workflowId} of tenant ${tenantId} not found`);
  await prepareReaders(workflow);
  return workflow;
}

/** The engine is pure: an exception from it would recur on every retry, so it dead-letters at once. */
function runTurnOrDeadLetter(input: Parameters<typeof runTurn>[0]): ReturnType<typeof runTurn> {
  try {
    return runTurn(input);
  } catch (error) {
    throw new DeadLetterError(`Workflow ${input.workflow.id} failed on a message: ${String(error)}`);
  }
}

async function commitAndQueue(
  deps: TurnDeps,
  commit: Parameters<ConversationStore['commitTurn']>[0],
  route: OutboundRoute | undefined,
): Promise<'committed' | 'conflict' | 'duplicate'> {
  const result = await deps.conversations.commitTurn(commit);
  if (result.outcome === 'conflict') return 'conflict';
  const replies = result.outcome === 'duplicate' ? result.replies : commit.replies;
  if (result.outcome === 'duplicate') deps.onEvent({ type: 'duplicate', tenantId: commit.tenantId });
  if (route && replies.length > 0) {
    const queuedAt = new Date().toISOString();
    // Queued after the commit: a crash in between is healed by the retry finding the turn recorded.
    await deps.outbound.send(replies.map((reply) => outboundSend(route, reply, queuedAt)));
  }
  // Same discipline as the replies: queued after the commit, queued again by a retry that finds the
  // turn recorded. A second SQS message is harmless: the notifier POSTs each webhookId once.
  const webhook = result.outcome === 'duplicate' ? result.webhook : commit.webhook;
  if (webhook) {
    await deps.webhooks.send([
      { body: webhook, groupId: completionWebhookGroupId(webhook), deduplicationId: webhook.webhookId },
    ]);
    deps.onEvent({ type: 'webhookQueued', tenantId: commit.tenantId, webhookId: webhook.webhookId });
  }
  return result.outcome;
}

/** Replies go from the business number the customer texted, at that number's configured rate. */
function replyRoute(number: TenantNumber, customer: string, conversationId: string): OutboundRoute {
  return {
    tenantId: number.tenantId,
    conversationId,
    from: number.number,
    to: customer,
    ...(number.segmentsPerSecond !== undefined ? { senderSegmentsPerSecond: number.segmentsPerSecond } : {}),
    ...(number.mms !== undefined ? { senderMms: number.mms } : {}),
    ...(number.retentionDays !== undefined ? { retentionDays: number.retentionDays } : {}),
  };
}

/** A planned reply's pictures: present only on an MMS, so an SMS is recorded as it always was. */
function withMedia(media: readonly string[] | undefined): { mediaUrls?: readonly string[] } {
  return media && media.length > 0 ? { mediaUrls: media } : {};
}

/** Said when a turn fails for good and the workflow (or its failureMessage) cannot be read. */
export const DEFAULT_FAILURE_MESSAGE = builtinMessage('failure', 'en');

/**
 * The last attempt at a turn failed and the message is going to the DLQ: tell the customer once
 * rather than leave them in silence. The send id is fixed, so a second apology is deduplicated.
 */
export async function apologize(queued: InboundQueueMessage, deps: TurnDeps): Promise<void> {
  const { tenantId, message, receivedAt } = queued;
  const number = await deps.tenants.getNumber(tenantId, message.to).catch(() => undefined);
  if (!number) return;
  const workflow = await deps.tenants.getWorkflow(tenantId, number.workflowId).catch(() => undefined);
  const sendId = `${message.messageSid}-failure`;
  const reply = {
    sendId,
    transcriptKey: transcriptKey(receivedAt, sendId),
    body: await apologyText(deps, {
      tenantId,
      customer: message.from,
      businessNumber: message.to,
      workflow,
      number,
    }),
    ...withMedia(workflow?.failureMessage === undefined ? undefined : workflow.failureMessageMedia),
  };
  await deps.conversations.recordReply({
    ...reply,
    tenantId,
    customer: message.from,
    businessNumber: message.to,
    at: receivedAt,
  });
  await deps.outbound.send([
    outboundSend(replyRoute(number, message.from, ''), reply, new Date().toISOString()),
  ]);
}
