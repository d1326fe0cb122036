import { describe, expect, it } from 'vitest';
import { type StartOutboundDeps, startOutbound } from '../../../lambdas/conversations-api/start-outbound';
import {
  fingerprintOf,
  type OutboundStart,
  parseOutboundStart,
} from '../../../lambdas/domain/outbound-request';
import { LOCAL_URL_POLICY } from '../../../lambdas/domain/outbound-url-policy';
import type { OutboundQueueMessage } from '../../../lambdas/domain/queue-messages';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import type { StartCommit } from '../../../lambdas/ports/conversation-store';
import type { TenantNumber } from '../../../lambdas/ports/tenant-directory';
import { RecordingQueue } from '../../support/fakes';

const TENANT = 'acme';
const US_NUMBER = '+15005550101';
const UK_NUMBER = '+447700900123';
const CUSTOMER = '+15551230001';
const A = 'https://example.com/a.jpg';
const B = 'https://example.com/b.jpg';
const LOGO = 'https://example.com/logo.png';
const LOOPBACK = 'http://127.0.0.1:3000/console/media/parcel.svg';

const parsed = parseWorkflow({
  id: 'welcome',
  greeting: 'Welcome!',
  greetingMedia: [LOGO],
  routes: [
    {
      id: 'ask',
      mandatoryVariables: [{ name: 'size', type: 'text', prompt: 'Which size?' }],
      onComplete: { reply: 'Thanks!' },
    },
  ],
  fallback: { reply: 'Sorry?' },
  failureMessage: 'Oops.',
});
if (!parsed.ok) throw new Error(parsed.errors.join('; '));
const workflow: Workflow = parsed.workflow;

/** The use case over in-memory ports: one tenant, numbers with or without an MMS setting. */
function world(numbers: readonly Omit<TenantNumber, 'tenantId' | 'workflowId' | 'allowInboundStart'>[]) {
  const outbound = new RecordingQueue<OutboundQueueMessage>();
  const commits: StartCommit[] = [];
  let ids = 0;
  const deps: StartOutboundDeps = {
    tenants: {
      tenantExists: async (tenantId) => tenantId === TENANT,
      getNumber: async (tenantId, number) => {
        const found = numbers.find((candidate) => candidate.number === number);
        return tenantId === TENANT && found
          ? { ...found, tenantId, workflowId: workflow.id, allowInboundStart: true }
          : undefined;
      },
      getWorkflow: async (_tenantId, workflowId) => (workflowId === workflow.id ? workflow : undefined),
    },
    conversations: {
      load: async () => undefined,
      commitStart: async (commit) => {
        commits.push(commit);
        return 'committed';
      },
    },
    optOuts: { isOptedOut: async () => false, optOut: async () => undefined, optIn: async () => undefined },
    outbound,
    idempotency: {
      find: async () => undefined,
      claim: async (_tenantId, _key, record) => record,
      complete: async () => undefined,
    },
    now: () => new Date('2026-03-10T12:00:00.000Z'),
    randomId: () => `r${++ids}`,
  };
  return { deps, outbound, commits };
}

function start(input: Record<string, unknown>): OutboundStart {
  const result = parseOutboundStart({ from: US_NUMBER, to: CUSTOMER, ...input });
  if (!result.ok) throw new Error(result.reason);
  return result.start;
}

describe('parseOutboundStart: mediaUrls', () => {
  it('takes pictures with a body, alone (a message of pictures only) and with a workflow', () => {
    expect(start({ body: 'Hi', mediaUrls: [A, B] })).toEqual({
      kind: 'message',
      from: US_NUMBER,
      to: CUSTOMER,
      body: 'Hi',
      mediaUrls: [A, B],
    });
    expect(start({ mediaUrls: [A] })).toMatchObject({ kind: 'message', body: '', mediaUrls: [A] });
    expect(start({ body: '  ', mediaUrls: [A] })).toMatchObject({
      kind: 'message',
      body: '',
      mediaUrls: [A],
    });
    expect(start({ workflowId: 'welcome', mediaUrls: [A] })).toMatchObject({
      kind: 'workflow',
      mediaUrls: [A],
    });
    // The local stack's loopback pictures pass here; the start checks the stage's own policy.
    expect(start({ body: 'Hi', mediaUrls: [LOOPBACK] })).toMatchObject({ mediaUrls: [LOOPBACK] });
  });

  it('leaves a request without pictures as it was, fingerprint included', () => {
    const plain = start({ body: 'Hi' });
    expect(plain).toEqual({ kind: 'message', from: US_NUMBER, to: CUSTOMER, body: 'Hi' });
    expect(start({ body: 'Hi', mediaUrls: [] })).toEqual(plain);
    expect(fingerprintOf(start({ body: 'Hi', mediaUrls: [] }))).toBe(fingerprintOf(plain));
    expect(fingerprintOf(start({ body: 'Hi', mediaUrls: [A] }))).not.toBe(fingerprintOf(plain));
  });

  it.each([
    [{ mediaUrls: 'https://example.com/a.jpg', body: 'x' }, 'mediaUrls must be a list of URLs (strings)'],
    [{ mediaUrls: [1], body: 'x' }, 'mediaUrls must be a list of URLs (strings)'],
    [
      { mediaUrls: Array.from({ length: 11 }, (_, index) => `https://example.com/${index}.jpg`) },
      "mediaUrls: at most 10 per message (Twilio's limit), 11 given",
    ],
    [
      { mediaUrls: [A, 'http://example.com/b.jpg'] },
      'mediaUrls.1: must use https:// (http:// only for 127.0.0.1, [::1] or localhost during development)',
    ],
    [{ mediaUrls: ['https://169.254.169.254/x.jpg'] }, 'mediaUrls.0: endpoint not allowed'],
    [{ mediaUrls: [] }, 'give exactly one of workflowId and body'],
    [{ body: '', mediaUrls: [] }, 'body must be a non-empty string (or give mediaUrls)'],
    [{ workflowId: 'welcome', body: 'x', mediaUrls: [A] }, 'give exactly one of workflowId and body'],
  ])('refuses %j: %s', (input, reason) => {
    expect(parseOutboundStart({ from: US_NUMBER, to: CUSTOMER, ...input })).toEqual({ ok: false, reason });
  });
});

