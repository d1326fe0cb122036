import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoTenantAdmin } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { asciiJson } from '../../lambdas/adapters/sqs-message-queue';
import { conversationGroupId, type InboundQueueMessage } from '../../lambdas/domain/queue-messages';
import type { LocalStack } from '../stack';
import type { Random } from './prng';

/**
 * The fault "redriven after many turns": a customer message comes back from the inbound DLQ
 * long after the customer went on texting. Two kinds, each put straight into the DLQ as a message
 * that failed all its receives would be, then redriven with the soak's other dead letters:
 * - replayed: a message that was applied (its turn recorded) — it must not turn again, and owes
 *   nothing new (the sender sends each of its replies once);
 * - late: a message that was never applied, received before the customer's later ones — it must
 *   be recorded with the note `late`, answered with nothing, and leave the conversation as it is.
 */
export interface StaleRedrives {
  readonly replayed: readonly { readonly customer: string; readonly messageSid: string }[];
  readonly late: readonly { readonly customer: string; readonly messageSid: string }[];
}

/** Later turns a replayed message must have behind it: more than the state's list of recent SIDs. */
export const LATER_TURNS_BEFORE_REDRIVE = 6;

type Entry = Record<string, unknown>;

/** A customer's transcript as operators read it (`smsctl conversation show`), in receipt order. */
function transcriptEntries(stack: LocalStack, tenantId: string, customer: string): Promise<Entry[]> {
  return new DynamoTenantAdmin(stack.clients.dynamo, stack.tableName).transcript(tenantId, customer);
}

/** The customer messages that turned (no note: not a keyword, not late). */
async function appliedMessages(stack: LocalStack, tenantId: string, customer: string): Promise<Entry[]> {
  const entries = await transcriptEntries(stack, tenantId, customer);
  return entries.filter((entry) => entry.direction === 'inbound' && !entry.note);
}

function hexSid(random: Random): string {
  return `SM${Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('')}`;
}

/**
 * Puts one replayed and one late message per chosen customer into the inbound DLQ. Customers are
 * taken in a seeded order, among those with enough later turns; at most `count` of them.
 */
export async function injectStaleRedrives(options: {
  readonly stack: LocalStack;
  readonly tenantId: string;
  readonly accountSid: string;
  readonly customers: readonly string[];
  readonly count: number;
  readonly random: Random;
}): Promise<StaleRedrives> {
  const { stack, tenantId } = options;
  const replayed: { customer: string; messageSid: string }[] = [];
  const late: { customer: string; messageSid: string }[] = [];
  const shuffled = [...options.customers].sort(() => options.random() - 0.5);
  for (const customer of shuffled) {
    if (replayed.length >= options.count) break;
    const entries = await appliedMessages(stack, tenantId, customer);
    const old = entries[entries.length - 1 - LATER_TURNS_BEFORE_REDRIVE];
    if (!old) continue;
    const message = (messageSid: string, body: string): InboundQueueMessage => ({
      v: 1,
      tenantId,
      receivedAt: String(old.at),
      message: {
        messageSid,
        accountSid: options.accountSid,
        from: customer,
        to: String(old.to),
        body,
        mediaUrls: [],
      },
    });
    const lateSid = hexSid(options.random);
    for (const queued of [
      message(String(old.messageSid), String(old.body)),
      message(lateSid, 'sorry wrong number, ignore that'),
    ]) {
      await stack.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: stack.queues.inbound.dlqUrl,
          // As every producer writes it: an emoji in a customer's old message is refused raw (fauxqs, SQS).
          MessageBody: asciiJson(queued),
          MessageGroupId: conversationGroupId(tenantId, queued.message.to, customer),
          MessageDeduplicationId: `${queued.message.messageSid}-stale`,
        }),
      );
    }
    replayed.push({ customer, messageSid: String(old.messageSid) });
    late.push({ customer, messageSid: lateSid });
  }
  return { replayed, late };
}

/**
 * After the redrive: late messages that were applied (not recorded once with the note `late`, or
 * answered). Replayed ones are covered by the audit's duplicateTurns and duplicateSends.
 */
export async function lateMessagesMishandled(
  stack: LocalStack,
  tenantId: string,
  stale: StaleRedrives,
): Promise<string[]> {
  const problems: string[] = [];
  for (const { customer, messageSid } of stale.late) {
    const items = await transcriptEntries(stack, tenantId, customer);
    const recorded = items.filter((entry) => entry.messageSid === messageSid);
    const answered = items.filter((entry) => String(entry.sendId ?? '').startsWith(`${messageSid}-`));
    if (recorded.length !== 1 || recorded[0]?.note !== 'late' || answered.length > 0)
      problems.push(
        `${messageSid}: ${recorded.length} entries, note ${String(recorded[0]?.note)}, ${answered.length} replies`,
      );
  }
  return problems;
}
