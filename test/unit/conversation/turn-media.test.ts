import { describe, expect, it } from 'vitest';
import { WorkflowSimulation } from '../../../cli/workflow-simulate';
import { MemoryConversationStore } from '../../../lambdas/adapters/memory/conversation-store';
import { MemoryMessageQueue } from '../../../lambdas/adapters/memory/message-queue';
import { MemoryOptOutStore } from '../../../lambdas/adapters/memory/opt-out-store';
import { MemoryTenantDirectory } from '../../../lambdas/adapters/memory/tenant-directory';
import { apologize, processInbound, type TurnDeps } from '../../../lambdas/conversation/turn';
import type {
  InboundQueueMessage,
  OutboundQueueMessage,
  WebhookQueueMessage,
} from '../../../lambdas/domain/queue-messages';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import type { TenantNumber } from '../../../lambdas/ports/tenant-directory';

const TENANT = 'acme';
const NUMBER = '+15005550101';
const CUSTOMER = '+15551230001';
const LOGO = 'https://example.com/logo.png';
const SIZES = 'https://example.com/sizes.png';
const HELP = 'https://example.com/help.png';
const SORRY = 'https://example.com/sorry.png';

const words = Array.from({ length: 400 }, (_, index) => `word${index}`);

function workflow(greeting = 'Welcome!'): Workflow {
  const parsed = parseWorkflow({
    id: 'shop',
    greeting,
    greetingMedia: [LOGO],
    routes: [
      {
        id: 'size',
        mandatoryVariables: [{ name: 'size', type: 'text', prompt: 'Which size?', promptMedia: [SIZES] }],
        onComplete: { reply: 'Thanks!' },
      },
    ],
    fallback: { reply: 'Sorry?' },
    failureMessage: 'Something went wrong.',
    failureMessageMedia: [SORRY],
    help: 'Text SIZE to pick a size.',
    helpMedia: [HELP],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.workflow;
}

function world(options: { workflow?: Workflow; number?: Partial<TenantNumber> } = {}) {
  const definition = options.workflow ?? workflow();
  const tenants = new MemoryTenantDirectory().putWorkflow(TENANT, definition).putNumber({
    tenantId: TENANT,
    number: NUMBER,
    workflowId: definition.id,
    allowInboundStart: true,
    ...options.number,
  });
  const conversations = new MemoryConversationStore();
  const outbound = new MemoryMessageQueue<OutboundQueueMessage>();
  const deps: TurnDeps = {
    tenants,
    conversations,
    outbound,
    webhooks: new MemoryMessageQueue<WebhookQueueMessage>(),
    optOuts: new MemoryOptOutStore(),
    onEvent: () => undefined,
  };
  return { deps, conversations, outbound };
}

let sequence = 0;
function inbound(body: string): InboundQueueMessage {
  sequence += 1;
  return {
    v: 1,
    tenantId: TENANT,
    receivedAt: new Date(Date.UTC(2026, 2, 10, 12, 0, sequence)).toISOString(),
    message: {
      messageSid: `SM${sequence.toString(16).padStart(32, '0')}`,
      accountSid: `AC${'0'.repeat(32)}`,
      from: CUSTOMER,
      to: NUMBER,
      body,
      mediaUrls: [],
    },
  };
}

describe('conversation turn: pictures', () => {
  it('queues each reply with its pictures and records them with the turn', async () => {
    const { deps, conversations, outbound } = world();
    const message = inbound('hi');
    await processInbound(message, deps);
    const [sent] = outbound.drain();
    expect(sent?.body).toMatchObject({ body: 'Welcome! Which size?', mediaUrls: [LOGO, SIZES] });
    expect(sent?.body).not.toHaveProperty('senderMms');
    const entry = conversations.transcript().find((item) => item.direction === 'inbound');
    expect(entry?.direction === 'inbound' && entry.replies).toEqual([
      expect.objectContaining({ body: 'Welcome! Which size?', mediaUrls: [LOGO, SIZES] }),
    ]);
    // An SMS reply is recorded and queued as it always was.
    await processInbound(inbound('large'), deps);
    const [thanks] = outbound.drain();
    expect(thanks?.body).toMatchObject({ body: 'Thanks!', mediaUrls: [] });
    const second = conversations.transcript().filter((item) => item.direction === 'inbound')[1];
    expect(second?.direction === 'inbound' && second.replies[0]).not.toHaveProperty('mediaUrls');
  });

  it("queues the number's MMS setting for the sender", async () => {
    const { deps, outbound } = world({ number: { mms: false } });
    await processInbound(inbound('hi'), deps);
    expect(outbound.drain()[0]?.body).toMatchObject({ mediaUrls: [LOGO, SIZES], senderMms: false });
  });

  it('puts the pictures of a reply split for length on its first part only', async () => {
    const { deps, outbound } = world({ workflow: workflow(words.slice(0, 213).join(' ')) });
    await processInbound(inbound('hi'), deps);
    const parts = outbound.drain().map((message) => message.body);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((part) => part.mediaUrls)).toEqual([[LOGO, SIZES], ...parts.slice(1).map(() => [])]);
  });

  it('answers HELP with the help pictures, and apologises with the failure pictures', async () => {
    const { deps, outbound } = world();
    await processInbound(inbound('HELP'), deps);
    expect(outbound.drain()[0]?.body).toMatchObject({ body: 'Text SIZE to pick a size.', mediaUrls: [HELP] });
    await apologize(inbound('anything'), deps);
    expect(outbound.drain()[0]?.body).toMatchObject({ body: 'Something went wrong.', mediaUrls: [SORRY] });
  });
});

describe('workflow simulate: pictures', () => {
  it('prints the pictures of each reply beside the replies, only when there are any', async () => {
    const simulation = new WorkflowSimulation(workflow(), {
      from: CUSTOMER,
      to: NUMBER,
      now: () => new Date('2026-03-10T12:00:00Z'),
    });
    expect(await simulation.text('hi')).toEqual({
      replies: ['Welcome! Which size?'],
      media: [[LOGO, SIZES]],
      variables: {},
      route: 'size',
      status: 'collecting',
    });
    const done = await simulation.text('large');
    expect(done).toMatchObject({ replies: ['Thanks!'], status: 'completed' });
    expect(done).not.toHaveProperty('media');
  });
});