describe('startOutbound: pictures', () => {
  it('queues a message with its pictures, recorded on its transcript entry', async () => {
    const { deps, outbound, commits } = world([{ number: US_NUMBER }]);
    const result = await startOutbound(
      { tenantId: TENANT, start: start({ body: 'Hi', mediaUrls: [A, B] }) },
      deps,
    );
    expect(result.ok).toBe(true);
    expect(outbound.sent.map((message) => message.body)).toEqual([
      expect.objectContaining({ body: 'Hi', mediaUrls: [A, B], from: US_NUMBER }),
    ]);
    expect(commits[0]?.replies).toEqual([expect.objectContaining({ body: 'Hi', mediaUrls: [A, B] })]);
  });

  it('sends a message of pictures only as one send with an empty body', async () => {
    const { deps, outbound } = world([{ number: US_NUMBER }]);
    await startOutbound({ tenantId: TENANT, start: start({ mediaUrls: [A] }) }, deps);
    expect(outbound.sent.map((message) => [message.body.body, message.body.mediaUrls])).toEqual([['', [A]]]);
  });

  it("puts the caller's pictures on the first prompt, after the workflow's own, each once", async () => {
    const { deps, outbound } = world([{ number: US_NUMBER }]);
    await startOutbound(
      { tenantId: TENANT, start: start({ workflowId: 'welcome', mediaUrls: [A, LOGO] }) },
      deps,
    );
    expect(outbound.sent.map((message) => message.body)).toEqual([
      expect.objectContaining({ body: 'Welcome! Which size?', mediaUrls: [LOGO, A] }),
    ]);
  });

  it('refuses pictures from a number that cannot send MMS (422), sending and recording nothing', async () => {
    const { deps, outbound, commits } = world([{ number: UK_NUMBER }, { number: US_NUMBER, mms: false }]);
    for (const from of [UK_NUMBER, US_NUMBER]) {
      const result = await startOutbound(
        { tenantId: TENANT, start: { ...start({ body: 'Hi', mediaUrls: [A] }), from } },
        deps,
      );
      expect(result).toMatchObject({ ok: false, refusal: { status: 422, error: 'mms-not-supported' } });
      if (!result.ok) expect(result.refusal.message).toMatch(/^from cannot send MMS: /);
    }
    // The workflow's own pictures count too.
    const viaWorkflow = await startOutbound(
      { tenantId: TENANT, start: { ...start({ workflowId: 'welcome' }), from: UK_NUMBER } },
      deps,
    );
    expect(viaWorkflow).toMatchObject({ ok: false, refusal: { error: 'mms-not-supported' } });
    expect(outbound.sent).toEqual([]);
    expect(commits).toEqual([]);
    // A plain SMS from the same numbers goes.
    const sms = await startOutbound(
      { tenantId: TENANT, start: { ...start({ body: 'Hi' }), from: UK_NUMBER } },
      deps,
    );
    expect(sms.ok).toBe(true);
  });

  it('sends from a number whose setting overrides the country rule, and queues that setting for the sender', async () => {
    const { deps, outbound } = world([{ number: UK_NUMBER, mms: true }]);
    const result = await startOutbound(
      { tenantId: TENANT, start: { ...start({ body: 'Hi', mediaUrls: [A] }), from: UK_NUMBER } },
      deps,
    );
    expect(result.ok).toBe(true);
    expect(outbound.sent[0]?.body).toMatchObject({ mediaUrls: [A], senderMms: true });
  });

  it('refuses loopback pictures outside the local stack (422), and takes them on it', async () => {
    const { deps } = world([{ number: US_NUMBER }]);
    const refused = await startOutbound(
      { tenantId: TENANT, start: start({ body: 'Hi', mediaUrls: [A, LOOPBACK] }) },
      deps,
    );
    expect(refused).toEqual({
      ok: false,
      refusal: { status: 422, error: 'media-not-allowed', message: 'mediaUrls.1: endpoint not allowed' },
    });
    const local = await startOutbound(
      { tenantId: TENANT, start: start({ body: 'Hi', mediaUrls: [LOOPBACK] }) },
      { ...deps, mediaUrlPolicy: LOCAL_URL_POLICY },
    );
    expect(local.ok).toBe(true);
  });

  it("refuses a first message whose pictures and the workflow's exceed 10", async () => {
    const { deps } = world([{ number: US_NUMBER }]);
    const ten = Array.from({ length: 10 }, (_, index) => `https://example.com/${index}.jpg`);
    const result = await startOutbound(
      { tenantId: TENANT, start: start({ workflowId: 'welcome', mediaUrls: ten }) },
      deps,
    );
    expect(result).toMatchObject({
      ok: false,
      refusal: {
        status: 422,
        error: 'media-not-allowed',
        message: "the first message would carry 11 pictures (the workflow's and mediaUrls): at most 10",
      },
    });
  });
});
