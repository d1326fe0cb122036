import { describe, expect, it } from 'vitest';
import { DynamoConversationStore } from '../../../lambdas/adapters/dynamodb/conversation-store';
import { DynamoTenantAdmin } from '../../../lambdas/adapters/dynamodb/tenant-admin';
import { MemoryMessageQueue } from '../../../lambdas/adapters/memory/message-queue';
import { MemoryOptOutStore } from '../../../lambdas/adapters/memory/opt-out-store';
import { MemoryTenantDirectory } from '../../../lambdas/adapters/memory/tenant-directory';
import { processInbound, type TurnEvent } from '../../../lambdas/conversation/turn';
import type {
  InboundQueueMessage,
  OutboundQueueMessage,
  WebhookQueueMessage,
} from '../../../lambdas/domain/queue-messages';
import { DEMO_TENANT, loadWorkflowFile } from '../../../local/seed';
import { useDynamoDbTable } from '../../support/dynamodb-table';

/**
 * The turn's deduplication against the fault that used to beat it: the process dies right after
 * the turn's first write lands (injected with SDK middleware, the only mock here), more turns
 * follow, and the dead message comes back from the DLQ. It must never be applied twice, and a
 * message older than the last one applied must never be applied at all.
 */
const table = useDynamoDbTable('turn-redrive-test');
const TENANT = DEMO_TENANT.tenantId;
const BUSINESS = DEMO_TENANT.number;
let customerSeq = 0;

class CrashAfterWrite extends Error {}

async function harness() {
  const customer = `+1555030${String(customerSeq++).padStart(4, '0')}`;
  const workflow = await loadWorkflowFile(DEMO_TENANT.workflowFile);
  const tenants = new MemoryTenantDirectory()
    .putNumber({ tenantId: TENANT, number: BUSINESS, workflowId: workflow.id, allowInboundStart: true })
    .putWorkflow(TENANT, workflow);
  const outbound = new MemoryMessageQueue<OutboundQueueMessage>();
  const webhooks = new MemoryMessageQueue<WebhookQueueMessage>();
  const events: TurnEvent[] = [];
  let crashAfterNextWrite = false;
  const { documents, tableName } = table();
  // Shares the table's client; the fault only fires while armed, so other tests' calls are untouched.
  documents.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (crashAfterNextWrite && /Write|Update|Put/.test(String(context.commandName))) {
        crashAfterNextWrite = false;
        throw new CrashAfterWrite(`died after ${String(context.commandName)} landed`);
      }
      return result;
    },
    { step: 'initialize', name: `crashAfterWrite-${customer}` },
  );
  const deps = {
    tenants,
    conversations: new DynamoConversationStore(documents, tableName),
    outbound,
    webhooks,
    optOuts: new MemoryOptOutStore(),
    onEvent: (event: TurnEvent) => events.push(event),
  };
  let second = 0;
  const text = (body: string, sid = `SM${String(++second).padStart(32, '0')}`): InboundQueueMessage => ({
    v: 1,
    tenantId: TENANT,
    receivedAt: new Date(Date.UTC(2026, 11, 2, 10, 0, second)).toISOString(),
    message: {
      messageSid: sid,
      accountSid: `AC${'0'.repeat(32)}`,
      from: customer,
      to: BUSINESS,
      body,
      mediaUrls: [],
    },
  });
  return {
    customer,
    outbound,
    webhooks,
    events,
    text,
    turn: (queued: InboundQueueMessage) => processInbound(queued, deps),
    crashAfterNextWrite: () => {
      crashAfterNextWrite = true;
    },
    state: () => deps.conversations.load({ tenantId: TENANT, businessNumber: BUSINESS, customer }),
    inboundEntries: async () =>
      (await new DynamoTenantAdmin(documents, tableName).transcript(TENANT, customer)).filter(
        (entry) => entry.direction === 'inbound',
      ),
  };
}

describe('a turn redriven after many later turns', () => {
  it('is applied once when the process died right after its write, however many turns came between', async () => {
    const phone = await harness();
    const { text, turn, outbound, webhooks, events } = phone;
    const first = text('where is my package');
    phone.crashAfterNextWrite();
    await expect(turn(first)).rejects.toBeInstanceOf(CrashAfterWrite);
    const afterCrash = await phone.state();
    expect(afterCrash?.version).toBe(1);
    // The write that landed recorded the turn whole: its entry owes the prompt it decided.
    expect((await phone.inboundEntries()).map((entry) => (entry.replies as unknown[]).length)).toEqual([1]);
    expect(outbound.drain()).toEqual([]);

    // Seven more turns (beyond the state's list of recent SIDs): two complete conversations and one more started.
    for (const body of [
      '123456',
      'yesterday',
      'track order 654321',
      'last Monday',
      'order',
      '111111',
      'today',
    ])
      await turn(text(body));
    const before = await phone.state();
    outbound.drain();
    const completions = webhooks.sent.length;
    const started = events.filter((event) => event.type === 'started').length;

    await turn(first);
    const after = await phone.state();
    expect(after?.version).toBe(before?.version);
    expect(after?.slots).toEqual(before?.slots);
    expect(events.filter((event) => event.type === 'started').length).toBe(started);
    expect(webhooks.sent.length).toBe(completions);
    // What the crash kept it from queueing goes out now, under its original send id (sent once by the sender).
    expect(outbound.drain().map((message) => message.deduplicationId)).toEqual([
      `${first.message.messageSid}-0`,
    ]);
    expect(
      (await phone.inboundEntries()).filter((entry) => entry.messageSid === first.message.messageSid),
    ).toHaveLength(1);
    expect(events.at(-1)).toEqual({ type: 'duplicate', tenantId: TENANT });
  });

  it('records a message older than the last one applied as late: no reply, no change, counted', async () => {
    const phone = await harness();
    const neverApplied = phone.text('order 999999');
    await phone.turn(phone.text('where is my order'));
    await phone.turn(phone.text('123456'));
    const before = await phone.state();
    phone.outbound.drain();

    await phone.turn(neverApplied);
    const after = await phone.state();
    expect(after).toEqual(before);
    expect(phone.outbound.drain()).toEqual([]);
    expect(phone.events.at(-1)).toEqual({ type: 'late', tenantId: TENANT });
    const late = (await phone.inboundEntries()).find(
      (entry) => entry.messageSid === neverApplied.message.messageSid,
    );
    expect(late).toMatchObject({ note: 'late', replies: [], body: 'order 999999' });

    // Redriven once more: still one entry, still nothing applied or counted again.
    await phone.turn(neverApplied);
    expect(phone.events.at(-1)).toEqual({ type: 'duplicate', tenantId: TENANT });
    expect((await phone.state())?.version).toBe(before?.version);
  });
});
