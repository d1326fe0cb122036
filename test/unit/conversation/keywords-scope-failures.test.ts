import { describe, expect, it } from 'vitest';
import { MemoryConversationStore } from '../../../lambdas/adapters/memory/conversation-store';
import { MemoryMessageQueue } from '../../../lambdas/adapters/memory/message-queue';
import { MemoryOptOutStore } from '../../../lambdas/adapters/memory/opt-out-store';
import { MemoryTenantDirectory } from '../../../lambdas/adapters/memory/tenant-directory';
import { processInbound, type TurnDeps, type TurnEvent } from '../../../lambdas/conversation/turn';
import type {
  InboundQueueMessage,
  OutboundQueueMessage,
  WebhookQueueMessage,
} from '../../../lambdas/domain/queue-messages';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import type { QueuedMessage } from '../../../lambdas/ports/message-queue';
import { DeadLetterError } from '../../../lambdas/shared/dead-letter';

const TENANT = 'acme';
const CUSTOMER = '+15551230000';
const BOOKING_NUMBER = '+15005550006';
const ORDERS_NUMBER = '+15005550010';

function workflow(definition: Record<string, unknown>): Workflow {
  const parsed = parseWorkflow(definition);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.workflow;
}

const confirm = workflow({
  id: 'confirm',
  routes: [
    {
      id: 'confirm',
      mandatoryVariables: [{ name: 'ok', type: 'yesno', prompt: 'Keep your visit? Reply YES or NO.' }],
      onComplete: { reply: 'Thanks, noted: {{ok}}.' },
    },
  ],
  fallback: { reply: 'Sorry?', maxAttempts: 1 },
  failureMessage: 'Oops, our side.',
  help: 'Acme visits. Reply STOP to opt out.',
});

const orders = workflow({
  id: 'orders',
  routes: [
    {
      id: 'track',
      match: { keywords: ['order'] },
      mandatoryVariables: [
        { name: 'order_number', type: 'pattern', pattern: '\\b\\d{6}\\b', prompt: 'Your order number?' },
      ],
      onComplete: { reply: 'Checking order {{order_number}}.' },
    },
  ],
  fallback: { reply: 'Text ORDER to track an order.', maxAttempts: 1 },
  failureMessage: 'Oops, our side.',
});

function host(options: { workflows?: Workflow[] } = {}) {
  const tenants = new MemoryTenantDirectory()
    .putNumber({ tenantId: TENANT, number: BOOKING_NUMBER, workflowId: 'confirm', allowInboundStart: true })
    .putNumber({ tenantId: TENANT, number: ORDERS_NUMBER, workflowId: 'orders', allowInboundStart: true });
  for (const item of options.workflows ?? [confirm, orders]) tenants.putWorkflow(TENANT, item);
  const events: TurnEvent[] = [];
  const outbound = new MemoryMessageQueue<OutboundQueueMessage>();
  const conversations = new MemoryConversationStore();
  const optOuts = new MemoryOptOutStore();
  const deps: TurnDeps = {
    tenants,
    conversations,
    outbound,
    webhooks: new MemoryMessageQueue<WebhookQueueMessage>(),
    optOuts,
    onEvent: (event) => events.push(event),
  };
  const sends: QueuedMessage<OutboundQueueMessage>[] = [];
  let sequence = 0;
  const text = async (to: string, body: string, optOutType?: string) => {
    sequence += 1;
    const queued: InboundQueueMessage = {
      v: 1,
      tenantId: TENANT,
      receivedAt: new Date(Date.UTC(2026, 11, 3, 12, 0, sequence)).toISOString(),
      message: {
        messageSid: `SM${String(sequence).padStart(32, '0')}`,
        accountSid: `AC${'d'.repeat(32)}`,
        from: CUSTOMER,
        to,
        body,
        mediaUrls: [],
        ...(optOutType ? { optOutType } : {}),
      },
    };
    await processInbound(queued, deps);
    const sent = outbound.drain();
    sends.push(...sent);
    return sent.map((message) => message.body.body);
  };
  const state = (businessNumber: string) =>
    conversations.load({ tenantId: TENANT, businessNumber, customer: CUSTOMER });
  return { text, state, events, optOuts, sends };
}

