import { GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { outboundSend, transcriptKey, type OutboundQueueMessage } from '../lambdas/domain/queue-messages';
import type { MessageStore, SendClaim, SendHistory, SendIdentity } from '../lambdas/ports/message-store';
import type { SentSms, SmsGateway } from '../lambdas/ports/sms-gateway';
import { processSend, RetryableSendError, type SendDeps } from '../lambdas/sender/send';
import { DeadLetterError } from '../lambdas/shared/dead-letter';
import type { LocalStack } from '../local/stack';
import { withinAchievedRate } from './budgets';
import { MemorySendPacer, StaticCredentials } from '../test/support/fakes';

/**
 * Bursts of sends on one number (issue 17: "a burst of 200 sends on a 1 segment/s number and of
 * 2,000 on a 30 segment/s number: 0 in any DLQ, all delivered, 95-100% of the configured rate").
 * Two ways: through the sender's real pacing on a virtual clock, with the outbound queue modelled
 * as SQS treats it (exact, in milliseconds, any size), and through the local stack in real time
 * (the real sender, outbound.fifo and the Twilio simulator; bounded by what the machine sends).
 */
export interface BurstOptions {
  readonly sends: number;
  readonly segmentsPerSecond: number;
}

export interface BurstFigures extends BurstOptions {
  readonly sent: number;
  /** Distinct recipients reached: a send made twice would show as sent > distinct. */
  readonly distinct: number;
  readonly deadLettered: number;
  /** Segments per second from the first send to the last, over the configured rate. */
  readonly achievedRatio: number;
  readonly seconds: number;
  /** Receives of the most-received send (booked once, parked until its slot, sent). */
  readonly maxReceives?: number;
}

/** The sender's claim records as the DynamoDB message store keeps them, in memory. */
class BurstMessageStore implements MessageStore {
  private readonly histories = new Map<string, SendHistory>();
  private readonly finished = new Set<string>();
  async claimSend(send: SendIdentity): Promise<SendClaim> {
    if (this.finished.has(send.sendId)) return { outcome: 'done' };
    return { outcome: 'claimed', ...(this.histories.get(send.sendId) ?? { parks: 0 }) };
  }
  async releaseSend(send: SendIdentity): Promise<void> {
    this.histories.set(send.sendId, { parks: this.histories.get(send.sendId)?.parks ?? 0 });
  }
  async parkSend(send: SendIdentity, slot: { slotAtMs: number }): Promise<void> {
    const parks = (this.histories.get(send.sendId)?.parks ?? 0) + 1;
    this.histories.set(send.sendId, { bookedSlotAtMs: slot.slotAtMs, parks });
  }
  async recordSent() {
    return { reportOutcome: false };
  }
  async completeSend(send: SendIdentity): Promise<void> {
    this.finished.add(send.sendId);
  }
  async confirmStatusReported(): Promise<void> {}
  async applyStatus(): Promise<never> {
    throw new Error('not used by the sender');
  }
  async openMessages(): Promise<never> {
    throw new Error('not used by the sender');
  }
  async closeOpen(): Promise<never> {
    throw new Error('not used by the sender');
  }
}

function burstSends(options: BurstOptions, from: string, tag: string, queuedAt: string) {
  return Array.from({ length: options.sends }, (_, index) => {
    const sendId = `burst-${tag}-${index}`;
    return outboundSend(
      {
        tenantId: 'demo',
        conversationId: sendId,
        from,
        to: `+1555${tag}${String(index).padStart(7 - tag.length, '0')}`,
        senderSegmentsPerSecond: options.segmentsPerSecond,
      },
      { sendId, transcriptKey: transcriptKey(queuedAt, sendId), body: 'Your order has shipped.' },
      queuedAt,
    );
  });
}

function achievedRatio(sentAtMs: readonly number[], segmentsPerSecond: number): number {
  const sorted = [...sentAtMs].sort((a, b) => a - b);
  const spanSeconds = (sorted.at(-1)! - sorted[0]!) / 1000;
  return spanSeconds > 0 ? (sorted.length - 1) / spanSeconds / segmentsPerSecond : Number.NaN;
}

/**
 * The burst on a virtual clock: each receive of a record runs the sender's `processSend`; a park
 * or retry makes the record visible again after the delay it asked for (plus `pollLatencyMs`, the
 * event source's), and every receive counts, as SQS counts them.
 */
export async function simulateBurst(
  options: BurstOptions & { waitBudgetMs: number; pollLatencyMs: number },
): Promise<BurstFigures> {
  let clockMs = Date.parse('2026-12-03T12:00:00.000Z');
  const sentAt: number[] = [];
  const recipients = new Set<string>();
  const sms: SmsGateway = {
    async send(request): Promise<SentSms> {
      sentAt.push(clockMs);
      recipients.add(request.to);
      return { sid: `SM${sentAt.length}`, status: 'queued', numSegments: 1 };
    },
    findRecent: async () => [],
    fetch: async () => undefined,
  };
  const deps: SendDeps = {
    publicBaseUrl: 'https://hooks.example.com',
    credentials: new StaticCredentials({ demo: { accountSid: `AC${'d'.repeat(32)}`, authToken: 't' } }),
    sms,
    messages: new BurstMessageStore(),
    optOuts: {
      isOptedOut: async () => false,
      optOutInForce: async () => undefined,
      optOut: async () => {},
      optIn: async () => {},
    },
    campaigns: { stateOf: async () => undefined },
    pacer: new MemorySendPacer(() => clockMs),
    pacingWaitBudgetMs: () => options.waitBudgetMs,
    failureBudget: 8,
    sleep: async (ms) => {
      clockMs += ms;
    },
    now: () => new Date(clockMs),
    random: () => 0.5,
    onEvent: () => {},
  };
  const queue: { send: OutboundQueueMessage; visibleAtMs: number; receives: number }[] = burstSends(
    options,
    '+15005550006',
    'v',
    new Date(clockMs).toISOString(),
  ).map((send) => ({ send: send.body, visibleAtMs: clockMs, receives: 0 }));
  const startedMs = clockMs;
  let deadLettered = 0;
  let maxReceives = 0;
  while (queue.length > 0) {
    queue.sort((a, b) => a.visibleAtMs - b.visibleAtMs);
    const record = queue.shift()!;
    clockMs = Math.max(clockMs, record.visibleAtMs + options.pollLatencyMs);
    record.receives++;
    maxReceives = Math.max(maxReceives, record.receives);
    try {
      await processSend(record.send, record.receives, deps);
    } catch (error) {
      if (error instanceof DeadLetterError) deadLettered++;
      else if (error instanceof RetryableSendError)
        queue.push({ ...record, visibleAtMs: clockMs + error.delaySeconds * 1000 });
      else throw error;
    }
  }
  return {
    ...options,
    sent: sentAt.length,
    distinct: recipients.size,
    deadLettered,
    achievedRatio: achievedRatio(sentAt, options.segmentsPerSecond),
    seconds: (clockMs - startedMs) / 1000,
    maxReceives,
  };
}

async function dlqDepth(stack: LocalStack): Promise<number> {
  let depth = 0;
  for (const queue of Object.values(stack.queues)) {
    const { Attributes } = await stack.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.dlqUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    depth +=
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  }
  return depth;
}

/**
 * The burst through a running local stack: the sends go on outbound.fifo as the conversation
 * function queues replies (one conversation each), from `from` at the configured rate; waits until
 * the simulator accepted all of them (or `timeoutMs`), then reads the DLQs.
 */
export async function localStackBurst(
  stack: LocalStack,
  options: BurstOptions & { from: string; tag: string; timeoutMs?: number },
): Promise<BurstFigures> {
  const sends = burstSends(options, options.from, options.tag, new Date().toISOString());
  const startedMs = Date.now();
  for (let offset = 0; offset < sends.length; offset += 10) {
    await stack.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: stack.queues.outbound.url,
        Entries: sends.slice(offset, offset + 10).map((send, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify(send.body),
          MessageGroupId: send.groupId,
          MessageDeduplicationId: send.deduplicationId,
        })),
      }),
    );
  }
  const accepted = () =>
    stack.simulator
      .apiRequests()
      .filter(
        (request) =>
          request.method === 'POST' && request.params.From === options.from && request.responseStatus === 201,
      );
  const deadline =
    startedMs + (options.timeoutMs ?? (options.sends / options.segmentsPerSecond) * 1000 + 60_000);
  while (accepted().length < options.sends && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 250));
  const sent = accepted();
  return {
    sends: options.sends,
    segmentsPerSecond: options.segmentsPerSecond,
    sent: sent.length,
    distinct: new Set(sent.map((request) => request.params.To)).size,
    deadLettered: await dlqDepth(stack),
    achievedRatio: achievedRatio(
      sent.map((request) => Date.parse(request.at)),
      options.segmentsPerSecond,
    ),
    seconds: (Date.now() - startedMs) / 1000,
  };
}

