import { setTimeout as sleep } from 'node:timers/promises';
import { ConversationScript } from './conversation-script';
import type { PhoneWatch } from './phone-watch';
import { type Random, streamFor } from './prng';

/**
 * Drives customers like real ones: each texts the tenant's number through the simulator's phone
 * (`POST /_sim/inbound`, the signed webhook path), waits for a reply or a timeout, thinks a
 * little, and texts again, until the run's turns are used up. A webhook the platform did not
 * answer with 200 is posted again with the same MessageSid, as Twilio retries.
 */
export interface TrafficPlan {
  readonly simulatorUrl: string;
  readonly tenantId: string;
  readonly businessNumber: string;
  readonly turns: number;
  readonly customers: number;
  readonly replyTimeoutMs: number;
  readonly seed: number;
  readonly phone: PhoneWatch;
  /** Stop starting new turns after this time (epoch ms). */
  readonly deadline: number;
}

export interface TrafficReport {
  /** Customer messages texted (each one turn). */
  readonly turns: number;
  /** Extra posts of a webhook the platform had not answered with 200 (same MessageSid). */
  readonly webhookRetries: number;
  /** Messages never answered with 200, even after the retries. */
  readonly notAccepted: number;
  /** Turns whose reply did not come within the reply timeout. */
  readonly replyTimeouts: number;
  readonly customerNumbers: readonly string[];
}

/** Twilio-like retry of an unanswered webhook: a few attempts, backing off. */
const WEBHOOK_RETRY_DELAYS_MS = [500, 1_000, 2_000];

interface InboundAnswer {
  readonly messageSid?: string;
  readonly status?: number | null;
}

/** Distinct, valid, non-magic US numbers: +1 555 01x xxxx. */
export function customerNumber(index: number): string {
  return `+1555${String(100_0000 + index).padStart(7, '0')}`;
}

export async function driveTraffic(plan: TrafficPlan): Promise<TrafficReport> {
  let ticketsLeft = plan.turns;
  const counters = { turns: 0, webhookRetries: 0, notAccepted: 0, replyTimeouts: 0 };
  const customerNumbers = Array.from({ length: plan.customers }, (_, index) => customerNumber(index));

  async function text(from: string, body: string): Promise<boolean> {
    let messageSid: string | undefined;
    for (let attempt = 0; ; attempt++) {
      const answer = await postInbound(plan, from, body, messageSid);
      messageSid ??= answer.messageSid;
      if (answer.status === 200) return true;
      const delay = WEBHOOK_RETRY_DELAYS_MS[attempt];
      // Without a MessageSid the phone never reached the platform: a retry would be a new message.
      if (delay === undefined || messageSid === undefined) return false;
      counters.webhookRetries++;
      await sleep(delay);
    }
  }

  async function customer(from: string, random: Random): Promise<void> {
    const script = new ConversationScript(random);
    // Customers do not all text in the same millisecond.
    await sleep(Math.floor(random() * 1_000));
    while (ticketsLeft > 0 && Date.now() < plan.deadline) {
      ticketsLeft--;
      counters.turns++;
      const message = script.next();
      const seen = plan.phone.count(from);
      const accepted = await text(from, message.body);
      if (!accepted) counters.notAccepted++;
      if (accepted && message.expectsReply) {
        const replied = await plan.phone.waitForMore(from, seen, plan.replyTimeoutMs);
        if (!replied) counters.replyTimeouts++;
      }
      await sleep(50 + Math.floor(random() * 250));
    }
  }

  await Promise.all(customerNumbers.map((from) => customer(from, streamFor(plan.seed, `customer:${from}`))));
  return { ...counters, customerNumbers };
}

async function postInbound(
  plan: TrafficPlan,
  from: string,
  body: string,
  messageSid: string | undefined,
): Promise<InboundAnswer> {
  try {
    const response = await fetch(`${plan.simulatorUrl}/_sim/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        tenantId: plan.tenantId,
        from,
        to: plan.businessNumber,
        body,
        ...(messageSid ? { messageSid } : {}),
      }),
    });
    return (await response.json()) as InboundAnswer;
  } catch {
    return {};
  }
}
