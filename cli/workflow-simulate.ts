import { createInterface } from 'node:readline';
import { MemoryConversationStore } from '../lambdas/adapters/memory/conversation-store';
import { MemoryMessageQueue } from '../lambdas/adapters/memory/message-queue';
import { MemoryOptOutStore } from '../lambdas/adapters/memory/opt-out-store';
import { MemoryLanguagePreferences } from '../lambdas/adapters/memory/language-preferences';
import { MemoryTenantDirectory } from '../lambdas/adapters/memory/tenant-directory';
import {
  type InboundQueueMessage,
  type OutboundQueueMessage,
  transcriptKey,
  type WebhookQueueMessage,
} from '../lambdas/domain/queue-messages';
import type { Workflow } from '../lambdas/domain/workflow/definition';
import { apologize, processInbound, type TurnDeps } from '../lambdas/conversation/turn';
import { DeadLetterError } from '../lambdas/shared/dead-letter';
import { CliError } from './cli-error';
import { SimulatedReminders, type SimulatedWaitLine } from './reminder-simulation';

export const SIMULATED_TENANT = 'simulated';
export const DEFAULT_SIMULATED_CUSTOMER = '+15551230000';
export const DEFAULT_SIMULATED_NUMBER = '+15005550006';

/** One simulated customer message's outcome: the shape `workflow simulate` prints per line. */
export interface SimulatedTurn {
  readonly replies: string[];
  /**
   * The pictures sent with each reply (`media[i]` with `replies[i]`, `[]` for an SMS); present only
   * when a reply of the message is an MMS, so SMS-only workflows print what they always did.
   */
  readonly media?: string[][];
  readonly variables: Readonly<Record<string, string>>;
  readonly route: string | null;
  /** The conversation's slot-filling status after the message; null when it touched none. */
  readonly status: string | null;
  /** Why the message got no turn of the workflow: optOut, optIn, help, ... */
  readonly note?: string;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `25h`, `90m`, `2d`, `30s` (or `30`: seconds) in milliseconds. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match?.[1])
    throw new CliError(`":wait ${text}": give a duration such as 45 (seconds), 30s, 90m, 25h or 2d`);
  return Number(match[1]) * (UNIT_MS[match[2] ?? 's'] as number);
}

/**
 * The conversation function's own turn (`processInbound`: keywords, opt-out state, expiry,
 * fallback, scope) on in-memory adapters, with a clock that `:wait` moves: what `workflow
 * simulate` answers is what the deployed function would answer, and a test can hold both to it.
 */
export class WorkflowSimulation {
  private readonly conversations = new MemoryConversationStore();
  private readonly optOuts = new MemoryOptOutStore();
  private readonly outbound = new MemoryMessageQueue<OutboundQueueMessage>();
  private readonly deps: TurnDeps;
  private offsetMs = 0;
  private sequence = 0;
  /** The route's `reminders` on this clock, as the reminders function decides them. */
  private readonly reminders: SimulatedReminders;

  constructor(
    workflow: Workflow,
    private readonly options: { from: string; to: string; now: () => Date },
  ) {
    const tenants = new MemoryTenantDirectory().putWorkflow(SIMULATED_TENANT, workflow).putNumber({
      tenantId: SIMULATED_TENANT,
      number: options.to,
      workflowId: workflow.id,
      allowInboundStart: true,
    });
    this.deps = {
      tenants,
      conversations: this.conversations,
      outbound: this.outbound,
      webhooks: new MemoryMessageQueue<WebhookQueueMessage>(),
      optOuts: this.optOuts,
      languages: new MemoryLanguagePreferences(),
      // What a message did is read back from its transcript entry's note, as operators see it.
      onEvent: () => undefined,
    };
    this.reminders = new SimulatedReminders(workflow);
  }

  /** Moves the simulated clock on (`:wait 25h`): the reminders that fell due meanwhile, then an expiry. */
  async wait(ms: number): Promise<SimulatedWaitLine[]> {
    const fromMs = this.options.now().getTime() + this.offsetMs;
    this.offsetMs += ms;
    const record = await this.conversations.load({
      tenantId: SIMULATED_TENANT,
      businessNumber: this.options.to,
      customer: this.options.from,
    });
    const optedOut = await this.optOuts.isOptedOut(SIMULATED_TENANT, this.options.from);
    return this.reminders.during(record, fromMs, fromMs + ms, optedOut);
  }

  async text(body: string): Promise<SimulatedTurn> {
    this.sequence += 1;
    const queued: InboundQueueMessage = {
      v: 1,
      tenantId: SIMULATED_TENANT,
      receivedAt: new Date(this.options.now().getTime() + this.offsetMs).toISOString(),
      message: {
        messageSid: `SM${this.sequence.toString(16).padStart(32, '0')}`,
        accountSid: `AC${'0'.repeat(32)}`,
        from: this.options.from,
        to: this.options.to,
        body,
        mediaUrls: [],
      },
    };
    let failed = false;
    try {
      await processInbound(queued, this.deps);
    } catch (error) {
      // As the conversation function does: a turn that can never succeed is apologised for.
      if (!(error instanceof DeadLetterError)) throw error;
      failed = true;
      await apologize(queued, this.deps);
    }
    const sends = this.outbound.drain().map((message) => message.body);
    // The sender checks opt-outs before every send: an opted-out customer is sent nothing.
    const optedOut = await this.optOuts.isOptedOut(SIMULATED_TENANT, this.options.from);
    const record = await this.conversations.load({
      tenantId: SIMULATED_TENANT,
      businessNumber: this.options.to,
      customer: this.options.from,
    });
    this.reminders.afterMessage(record, queued.message.messageSid);
    const inboundKey = transcriptKey(queued.receivedAt, queued.message.messageSid);
    const entry = this.conversations.transcript().find((item) => item.transcriptKey === inboundKey);
    const note = failed ? 'failed' : entry?.direction === 'inbound' ? entry.note : undefined;
    const sent = optedOut ? [] : sends;
    const media = sent.map((send) => send.mediaUrls);
    return {
      replies: sent.map((send) => send.body),
      ...(media.some((urls) => urls.length > 0) ? { media } : {}),
      variables: { ...(record?.slots.variables ?? {}) },
      route: record?.slots.routeId ?? null,
      status: record?.slots.status ?? null,
      ...(note ? { note } : {}),
    };
  }
}

/**
 * `smsctl workflow simulate --file F [--from E164] [--to E164]`: one customer message per stdin
 * line, one JSON object per line out; a line `:wait 25h` moves the clock on instead.
 */
export async function simulateLines(
  workflow: Workflow,
  input: NodeJS.ReadableStream,
  write: (line: string) => void,
  options: { from?: string; to?: string; now?: () => Date } = {},
): Promise<void> {
  const simulation = new WorkflowSimulation(workflow, {
    from: options.from ?? DEFAULT_SIMULATED_CUSTOMER,
    to: options.to ?? DEFAULT_SIMULATED_NUMBER,
    now: options.now ?? (() => new Date()),
  });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const directive = /^:wait\s+(.*)$/.exec(line.trim());
    if (directive) {
      for (const due of await simulation.wait(parseDuration(directive[1] ?? ''))) write(JSON.stringify(due));
      continue;
    }
    write(JSON.stringify(await simulation.text(line)));
  }
}
