import { describe, expect, it } from 'vitest';
import { MemoryConversationStore } from '../../../lambdas/adapters/memory/conversation-store';
import { MemoryMessageQueue } from '../../../lambdas/adapters/memory/message-queue';
import { MemoryOptOutStore } from '../../../lambdas/adapters/memory/opt-out-store';
import { MemoryTenantDirectory } from '../../../lambdas/adapters/memory/tenant-directory';
import { processInbound, type TurnDeps } from '../../../lambdas/conversation/turn';
import { builtinTranslations } from '../../../lambdas/domain/language/builtin-messages';
import { TWILIO_DEFAULT_KEYWORDS } from '../../../lambdas/domain/opt-out-confirmation';
import type {
  InboundQueueMessage,
  OutboundQueueMessage,
  WebhookQueueMessage,
} from '../../../lambdas/domain/queue-messages';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';

/**
 * The turn's side of an opt-out keyword Twilio does not confirm (PARAR without Advanced Opt-Out):
 * the opt-out is recorded with its message's SID and one confirmation, in the keyword's language,
 * is planned on its inbound entry and queued marked for the sender. Twilio's own keywords and any
 * message carrying OptOutType stay silent.
 */
const TENANT = 'acme';
const CUSTOMER = '+15551230000';
const NUMBER = '+15005550006';

function workflow(definition: Record<string, unknown>): Workflow {
  const parsed = parseWorkflow(definition);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.workflow;
}

const booking = (extra: Record<string, unknown> = {}) =>
  workflow({
    id: 'booking',
    routes: [
      {
        id: 'book',
        mandatoryVariables: [{ name: 'day', type: 'text', prompt: 'Which day?' }],
        onComplete: { reply: 'Booked for {{day}}.' },
      },
    ],
    fallback: { reply: 'Sorry?', maxAttempts: 3 },
    failureMessage: 'Oops, our side.',
    ...extra,
  });

function host(options: { workflow?: Workflow; unreadableWorkflow?: boolean } = {}) {
  const directory = new MemoryTenantDirectory()
    .putNumber({ tenantId: TENANT, number: NUMBER, workflowId: 'booking', allowInboundStart: true })
    .putWorkflow(TENANT, options.workflow ?? booking());
  const tenants = options.unreadableWorkflow
    ? {
        getNumber: directory.getNumber.bind(directory),
        getWorkflow: async () => {
          throw new Error('DynamoDB is down');
        },
      }
    : directory;
  const outbound = new MemoryMessageQueue<OutboundQueueMessage>();
  const conversations = new MemoryConversationStore();
  const optOuts = new MemoryOptOutStore();
  const deps: TurnDeps = {
    tenants: tenants as TurnDeps['tenants'],
    conversations,
    outbound,
    webhooks: new MemoryMessageQueue<WebhookQueueMessage>(),
    optOuts,
    onEvent: () => undefined,
  };
  let sequence = 0;
  const inbound = (body: string, optOutType?: string): InboundQueueMessage => {
    sequence += 1;
    return {
      v: 1,
      tenantId: TENANT,
      receivedAt: new Date(Date.UTC(2026, 11, 3, 12, 0, sequence)).toISOString(),
      message: {
        messageSid: `SM${String(sequence).padStart(32, '0')}`,
        accountSid: `AC${'d'.repeat(32)}`,
        from: CUSTOMER,
        to: NUMBER,
        body,
        mediaUrls: [],
        ...(optOutType ? { optOutType } : {}),
      },
    };
  };
  const deliver = async (queued: InboundQueueMessage) => {
    await processInbound(queued, deps);
    return outbound.drain().map((message) => message.body);
  };
  const text = (body: string, optOutType?: string) => deliver(inbound(body, optOutType));
  return { text, deliver, inbound, optOuts, conversations };
}

