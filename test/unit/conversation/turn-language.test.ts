import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryConversationStore } from '../../../lambdas/adapters/memory/conversation-store';
import { MemoryLanguagePreferences } from '../../../lambdas/adapters/memory/language-preferences';
import { MemoryMessageQueue } from '../../../lambdas/adapters/memory/message-queue';
import { MemoryOptOutStore } from '../../../lambdas/adapters/memory/opt-out-store';
import { MemoryTenantDirectory } from '../../../lambdas/adapters/memory/tenant-directory';
import { apologize, processInbound, type TurnDeps } from '../../../lambdas/conversation/turn';
import { builtinMessage } from '../../../lambdas/domain/language/builtin-messages';
import type {
  InboundQueueMessage,
  OutboundQueueMessage,
  WebhookQueueMessage,
} from '../../../lambdas/domain/queue-messages';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';

const TENANT = 'acme';
const CUSTOMER = '+15551230000';
const NUMBER = '+15005550006';

function workflowOf(change: Record<string, unknown> = {}): Workflow {
  const definition = JSON.parse(
    readFileSync('examples/workflows/appointment-booking-bilingual.json', 'utf8'),
  );
  const parsed = parseWorkflow({ ...definition, ...change });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.workflow;
}

/** The conversation function's turn on memory stores, with the customer's language kept. */
function host(workflow: Workflow, numberLanguage?: string) {
  const tenants = new MemoryTenantDirectory()
    .putNumber({
      tenantId: TENANT,
      number: NUMBER,
      workflowId: workflow.id,
      allowInboundStart: true,
      ...(numberLanguage ? { language: numberLanguage } : {}),
    })
    .putWorkflow(TENANT, workflow);
  const outbound = new MemoryMessageQueue<OutboundQueueMessage>();
  const conversations = new MemoryConversationStore();
  const languages = new MemoryLanguagePreferences();
  const optOuts = new MemoryOptOutStore();
  const deps: TurnDeps = {
    tenants,
    conversations,
    outbound,
    webhooks: new MemoryMessageQueue<WebhookQueueMessage>(),
    optOuts,
    languages,
    onEvent: () => undefined,
  };
  let clock = Date.UTC(2026, 11, 1, 15, 0, 0);
  let sequence = 0;
  const queued = (body: string, afterMs: number): InboundQueueMessage => {
    sequence += 1;
    clock += afterMs;
    return {
      v: 1,
      tenantId: TENANT,
      receivedAt: new Date(clock).toISOString(),
      message: {
        messageSid: `SM${String(sequence).padStart(32, '0')}`,
        accountSid: `AC${'d'.repeat(32)}`,
        from: CUSTOMER,
        to: NUMBER,
        body,
        mediaUrls: [],
      },
    };
  };
  const text = async (body: string, afterMs = 1000) => {
    await processInbound(queued(body, afterMs), deps);
    return outbound.drain().map((message) => message.body.body);
  };
  const failed = async (body: string) => {
    await apologize(queued(body, 1000), deps);
    return outbound.drain().map((message) => message.body.body);
  };
  const preference = () => languages.get(TENANT, CUSTOMER);
  return { text, failed, preference, optOuts };
}

const DAY = 86_400_000;

describe('the language of a conversation in the turn', () => {
  it('detects the first message, keeps it for the next conversation, answers AYUDA and PARAR', async () => {
    const { text, preference, optOuts } = host(workflowOf());
    expect(await text('Hola, quiero una cita')).toEqual([
      '¡Hola, le saluda la Clínica Elegi+! ¿Qué día le gustaría venir?',
    ]);
    expect(await preference()).toBe('es');
    expect(await text('AYUDA')).toEqual([
      'Citas de la Clínica Elegi+. Escriba CITA para pedir una cita. Responda PARAR para darse de baja.',
    ]);
    // Two days later the conversation has expired; "ok" tells nothing, the preference does.
    expect((await text('ok', 2 * DAY))[0]).toMatch(/^¡Hola, le saluda la Clínica Elegi\+! Perdone/);
    // Twilio does not confirm PARAR (no Advanced Opt-Out here): the platform does, once, in Spanish.
    expect(await text('PARAR')).toEqual([
      'Se ha dado de baja y no le enviaremos otros mensajes. Responda COMENZAR para volver a suscribirse.',
    ]);
    expect(await optOuts.isOptedOut(TENANT, CUSTOMER)).toBe(true);
  });

  it('a switching keyword mid-conversation changes it for good (stored), the prompt asked again', async () => {
    const { text, preference } = host(workflowOf());
    await text('Hola, quiero una cita');
    expect(await text('ENGLISH')).toEqual(['What day would you like to come in?']);
    expect(await preference()).toBe('en');
    expect((await text('12/10'))[0]).toMatch(/^What time suits you on \w+, December 10\?$/);
    expect((await text('hola', 2 * DAY))[0]).toMatch(/^Hi from Elegi\+ Clinic!/);
  });

  it("falls back to the number's language when nothing tells, and stores nothing then", async () => {
    const { text, preference } = host(workflowOf(), 'es');
    expect((await text('123'))[0]).toMatch(/^¡Hola, le saluda la Clínica Elegi\+!/);
    expect(await preference()).toBeUndefined();
    const english = host(workflowOf());
    expect((await english.text('123'))[0]).toMatch(/^Hi from Elegi\+ Clinic!/);
  });

  it('apologizes in the conversation language, with the built-in text when the workflow has none', async () => {
    const { text, failed } = host(workflowOf());
    await text('Hola, quiero una cita');
    expect(await failed('??')).toEqual([
      'Lo sentimos, hubo un problema de nuestro lado. Vuelva a intentarlo en un rato.',
    ]);
    const builtin = host(workflowOf({ help: undefined }));
    expect(await builtin.text('AJUDA')).toEqual([builtinMessage('help', 'pt')]);
  });

  it('a workflow of one language reads and keeps no language', async () => {
    const definition = JSON.parse(readFileSync('examples/workflows/appointment-booking.json', 'utf8'));
    const parsed = parseWorkflow(definition);
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const { text, preference } = host(parsed.workflow);
    expect((await text('Hola, quiero una cita'))[0]).toMatch(/^Hi from Elegi\+ Clinic!/);
    expect(await preference()).toBeUndefined();
    // Its built-in HELP still answers AYUDA in Spanish; its own help is its own.
    expect(await text('AYUDA')).toEqual([
      'Elegi+ Clinic bookings. Text BOOK to make an appointment. Reply STOP to opt out.',
    ]);
  });
});
