import { beforeEach, describe, expect, it } from 'vitest';
import type { CampaignState } from '../../../lambdas/domain/campaign/campaign';
import { confirmationSendId } from '../../../lambdas/domain/opt-out-confirmation';
import type { OutboundQueueMessage } from '../../../lambdas/domain/queue-messages';
import type { TenantTwilioCredentials } from '../../../lambdas/domain/tenant';
import { TwilioApiError } from '../../../lambdas/domain/twilio-errors';
import type {
  MessageStore,
  SendClaim,
  SendHistory,
  SendIdentity,
} from '../../../lambdas/ports/message-store';
import type { CampaignStates } from '../../../lambdas/ports/campaign-states';
import type { OptOutInForce, OptOutLookup, OptOutStore } from '../../../lambdas/ports/opt-out-store';
import type { SendSmsRequest, SentSms, SmsGateway } from '../../../lambdas/ports/sms-gateway';
import type { TenantCredentialsSource } from '../../../lambdas/ports/tenant-credentials';
import {
  CAMPAIGN_CANCELLED,
  processSend,
  RetryableSendError,
  type SendDeps,
  type SendEvent,
} from '../../../lambdas/sender/send';
import { backoffSeconds } from '../../../lambdas/domain/backoff';
import { DeadLetterError } from '../../../lambdas/shared/dead-letter';
import { MemorySendPacer } from '../../support/fakes';

const CREDS: TenantTwilioCredentials = { accountSid: `AC${'d'.repeat(32)}`, authToken: 'old-token' };

const queued: OutboundQueueMessage = {
  v: 1,
  tenantId: 'demo',
  sendId: 'SMx-0',
  conversationId: 'SMx',
  transcriptKey: '2026-11-22T12:00:00.000Z#SMx-0',
  from: '+15005550006',
  to: '+15551234567',
  body: 'Hello',
  mediaUrls: [],
  queuedAt: '2026-11-22T12:00:00.000Z',
};

class ScriptedGateway implements SmsGateway {
  readonly requests: SendSmsRequest[] = [];
  recent: SentSms | undefined;
  constructor(private readonly script: (SentSms | TwilioApiError)[]) {}
  async send(request: SendSmsRequest): Promise<SentSms> {
    this.requests.push(request);
    const next = this.script.shift();
    if (!next) throw new Error('unexpected send');
    if (next instanceof TwilioApiError) throw next;
    return next;
  }
  /** Messages of the same text Twilio has from before this send's claim (another send's). */
  earlier: SentSms[] = [];
  async findRecent(): Promise<readonly SentSms[]> {
    return [...this.earlier, ...(this.recent ? [this.recent] : [])];
  }
  async fetch(): Promise<SentSms | undefined> {
    throw new Error('not used by the sender');
  }
}