describe('keywords as Twilio means them', () => {
  it('takes YES as the answer to a yes/no question from a customer who never opted out', async () => {
    const { text, events } = host();
    expect(await text(BOOKING_NUMBER, 'hi')).toEqual(['Keep your visit? Reply YES or NO.']);
    expect(await text(BOOKING_NUMBER, 'YES')).toEqual(['Thanks, noted: yes.']);
    expect(events.some((event) => event.type === 'optIn')).toBe(false);
  });

  it("takes YES tagged by Twilio's Advanced Opt-Out (OptOutType=START) as an answer too", async () => {
    const { text } = host();
    await text(BOOKING_NUMBER, 'hi');
    expect(await text(BOOKING_NUMBER, 'Yes', 'START')).toEqual(['Thanks, noted: yes.']);
  });

  it('re-subscribes an opted-out customer on YES or START, silently (Twilio confirms it)', async () => {
    const { text, optOuts, events } = host();
    expect(await text(BOOKING_NUMBER, 'STOP')).toEqual([]);
    expect(await optOuts.isOptedOut(TENANT, CUSTOMER)).toBe(true);
    expect(await text(BOOKING_NUMBER, 'yes')).toEqual([]);
    expect(await optOuts.isOptedOut(TENANT, CUSTOMER)).toBe(false);
    expect(events.map((event) => event.type)).toEqual(['optOut', 'optIn']);
  });

  it('always opts out on the STOP family and on OptOutType=STOP, whatever is pending', async () => {
    const { text, optOuts } = host();
    await text(BOOKING_NUMBER, 'hi');
    expect(await text(BOOKING_NUMBER, 'Stop.')).toEqual([]);
    expect(await optOuts.isOptedOut(TENANT, CUSTOMER)).toBe(true);
    await text(BOOKING_NUMBER, 'START');
    expect(await text(BOOKING_NUMBER, 'arrêt', 'STOP')).toEqual([]);
    expect(await optOuts.isOptedOut(TENANT, CUSTOMER)).toBe(true);
  });

  it("answers HELP with the workflow's help, also after the conversation fell back", async () => {
    const { text, state } = host();
    await text(BOOKING_NUMBER, 'hi');
    expect(await text(BOOKING_NUMBER, 'what?')).toEqual(['Sorry?']);
    expect((await state(BOOKING_NUMBER))?.slots.status).toBe('fallback');
    expect(await text(BOOKING_NUMBER, 'help')).toEqual(['Acme visits. Reply STOP to opt out.']);
  });
});

describe('a conversation is tenant + business number + customer', () => {
  it("keeps one customer's conversations with two numbers of a tenant apart", async () => {
    const { text, state } = host();
    expect(await text(BOOKING_NUMBER, 'hi')).toEqual(['Keep your visit? Reply YES or NO.']);
    expect(await text(ORDERS_NUMBER, 'where is my order')).toEqual(['Your order number?']);
    // Each number's workflow goes on where it was: no fallback of the other one, nothing lost.
    expect(await text(BOOKING_NUMBER, 'yes')).toEqual(['Thanks, noted: yes.']);
    expect(await text(ORDERS_NUMBER, '123456')).toEqual(['Checking order 123456.']);
    expect((await state(BOOKING_NUMBER))?.slots).toMatchObject({ status: 'completed', routeId: 'confirm' });
    expect((await state(ORDERS_NUMBER))?.slots).toMatchObject({ status: 'completed', routeId: 'track' });
  });

  it('replies from the number the customer texted, in that conversation’s FIFO group', async () => {
    const { text, sends } = host();
    await text(ORDERS_NUMBER, 'order');
    await text(BOOKING_NUMBER, 'hi');
    expect(sends.map((message) => [message.body.from, message.groupId])).toEqual([
      [ORDERS_NUMBER, `${TENANT}#${ORDERS_NUMBER}#${CUSTOMER}`],
      [BOOKING_NUMBER, `${TENANT}#${BOOKING_NUMBER}#${CUSTOMER}`],
    ]);
  });
});

describe('a turn that can never succeed', () => {
  it('is dead-lettered at once when its workflow is missing', async () => {
    const { text } = host({ workflows: [orders] });
    await expect(text(BOOKING_NUMBER, 'hi')).rejects.toBeInstanceOf(DeadLetterError);
  });

  it('answers a variable named like an Object.prototype member with the value, never the prototype', async () => {
    // The schema refuses such names; a definition stored by other means must still not leak.
    const leaky = { ...orders, id: 'leaky' } as Workflow;
    const route = leaky.routes[0];
    if (!route) throw new Error('no route');
    const tenants = host({
      workflows: [
        {
          ...leaky,
          id: 'orders',
          routes: [
            {
              ...route,
              mandatoryVariables: [{ name: 'constructor', type: 'text', prompt: 'Your name?' }],
              onComplete: { reply: 'Hi {{constructor}}.' },
            },
          ],
        },
        confirm,
      ],
    });
    expect(await tenants.text(ORDERS_NUMBER, 'order')).toEqual(['Your name?']);
    expect(await tenants.text(ORDERS_NUMBER, 'Ana')).toEqual(['Hi Ana.']);
  });
});