/** The bursts: the virtual clock at full size, the local stack at what the machine sends. */
export const BENCH_BURSTS = {
  virtual: [
    { sends: 200, segmentsPerSecond: 1 },
    { sends: 2000, segmentsPerSecond: 30 },
  ],
  local: [
    { sends: 200, segmentsPerSecond: 1, from: '+15005550301', tag: '301' },
    { sends: 400, segmentsPerSecond: 8, from: '+15005550302', tag: '302' },
  ],
} as const;

/** The sender's in-process wait on Lambda (lambdas/sender/handler.ts) and a poller's typical latency. */
const LAMBDA_WAIT_BUDGET_MS = 5000;
const POLL_LATENCY_MS = 300;

export async function measureBursts(startStack: () => Promise<LocalStack>): Promise<{
  virtual: BurstFigures[];
  local: BurstFigures[];
}> {
  const virtual: BurstFigures[] = [];
  for (const burst of BENCH_BURSTS.virtual)
    virtual.push(
      await simulateBurst({ ...burst, waitBudgetMs: LAMBDA_WAIT_BUDGET_MS, pollLatencyMs: POLL_LATENCY_MS }),
    );
  const stack = await startStack();
  try {
    const local: BurstFigures[] = [];
    for (const burst of BENCH_BURSTS.local) local.push(await localStackBurst(stack, burst));
    return { virtual, local };
  } finally {
    await stack.stop();
  }
}

/** 0 dead-lettered, every send once, and the achieved rate within 95-105% (the simulator's clock) of the configured. */
export function burstMeetsBudget(figures: BurstFigures): boolean {
  return (
    figures.deadLettered === 0 &&
    figures.sent === figures.sends &&
    figures.distinct === figures.sends &&
    withinAchievedRate(figures.achievedRatio)
  );
}