class MemoryMessageStore implements MessageStore {
  /** The claim's outcome; its history (booked slot, parks) is the store's, per send id. */
  claim: SendClaim = { outcome: 'claimed', parks: 0 };
  released = 0;
  readonly parked: { sendId: string; slotAtMs: number }[] = [];
  private readonly histories = new Map<string, SendHistory>();
  sent: { sid: string; status: string }[] = [];
  failed: { errorCode?: number }[] = [];
  async claimSend(send: SendIdentity): Promise<SendClaim> {
    if (this.claim.outcome === 'done') return this.claim;
    return { ...this.claim, ...(this.histories.get(send.sendId) ?? { parks: this.claim.parks }) };
  }
  async releaseSend(send: SendIdentity): Promise<void> {
    this.released++;
    const history = this.histories.get(send.sendId);
    if (history) this.histories.set(send.sendId, { parks: history.parks });
  }
  async parkSend(send: SendIdentity, slot: { slotAtMs: number }): Promise<void> {
    this.parked.push({ sendId: send.sendId, slotAtMs: slot.slotAtMs });
    const parks = (this.histories.get(send.sendId)?.parks ?? 0) + 1;
    this.histories.set(send.sendId, { bookedSlotAtMs: slot.slotAtMs, parks });
  }
  /** Whether a recorded final status is this send's own, unreported (see RecordedSend). */
  ownsOutcome = true;
  /** The campaign each recorded message was recorded for. */
  readonly recordedCampaigns: (string | undefined)[] = [];
  /** Messages already recorded for other sends: recordSent refuses them, as the table's condition does. */
  readonly othersSends = new Set<string>();
  async recordSent(send: SendIdentity, sent: { sid: string; status: string }) {
    if (this.othersSends.has(sent.sid)) return { belongsToAnotherSend: true as const };
    this.sent.push(sent);
    this.recordedCampaigns.push(send.campaignId);
    return {
      reportOutcome: this.ownsOutcome && ['delivered', 'undelivered', 'failed'].includes(sent.status),
    };
  }
  readonly completed: string[] = [];
  async completeSend(_send: unknown, outcome: { state: string; errorCode?: number }): Promise<void> {
    const { state, ...failure } = outcome;
    this.completed.push(state);
    if (state === 'failed') this.failed.push(failure);
  }
  readonly confirmed: string[] = [];
  async confirmStatusReported(sid: string, status: string): Promise<void> {
    this.confirmed.push(`${sid}:${status}`);
  }
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

/** Opt-outs as the Dynamo store keeps them: the latest one, with the opting message's SID when it had one. */
class MemoryOptOuts implements OptOutStore, OptOutLookup {
  readonly optedOut = new Map<string, OptOutInForce>();
  async isOptedOut(tenantId: string, customer: string) {
    return this.optedOut.has(`${tenantId}#${customer}`);
  }
  async optOutInForce(tenantId: string, customer: string) {
    return this.optedOut.get(`${tenantId}#${customer}`);
  }
  async optOut(tenantId: string, customer: string, change?: { messageSid?: string }) {
    const messageSid = change?.messageSid;
    this.optedOut.set(`${tenantId}#${customer}`, messageSid !== undefined ? { messageSid } : {});
  }
  async optIn(tenantId: string, customer: string) {
    this.optedOut.delete(`${tenantId}#${customer}`);
  }
}

/** Campaign states as set by the test, with every question asked. */
class SettableCampaignStates implements CampaignStates {
  readonly states = new Map<string, CampaignState>();
  readonly asked: string[] = [];
  async stateOf(tenantId: string, campaignId: string): Promise<CampaignState | undefined> {
    this.asked.push(`${tenantId}#${campaignId}`);
    return this.states.get(campaignId);
  }
}

class RotatingCredentials implements TenantCredentialsSource {
  refreshes = 0;
  async get(_tenantId: string, options?: { refresh?: boolean }) {
    if (options?.refresh) this.refreshes++;
    return options?.refresh ? { ...CREDS, authToken: 'new-token' } : CREDS;
  }
}

describe('sender', () => {
  let store: MemoryMessageStore;
  let credentials: RotatingCredentials;
  let events: SendEvent[];
  let optOuts: MemoryOptOuts;
  let clockMs: number;
  let pacer: MemorySendPacer;
  let slept: number[];
  let waitBudgetMs: number;
  let campaigns: SettableCampaignStates;
  const deps = (sms: SmsGateway): SendDeps => ({
    publicBaseUrl: 'https://hooks.example.com/',
    credentials,
    sms,
    messages: store,
    optOuts,
    campaigns,
    pacer,
    pacingWaitBudgetMs: () => waitBudgetMs,
    failureBudget: 8,
    sleep: async (ms) => {
      slept.push(ms);
      clockMs += ms;
    },
    now: () => new Date(clockMs),
    random: () => 0.5,
    onEvent: (event) => events.push(event),
  });

  beforeEach(() => {
    store = new MemoryMessageStore();
    credentials = new RotatingCredentials();
    events = [];
    optOuts = new MemoryOptOuts();
    clockMs = Date.parse('2026-11-22T12:00:01.000Z');
    pacer = new MemorySendPacer(() => clockMs);
    slept = [];
    waitBudgetMs = 5000;
    campaigns = new SettableCampaignStates();
  });

  it('sends with a StatusCallback and records the initial status from the create response', async () => {
    const sms = new ScriptedGateway([{ sid: 'SM1', status: 'queued', numSegments: 1 }]);
    await processSend(queued, 1, deps(sms));
    expect(sms.requests[0]).toMatchObject({
      to: '+15551234567',
      from: '+15005550006',
      body: 'Hello',
      statusCallback: 'https://hooks.example.com/webhooks/twilio/demo/status',
    });
    expect(store.sent).toEqual([
      { sid: 'SM1', status: 'queued', numSegments: 1, at: '2026-11-22T12:00:01.000Z' },
    ]);
    expect(events.map((event) => event.type)).toEqual(['sent']);
  });

  it('does nothing for a send that already finished', async () => {
    store.claim = { outcome: 'done', sid: 'SM1' };
    const sms = new ScriptedGateway([]);
    await processSend(queued, 1, deps(sms));
    expect(sms.requests).toHaveLength(0);
  });

  it('adopts the message Twilio already has when an earlier attempt died mid-send', async () => {
    store.claim = { outcome: 'inFlight', parks: 0, claimedAt: '2026-11-22T12:00:00.500Z' };
    const sms = new ScriptedGateway([]);
    sms.recent = { sid: 'SM9', status: 'sent' };
    await processSend(queued, 1, deps(sms));
    expect(sms.requests).toHaveLength(0);
    expect(store.sent[0]?.sid).toBe('SM9');
    // The attempt that died may not have reported it: the adopting attempt does, then completes.
    expect(events.map((event) => event.type)).toEqual(['sent', 'recovered']);
    expect(store.completed).toEqual(['sent']);
  });

  it("never adopts an earlier send's message of the same text (Twilio's seconds let it match)", async () => {
    store.claim = { outcome: 'inFlight', parks: 0, claimedAt: '2026-11-22T12:00:00.500Z' };
    store.othersSends.add('SM8');
    const sms = new ScriptedGateway([]);
    sms.earlier = [{ sid: 'SM8', status: 'delivered' }];
    sms.recent = { sid: 'SM9', status: 'sent' };
    await processSend(queued, 1, deps(sms));
    expect(sms.requests).toHaveLength(0);
    expect(store.sent.map((sent) => sent.sid)).toEqual(['SM9']);
    expect(events).toEqual([
      { type: 'sent', tenantId: 'demo', sid: 'SM9', from: queued.from },
      { type: 'recovered', tenantId: 'demo', sid: 'SM9' },
    ]);

    // Only the other send's message at Twilio: this one was never sent, so it is sent now.
    const unsent = new MemoryMessageStore();
    unsent.claim = { outcome: 'inFlight', parks: 0, claimedAt: '2026-11-22T12:00:00.500Z' };
    unsent.othersSends.add('SM8');
    const retry = new ScriptedGateway([{ sid: 'SM10', status: 'queued' }]);
    retry.earlier = [{ sid: 'SM8', status: 'delivered' }];
    await processSend(queued, 1, { ...deps(retry), messages: unsent });
    expect(retry.requests).toHaveLength(1);
    expect(unsent.sent.map((sent) => sent.sid)).toEqual(['SM10']);
  });

  it('records a message an earlier attempt sent as sent, though the customer opted out since', async () => {
    store.claim = { outcome: 'inFlight', parks: 0, claimedAt: '2026-11-22T12:00:00.500Z' };
    await optOuts.optOut('demo', queued.to);
    const sms = new ScriptedGateway([]);
    sms.recent = { sid: 'SM9', status: 'delivered' };
    await processSend(queued, 2, deps(sms));
    expect(store.completed).toEqual(['sent']);
    expect(store.failed).toEqual([]);
    expect(events.map((event) => event.type)).toEqual(['sent', 'outcome', 'recovered']);

    // Not at Twilio: the earlier attempt never sent it, and now it is refused.
    const refused = new MemoryMessageStore();
    refused.claim = { outcome: 'inFlight', parks: 0, claimedAt: '2026-11-22T12:00:00.500Z' };
    await processSend(queued, 2, { ...deps(new ScriptedGateway([])), messages: refused });
    expect(refused.failed).toMatchObject([{ errorCode: 21610, reason: 'recipient opted out' }]);
  });

  it('reports the outcome of a message Twilio finished before it was recovered', async () => {
    store.claim = { outcome: 'inFlight', parks: 0, claimedAt: '2026-11-22T12:00:00.500Z' };
    const sms = new ScriptedGateway([]);
    sms.recent = { sid: 'SM9', status: 'undelivered', errorCode: 30007 };
    await processSend(queued, 1, deps(sms));
    expect(events).toEqual([
      { type: 'sent', tenantId: 'demo', sid: 'SM9', from: queued.from },
      {
        type: 'outcome',
        tenantId: 'demo',
        sid: 'SM9',
        from: queued.from,
        outcome: 'undelivered',
        errorCode: '30007',
      },
      { type: 'recovered', tenantId: 'demo', sid: 'SM9' },
    ]);
    expect(store.confirmed).toEqual(['SM9:undelivered']);
  });

  it('leaves a recovered outcome to the status callback that recorded it first', async () => {
    store.claim = { outcome: 'inFlight', parks: 0, claimedAt: '2026-11-22T12:00:00.500Z' };
    store.ownsOutcome = false;
    const sms = new ScriptedGateway([]);
    sms.recent = { sid: 'SM9', status: 'delivered' };
    await processSend(queued, 1, deps(sms));
    expect(events.map((event) => event.type)).toEqual(['sent', 'recovered']);
    expect(store.confirmed).toEqual([]);
  });

  it('reports a send before completing it, so a crash in between leaves it in flight, never unreported', async () => {
    const completedAtReport: number[] = [];
    const sms = new ScriptedGateway([
      { sid: 'SM1', status: 'queued' },
      new TwilioApiError(400, 21211, 'bad'),
    ]);
    const observed = (): SendDeps => ({
      ...deps(sms),
      onEvent: (event) => {
        if (event.type === 'paced') return;
        events.push(event);
        completedAtReport.push(store.completed.length);
      },
    });
    await processSend({ ...queued, sendId: 'SMx-0' }, 1, observed());
    await processSend({ ...queued, sendId: 'SMx-1' }, 1, observed());
    expect(events.map((event) => event.type)).toEqual(['sent', 'failed']);
    expect(completedAtReport).toEqual([0, 1]);
    expect(store.completed).toEqual(['sent', 'failed']);
  });

  it.each([21211, 21610, 21612, 21408, 21614])(
    'records permanent error %i as failed, without retry',
    async (code) => {
      const sms = new ScriptedGateway([new TwilioApiError(400, code, 'nope')]);
      await processSend(queued, 1, deps(sms));
      expect(store.failed).toEqual([{ errorCode: code, reason: 'nope', at: '2026-11-22T12:00:01.000Z' }]);
      expect(store.released).toBe(0);
      expect(events.at(-1)?.type).toBe('failed');
    },
  );

  it.each([
    ['429', new TwilioApiError(429, 20429, 'Too Many Requests')],
    ['500', new TwilioApiError(500, undefined, 'Internal')],
    ['queue overflow 30001', new TwilioApiError(400, 30001, 'Queue overflow')],
  ])('releases the claim and throws for a retry on %s', async (_name, error) => {
    const sms = new ScriptedGateway([error]);
    await expect(processSend(queued, 1, deps(sms))).rejects.toBeInstanceOf(RetryableSendError);
    expect(store.released).toBe(1);
    expect(store.failed).toHaveLength(0);
    expect(events.map((event) => event.type)).toEqual(['apiFailure']);
  });

  it('keeps the claim in flight after a call with no answer, so the retry finds the message Twilio made', async () => {
    const sms = new ScriptedGateway([
      new TwilioApiError(undefined, undefined, 'Twilio request failed: aborted'),
    ]);
    await expect(processSend(queued, 1, deps(sms))).rejects.toBeInstanceOf(RetryableSendError);
    expect(store.released).toBe(0);
    // The retry: the claim is found in flight, and Twilio has the message the aborted call created.
    store.claim = { outcome: 'inFlight', parks: 0, claimedAt: '2026-11-22T12:00:01.000Z' };
    sms.recent = { sid: 'SMmade', status: 'sent' };
    await processSend(queued, 2, deps(sms));
    expect(sms.requests).toHaveLength(1);
    expect(store.sent.map((sent) => sent.sid)).toEqual(['SMmade']);
  });

  it('re-reads rotated credentials once on 20003 and sends with them', async () => {
    const sms = new ScriptedGateway([
      new TwilioApiError(401, 20003, 'Authenticate'),
      { sid: 'SM2', status: 'queued' },
    ]);
    await processSend(queued, 1, deps(sms));
    expect(credentials.refreshes).toBe(1);
    expect(sms.requests.map((request) => request.credentials.authToken)).toEqual(['old-token', 'new-token']);
    expect(store.sent[0]?.sid).toBe('SM2');
  });

  it('never sends to an opted-out customer', async () => {
    await optOuts.optOut('demo', queued.to);
    const sms = new ScriptedGateway([]);
    await processSend(queued, 1, deps(sms));
    expect(sms.requests).toHaveLength(0);
    expect(store.failed).toEqual([
      { errorCode: 21610, reason: 'recipient opted out', at: '2026-11-22T12:00:01.000Z' },
    ]);
    expect(events.map((event) => event.type)).toEqual(['blockedByOptOut']);
  });

  describe("an opt-out keyword's confirmation (Twilio did not confirm PARAR)", () => {
    const stopSid = `SM${'5'.repeat(32)}`;
    const confirmation: OutboundQueueMessage = {
      ...queued,
      sendId: confirmationSendId('optOut', stopSid),
      transcriptKey: `2026-11-22T12:00:00.000Z#${confirmationSendId('optOut', stopSid)}`,
      conversationId: '',
      body: 'Se ha dado de baja y no le enviaremos otros mensajes. Responda COMENZAR para volver a suscribirse.',
      purpose: 'opt-out-confirmation',
    };

    it('passes the opt-out it confirms, once; every other send to the customer is still refused', async () => {
      await optOuts.optOut('demo', queued.to, { messageSid: stopSid });
      const sms = new ScriptedGateway([{ sid: 'SM7', status: 'queued' }]);
      await processSend(confirmation, 1, deps(sms));
      expect(sms.requests.map((request) => request.body)).toEqual([confirmation.body]);
      expect(events.map((event) => event.type)).toEqual(['optOutConfirmationPassed', 'sent']);

      // A second delivery of the same send finds it done (the send id's claim): nothing more.
      store.claim = { outcome: 'done', sid: 'SM7' };
      await processSend(confirmation, 1, deps(sms));
      expect(sms.requests).toHaveLength(1);

      // The workflow's reply to the same customer is refused as before.
      const others = new MemoryMessageStore();
      events.length = 0;
      await processSend(queued, 1, { ...deps(sms), messages: others });
      expect(sms.requests).toHaveLength(1);
      expect(others.failed).toMatchObject([{ errorCode: 21610, reason: 'recipient opted out' }]);
      expect(events.map((event) => event.type)).toEqual(['blockedByOptOut']);
    });

    it.each([
      ['a newer opt-out (another STOP since)', { messageSid: `SM${'6'.repeat(32)}` }, {}],
      ["an opt-out without a keyword message (Twilio's 21610, an erasure)", {}, {}],
      ['the right send id without the mark', { messageSid: stopSid }, { purpose: undefined }],
      ['the mark on another send id', { messageSid: stopSid }, { sendId: `${stopSid}-0` }],
      ['pictures riding on it', { messageSid: stopSid }, { mediaUrls: ['https://cdn.example/a.png'] }],
      ["a campaign's send", { messageSid: stopSid }, { campaignId: 'spring' }],
    ] as const)('is refused like any send for %s', async (_case, optOut, change) => {
      await optOuts.optOut('demo', queued.to, optOut);
      const sms = new ScriptedGateway([]);
      await processSend({ ...confirmation, ...change } as OutboundQueueMessage, 1, deps(sms));
      expect(sms.requests).toHaveLength(0);
      expect(store.failed).toMatchObject([{ errorCode: 21610, reason: 'recipient opted out' }]);
      expect(events.map((event) => event.type)).toEqual(['blockedByOptOut']);
    });
  });

  it('records an opt-out when Twilio answers 21610', async () => {
    const sms = new ScriptedGateway([new TwilioApiError(400, 21610, 'unsubscribed')]);
    await processSend(queued, 1, deps(sms));
    expect(await optOuts.isOptedOut('demo', queued.to)).toBe(true);
    expect(events.map((event) => event.type)).toEqual(['optOut', 'failed']);
  });

  it("sends through the tenant's Messaging Service from the conversation's number", async () => {
    credentials.get = async () => ({ ...CREDS, messagingServiceSid: `MG${'1'.repeat(32)}` });
    const sms = new ScriptedGateway([{ sid: 'SM3', status: 'accepted' }]);
    await processSend(queued, 1, deps(sms));
    expect(sms.requests[0]?.messagingServiceSid).toBe(`MG${'1'.repeat(32)}`);
    // Not left to the service: the customer's answer must come back to the conversation's number.
    expect(sms.requests[0]?.from).toBe(queued.from);
    expect(store.sent[0]?.status).toBe('accepted');
  });

  describe("a campaign's sends", () => {
    const campaignId = `cmp-${'a'.repeat(32)}`;
    const campaignSend: OutboundQueueMessage = { ...queued, campaignId };

    it('refuses one whose campaign was cancelled: failed "campaign cancelled", counted cancelled, no Twilio call, no slot', async () => {
      campaigns.states.set(campaignId, 'cancelled');
      const sms = new ScriptedGateway([]);
      await processSend(campaignSend, 1, deps(sms));
      expect(sms.requests).toHaveLength(0);
      expect(pacer.requests).toHaveLength(0);
      expect(store.failed).toEqual([
        { reason: CAMPAIGN_CANCELLED, campaignCounter: 'cancelled', at: '2026-11-22T12:00:01.000Z' },
      ]);
      expect(store.completed).toEqual(['failed']);
      // Not a delivery failure: no `failed` event, so no MessagesFailed.
      expect(events).toEqual([
        { type: 'campaignCancelled', tenantId: 'demo', sendId: queued.sendId, campaignId },
      ]);
    });

    it.each<CampaignState | undefined>(['running', 'paused', 'scheduled', 'completed', undefined])(
      'sends one whose campaign is %s, its events and message carrying the campaign',
      async (state) => {
        if (state) campaigns.states.set(campaignId, state);
        const sms = new ScriptedGateway([{ sid: 'SM1', status: 'queued' }]);
        await processSend(campaignSend, 1, deps(sms));
        expect(sms.requests).toHaveLength(1);
        expect(store.recordedCampaigns).toEqual([campaignId]);
        expect(events).toEqual([
          { type: 'sent', tenantId: 'demo', sid: 'SM1', from: queued.from, campaignId },
        ]);
      },
    );

    it('asks Twilio first when an earlier attempt may have sent it: a message Twilio has is recorded, not refused', async () => {
      campaigns.states.set(campaignId, 'cancelled');
      store.claim = { outcome: 'inFlight', parks: 0, claimedAt: '2026-11-22T12:00:00.500Z' };
      const sms = new ScriptedGateway([]);
      sms.recent = { sid: 'SM9', status: 'sent' };
      await processSend(campaignSend, 1, deps(sms));
      expect(store.sent.map((sent) => sent.sid)).toEqual(['SM9']);
      expect(store.completed).toEqual(['sent']);
      expect(store.failed).toEqual([]);
    });

    it('refuses one parked for a slot it booked while the campaign ran, when it comes back cancelled', async () => {
      store.claim = { outcome: 'claimed', parks: 1, bookedSlotAtMs: clockMs + 1000 };
      campaigns.states.set(campaignId, 'cancelled');
      const sms = new ScriptedGateway([]);
      await processSend(campaignSend, 2, deps(sms));
      expect(sms.requests).toHaveLength(0);
      expect(slept).toEqual([]);
      expect(store.failed).toMatchObject([{ campaignCounter: 'cancelled' }]);
    });

    it('reports a permanent failure with its campaign, leaving the counter to the store (failed)', async () => {
      campaigns.states.set(campaignId, 'running');
      const sms = new ScriptedGateway([new TwilioApiError(400, 21211, 'invalid')]);
      await processSend(campaignSend, 1, deps(sms));
      expect(events.at(-1)).toEqual({
        type: 'failed',
        tenantId: 'demo',
        from: queued.from,
        errorCode: 21211,
        campaignId,
      });
      expect(store.failed).toEqual([{ errorCode: 21211, reason: 'invalid', at: '2026-11-22T12:00:01.000Z' }]);
    });

    it("reports a recovered outcome with its campaign (the campaign's delivery metrics)", async () => {
      store.claim = { outcome: 'inFlight', parks: 0, claimedAt: '2026-11-22T12:00:00.500Z' };
      const sms = new ScriptedGateway([]);
      sms.recent = { sid: 'SM9', status: 'delivered' };
      await processSend(campaignSend, 1, deps(sms));
      expect(events.find((event) => event.type === 'outcome')).toMatchObject({ campaignId });
    });

    it('never asks for a campaign state for a send without a campaign', async () => {
      const sms = new ScriptedGateway([{ sid: 'SM1', status: 'queued' }]);
      await processSend(queued, 1, deps(sms));
      expect(campaigns.asked).toEqual([]);
      expect(events).toEqual([{ type: 'sent', tenantId: 'demo', sid: 'SM1', from: queued.from }]);
    });
  });

  describe('pacing per sender number', () => {
    const sid = (n: number) => ({ sid: `SM${n}`, status: 'queued', numSegments: 1 });

    it('spaces a long code one segment per second, waiting in process within the budget', async () => {
      const sms = new ScriptedGateway([sid(1), sid(2), sid(3)]);
      for (const index of [0, 1, 2]) await processSend({ ...queued, sendId: `SMx-${index}` }, 1, deps(sms));
      expect(sms.requests).toHaveLength(3);
      expect(slept).toEqual([1000, 1000]);
      expect(pacer.requests.map((request) => request.segmentsPerSecond)).toEqual([1, 1, 1]);
      expect(events.map((event) => event.type)).toEqual(['sent', 'paced', 'sent', 'paced', 'sent']);
    });

    it('counts segments, not messages, and honours a configured rate', async () => {
      const sms = new ScriptedGateway([sid(1), sid(2)]);
      const long = { ...queued, body: 'x'.repeat(400), senderSegmentsPerSecond: 3 }; // 3 segments
      await processSend({ ...long, sendId: 'SMx-0' }, 1, deps(sms));
      await processSend({ ...long, sendId: 'SMx-1' }, 1, deps(sms));
      expect(pacer.requests.map((request) => [request.segments, request.segmentsPerSecond])).toEqual([
        [3, 3],
        [3, 3],
      ]);
      expect(slept).toEqual([1000]);
    });

    it('parks a send beyond the budget with its slot booked, and sends it at that slot without booking again', async () => {
      waitBudgetMs = 500;
      const sms = new ScriptedGateway([sid(1), sid(2), sid(3)]);
      await processSend({ ...queued, sendId: 'SMx-0' }, 1, deps(sms));
      const parked = processSend({ ...queued, sendId: 'SMx-1' }, 1, deps(sms));
      await expect(parked).rejects.toBeInstanceOf(RetryableSendError);
      // Its slot is 1 s away; with 500 ms to wait in process it comes back 500 ms early, rounded up.
      await expect(parked).rejects.toMatchObject({ delaySeconds: 1 });
      expect(sms.requests).toHaveLength(1);
      expect(store.parked).toEqual([{ sendId: 'SMx-1', slotAtMs: clockMs + 1000 }]);
      expect(pacer.requests).toHaveLength(2);

      // A later send books the slot after the parked one's: the parked send does not compete again.
      const third = processSend({ ...queued, sendId: 'SMx-2' }, 1, deps(sms));
      await expect(third).rejects.toMatchObject({ delaySeconds: 2 });
      expect(store.parked[1]).toEqual({ sendId: 'SMx-2', slotAtMs: clockMs + 2000 });

      clockMs += 1000;
      await processSend({ ...queued, sendId: 'SMx-1' }, 2, deps(sms));
      expect(sms.requests).toHaveLength(2);
      expect(pacer.requests).toHaveLength(3);
      expect(events.map((event) => event.type)).toEqual(['sent', 'pacingDeferred', 'pacingDeferred', 'sent']);
    });

    it('parks again, keeping its slot, a send that comes back before the slot is within reach', async () => {
      waitBudgetMs = 0;
      const sms = new ScriptedGateway([sid(1), sid(2)]);
      await processSend({ ...queued, sendId: 'SMx-0' }, 1, deps(sms));
      await expect(processSend({ ...queued, sendId: 'SMx-1' }, 1, deps(sms))).rejects.toMatchObject({
        delaySeconds: 1,
      });
      clockMs += 400;
      await expect(processSend({ ...queued, sendId: 'SMx-1' }, 2, deps(sms))).rejects.toMatchObject({
        delaySeconds: 1,
      });
      expect(store.parked.map((park) => park.slotAtMs)).toEqual([clockMs + 600, clockMs + 600]);
      expect(events.at(-1)).toMatchObject({ type: 'pacingDeferred', booked: false });
      clockMs += 600;
      await processSend({ ...queued, sendId: 'SMx-1' }, 3, deps(sms));
      expect(sms.requests).toHaveLength(2);
      expect(pacer.requests).toHaveLength(2);
    });

    it('never counts parks as failures: a send parked many times is still sent', async () => {
      store.claim = { outcome: 'claimed', parks: 30 };
      const sms = new ScriptedGateway([sid(1)]);
      await processSend(queued, 31, deps(sms));
      expect(sms.requests).toHaveLength(1);
    });

    it('moves a send to the DLQ itself once its failures (receives less parks) spend the budget', async () => {
      store.claim = { outcome: 'claimed', parks: 3 };
      const sms = new ScriptedGateway([]);
      // 11 receives before this one, 3 of them parks: 8 failures.
      const spent = processSend(queued, 12, deps(sms));
      await expect(spent).rejects.toBeInstanceOf(DeadLetterError);
      await expect(spent).rejects.toThrow('send failed 8 times');
      expect(sms.requests).toHaveLength(0);
      expect(store.released).toBe(1);
      expect(events).toEqual([
        { type: 'failureBudgetSpent', tenantId: 'demo', sendId: 'SMx-0', failures: 8 },
      ]);
    });

    it('backs off by failures, not receives: a parked send that then fails waits the first backoff', async () => {
      store.claim = { outcome: 'claimed', parks: 5 };
      const unavailable = new TwilioApiError(503, undefined, 'Service unavailable');
      const sms = new ScriptedGateway([unavailable]);
      await expect(processSend(queued, 6, deps(sms))).rejects.toMatchObject({
        delaySeconds: backoffSeconds(1, () => 0.5),
      });
    });

    it('paces a toll-free number at three segments per second by default', async () => {
      const sms = new ScriptedGateway([sid(1)]);
      await processSend({ ...queued, from: '+18005550100' }, 1, deps(sms));
      expect(pacer.requests[0]?.segmentsPerSecond).toBe(3);
    });
  });
});