describe('the confirmation of a keyword Twilio does not confirm', () => {
  it('PARAR without OptOutType: opted out by it, one Spanish confirmation marked for the sender', async () => {
    const { text, optOuts, conversations } = host();
    const [confirmation, ...more] = await text('PARAR');
    const stopSid = `SM${'1'.padStart(32, '0')}`;
    expect(more).toEqual([]);
    expect(confirmation).toMatchObject({
      sendId: `${stopSid}-optout-confirmation`,
      purpose: 'opt-out-confirmation',
      conversationId: '',
      from: NUMBER,
      to: CUSTOMER,
      body: 'Se ha dado de baja y no le enviaremos otros mensajes. Responda COMENZAR para volver a suscribirse.',
      mediaUrls: [],
    });
    expect(await optOuts.optOutInForce(TENANT, CUSTOMER)).toEqual({ messageSid: stopSid });
    // Planned on the inbound entry, so a redrive queues the same send again.
    expect(conversations.transcript()).toMatchObject([
      { body: 'PARAR', note: 'optOut', replies: [{ sendId: `${stopSid}-optout-confirmation` }] },
    ]);
  });

  it('a redrive of the same PARAR queues the same send (the sender sends it once)', async () => {
    const { deliver, inbound } = host();
    const parar = inbound('parar');
    const first = await deliver(parar);
    const again = await deliver(parar);
    expect(again.map((send) => send.sendId)).toEqual(first.map((send) => send.sendId));
    expect(again[0]?.purpose).toBe('opt-out-confirmation');
  });

  it.each([
    ['ARRET', 'fr'],
    ['Sair', 'pt'],
    ['STOPP', 'de'],
    ['BAJA', 'es'],
  ] as const)('%s is confirmed in %s', async (body, language) => {
    expect((await host().text(body)).map((send) => send.body)).toEqual([
      builtinTranslations('optOutConfirmation')[language],
    ]);
  });

  it.each([...TWILIO_DEFAULT_KEYWORDS.optOut])(
    '%s (Twilio confirms it) gets nothing from us',
    async (body) => {
      const { text, optOuts } = host();
      expect(await text(body)).toEqual([]);
      expect(await optOuts.isOptedOut(TENANT, CUSTOMER)).toBe(true);
    },
  );

  it('PARAR with OptOutType=STOP (Advanced Opt-Out confirms it) gets nothing from us', async () => {
    const { text, optOuts } = host();
    expect(await text('PARAR', 'STOP')).toEqual([]);
    expect(await optOuts.isOptedOut(TENANT, CUSTOMER)).toBe(true);
  });

  it("PARAR in a campaign's conversation is counted for the campaign and confirmed", async () => {
    const { text, conversations } = host();
    await text('hola');
    const scope = { tenantId: TENANT, businessNumber: NUMBER, customer: CUSTOMER };
    const current = (await conversations.load(scope))!;
    await conversations.commitTurn({
      tenantId: TENANT,
      customer: CUSTOMER,
      conversation: { ...current, campaignId: 'cmp-spring', version: current.version + 1 },
      expectedVersion: current.version,
      inbound: {
        transcriptKey: 'campaign-mark',
        messageSid: 'campaign-mark',
        conversationId: current.conversationId,
        from: CUSTOMER,
        to: NUMBER,
        body: '',
        mediaUrls: [],
        at: current.lastActivityAt,
      },
      replies: [],
    });
    const sends = await text('PARAR');
    expect(sends.map((send) => send.purpose)).toEqual(['opt-out-confirmation']);
    expect((await conversations.load(scope))?.campaignCounted).toEqual(['optedOut']);
  });

  it('messages after the opt-out carry no mark: the sender refuses them', async () => {
    const { text } = host();
    await text('PARAR');
    const later = await text('quiero una cita');
    expect(later.every((send) => send.purpose === undefined)).toBe(true);
  });

  it('COMENZAR after PARAR re-subscribes, with one Spanish confirmation (an ordinary send)', async () => {
    const { text, optOuts } = host();
    await text('PARAR');
    const [confirmation, ...more] = await text('COMENZAR');
    expect(more).toEqual([]);
    expect(confirmation).toMatchObject({
      sendId: `SM${'2'.padStart(32, '0')}-optin-confirmation`,
      body: 'Se ha vuelto a suscribir. Responda PARAR para darse de baja.',
    });
    expect(confirmation?.purpose).toBeUndefined();
    expect(await optOuts.isOptedOut(TENANT, CUSTOMER)).toBe(false);
    // START (Twilio's) after ARRET: Twilio confirms it.
    await text('ARRET');
    expect(await text('START')).toEqual([]);
  });

  it('SI from a customer who is not opted out is an answer, not an opt-in: no confirmation', async () => {
    const { text } = host();
    await text('hola');
    expect((await text('SI')).map((send) => send.body)).toEqual(['Booked for SI.']);
  });

  it("uses the workflow's own text when it speaks the keyword's language", async () => {
    const own = booking({
      languages: ['en', 'es'],
      optOutConfirmation: { en: 'Bye.', es: 'Adiós. Escriba COMENZAR para volver.' },
      fallback: { reply: { en: 'Sorry?', es: '¿Perdón?' }, maxAttempts: 3 },
    });
    expect((await host({ workflow: own }).text('PARAR')).map((send) => send.body)).toEqual([
      'Adiós. Escriba COMENZAR para volver.',
    ]);
  });

  it('a workflow that cannot be read fails neither the opt-out nor its confirmation', async () => {
    const { text, optOuts } = host({ unreadableWorkflow: true });
    expect((await text('PARAR')).map((send) => send.body)).toEqual([
      builtinTranslations('optOutConfirmation').es,
    ]);
    expect(await optOuts.isOptedOut(TENANT, CUSTOMER)).toBe(true);
  });
});
