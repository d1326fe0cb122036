import { describe, expect, it } from 'vitest';
import { CampaignDispatchError } from '../../../lambdas/campaign-dispatcher/tick';
import { tickDelaySeconds } from '../../../lambdas/domain/campaign/dispatch-plan';
import { poolSenderOf } from '../../../lambdas/domain/campaign/dispatch-plan';
import type { CampaignStore } from '../../../lambdas/ports/campaign-store';
import {
  CAMPAIGN_ID,
  type CampaignWorld,
  campaignWorld,
  NUMBER,
  ORDER_STATUS,
  POOL_MEMBERS,
  recipients,
  T0,
  TENANT,
} from './world';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Runs the queued ticks one after the other, moving the clock by each one's delay, until none is left. */
async function runToEnd(world: CampaignWorld, maxTicks = 500): Promise<number[]> {
  const delays: number[] = [];
  for (let count = 0; count < maxTicks; count += 1) {
    const next = world.nextTick();
    if (!next) return delays;
    delays.push(next.delaySeconds ?? 0);
    world.advance((next.delaySeconds ?? 0) * SECOND);
    await world.tick(next.body.campaignId);
  }
  throw new Error(`still ticking after ${maxTicks} ticks`);
}

async function campaign(world: CampaignWorld) {
  const record = await world.campaigns.get(TENANT, CAMPAIGN_ID);
  if (!record) throw new Error('no campaign');
  return record;
}

describe('campaign dispatcher tick: state', () => {
  it('waits for the start time: the tick comes back then, nothing is sent', async () => {
    const world = campaignWorld();
    const startAt = T0 + 2 * MINUTE + 500;
    await world.createCampaign({ startAt: new Date(startAt).toISOString() }, recipients(3, startAt));
    expect(await world.tick()).toEqual({ kind: 'waiting', nextTickSeconds: 121 });
    expect(world.ticks.sent.map((tick) => tick.delaySeconds)).toEqual([121]);
    expect((await campaign(world)).state).toBe('scheduled');
    expect(world.outbound.sent).toEqual([]);
  });

  it('delays a tick at most 15 minutes: one far ahead comes early and waits again', async () => {
    const world = campaignWorld();
    const startAt = T0 + 3 * HOUR;
    await world.createCampaign({ startAt: new Date(startAt).toISOString() }, recipients(1, startAt));
    expect(await world.tick()).toEqual({ kind: 'waiting', nextTickSeconds: 900 });
    const delays = await runToEnd(world);
    // 12 ticks of 15 minutes reach the start time; the one at the start releases and completes.
    expect(delays.slice(0, 11)).toEqual(Array(11).fill(900));
    expect((await campaign(world)).state).toBe('completed');
    expect(world.sendsTo(recipients(1, 0)[0]?.phone ?? '')).toHaveLength(1);
  });

  it('starts a scheduled campaign at its start time and releases its recipients', async () => {
    const world = campaignWorld();
    await world.createCampaign({}, recipients(2, T0));
    const outcome = await world.tick();
    expect(outcome).toMatchObject({ kind: 'dispatched', tally: { queued: 2 }, completed: true });
    expect((await campaign(world)).state).toBe('completed');
  });

  it('sends nothing before the file was read to the end, and puts no tick (completing it does)', async () => {
    const world = campaignWorld();
    await world.createCampaign({}, recipients(2, T0), { complete: false });
    expect(await world.tick()).toEqual({ kind: 'stopped', reason: 'recipients-incomplete' });
    expect((await campaign(world)).state).toBe('scheduled');
    expect(world.ticks.sent).toEqual([]);
    expect(world.outbound.sent).toEqual([]);
  });

  it('keeps ticking, sending nothing, for a campaign resumed before its file was read', async () => {
    const world = campaignWorld();
    await world.createCampaign({}, recipients(2, T0), { complete: false });
    await world.campaigns.transition(TENANT, CAMPAIGN_ID, 'scheduled', 'paused', new Date(T0).toISOString());
    await world.campaigns.transition(TENANT, CAMPAIGN_ID, 'paused', 'running', new Date(T0).toISOString());
    expect(await world.tick()).toEqual({ kind: 'waiting', nextTickSeconds: 10 });
    expect(world.outbound.sent).toEqual([]);
    // The file is read to the end: the tick already on its way releases.
    await world.campaigns.markRecipientsComplete(TENANT, CAMPAIGN_ID);
    await runToEnd(world);
    expect(await campaign(world)).toMatchObject({ state: 'completed', counters: { queued: 2 } });
  });

  it.each(['paused', 'cancelled'] as const)(
    'stops a %s campaign: nothing released, no next tick',
    async (state) => {
      const world = campaignWorld();
      await world.createCampaign({}, recipients(3, T0));
      await world.campaigns.transition(TENANT, CAMPAIGN_ID, 'scheduled', state, new Date(T0).toISOString());
      expect(await world.tick()).toEqual({ kind: 'stopped', reason: state });
      expect(world.ticks.sent).toEqual([]);
      expect(world.outbound.sent).toEqual([]);
      expect((await campaign(world)).counters.queued).toBe(0);
    },
  );

  it('stops for a completed campaign and for one that does not exist', async () => {
    const world = campaignWorld();
    await world.createCampaign({}, recipients(1, T0));
    await world.tick();
    expect(await world.tick()).toEqual({ kind: 'stopped', reason: 'completed' });
    expect(await world.tick(`cmp-${'b'.repeat(32)}`)).toEqual({ kind: 'stopped', reason: 'not-found' });
    expect(world.ticks.sent).toEqual([]);
  });

  it('a pause keeps the place, and a resume goes on where it stopped', async () => {
    const world = campaignWorld();
    const all = recipients(50, T0);
    await world.createCampaign({}, all);
    expect(await world.tick()).toMatchObject({ tally: { queued: 30 }, nextTickSeconds: 10 });
    await world.campaigns.transition(TENANT, CAMPAIGN_ID, 'running', 'paused', new Date(T0).toISOString());
    expect(await runToEnd(world)).toEqual([10]);
    expect((await campaign(world)).counters.queued).toBe(30);
    // Resumed a minute later: the API puts a tick; the rest go, each once.
    world.advance(MINUTE);
    await world.campaigns.transition(TENANT, CAMPAIGN_ID, 'paused', 'running', world.now().toISOString());
    await world.tick();
    await runToEnd(world);
    const record = await campaign(world);
    expect(record).toMatchObject({ state: 'completed', counters: { total: 50, queued: 50 } });
    for (const recipient of all) expect(world.sendsTo(recipient.phone)).toHaveLength(1);
  });

  it('stops at the next page when the campaign is paused during a tick', async () => {
    const world = campaignWorld();
    await world.createCampaign(
      { sender: { kind: 'number', from: NUMBER, segmentsPerSecond: 100 } },
      recipients(30, T0),
    );
    let reads = 0;
    const pausing: CampaignStore = Object.create(world.campaigns) as CampaignStore;
    pausing.dueRecipients = async (...args) => {
      reads += 1;
      const page = await world.campaigns.dueRecipients(...args);
      // The operator pauses while the tick works on its first page.
      if (reads === 1)
        await world.campaigns.transition(TENANT, CAMPAIGN_ID, 'running', 'paused', world.now().toISOString());
      return page;
    };
    const outcome = await world.tick(CAMPAIGN_ID, { campaigns: pausing, pageSize: 10 });
    // The first page went; the tick read no second one, and put no next tick (resume will).
    expect(outcome).toEqual({
      kind: 'dispatched',
      tally: {
        queued: 10,
        postponed: 0,
        skipped: { invalid: 0, duplicate: 0, 'opted-out': 0, 'conversation-active': 0 },
      },
      completed: false,
    });
    expect(world.ticks.sent).toEqual([]);
  });
});

describe('campaign dispatcher tick: pace', () => {
  it("releases a number's recipients at its rate across ticks: tick + lead of sending, then a tick's worth", async () => {
    const world = campaignWorld();
    // 2 segments per second, one segment each: 15 s of sending first, then 10 s per tick.
    await world.createCampaign(
      { content: { kind: 'message', body: 'Hello from Acme' } },
      recipients(100, T0),
    );
    const released: number[] = [];
    let outcome = await world.tick();
    for (;;) {
      if (outcome.kind !== 'dispatched') throw new Error(`unexpected ${outcome.kind}`);
      released.push(outcome.tally.queued);
      const next = world.nextTick();
      if (!next) break;
      expect(next.delaySeconds).toBe(10);
      world.advance((next.delaySeconds ?? 0) * SECOND);
      outcome = await world.tick();
    }
    expect(released).toEqual([30, 20, 20, 20, 10]);
    expect((await campaign(world)).state).toBe('completed');
  });

  it('counts a long first message by its segments', async () => {
    const world = campaignWorld();
    // 200 GSM characters: 2 segments, so 15 recipients fill the first 15 s at 2 segments per second.
    await world.createCampaign({ content: { kind: 'message', body: 'x'.repeat(200) } }, recipients(40, T0));
    expect(await world.tick()).toMatchObject({ tally: { queued: 15 }, nextTickSeconds: 10 });
    const clocks = (await campaign(world)).senderClocks;
    expect(clocks[NUMBER]).toBe(T0 + 15 * SECOND);
  });

  it('spreads a pool over its numbers, each at its own rate, each customer on a sticky number', async () => {
    const world = campaignWorld();
    const members = POOL_MEMBERS.map((member) => ({ ...member }));
    const all = recipients(300, T0, { first: 'Ann' });
    await world.createCampaign(
      {
        sender: { kind: 'pool', pool: 'main', members },
        content: { kind: 'message', body: 'Hi {{first}}' },
      },
      all,
    );
    const senderOf = poolSenderOf(members);
    const rates = new Map<string, number>(members.map((member) => [member.number, member.segmentsPerSecond]));
    const releasedBy = new Map<string, number>();
    let elapsedMs = 0;
    await world.tick();
    for (;;) {
      for (const message of world.outbound.sent.splice(0)) {
        expect(message.body.from).toBe(senderOf(message.body.to));
        expect(message.body.body).toBe('Hi Ann');
        releasedBy.set(message.body.from, (releasedBy.get(message.body.from) ?? 0) + 1);
      }
      // Never more than the sender's rate over the time so far plus the tick and lead (and one message).
      for (const [sender, count] of releasedBy)
        expect(count, sender).toBeLessThanOrEqual(
          ((rates.get(sender) ?? 0) * (elapsedMs + 15 * SECOND)) / SECOND + 1,
        );
      const next = world.nextTick();
      if (!next) break;
      elapsedMs += (next.delaySeconds ?? 0) * SECOND;
      world.advance((next.delaySeconds ?? 0) * SECOND);
      await world.tick();
    }
    expect([...releasedBy.values()].reduce((a, b) => a + b, 0)).toBe(300);
    // The pool's 6 segments per second: 300 recipients in about 50 s, not at the slowest number's pace.
    expect(elapsedMs).toBeLessThanOrEqual(60 * SECOND);
    const record = await campaign(world);
    expect(record).toMatchObject({ state: 'completed', counters: { total: 300, queued: 300 } });
    for (const recipient of all.slice(0, 20))
      expect(world.campaigns.recipient(TENANT, CAMPAIGN_ID, recipient.phone)?.from).toBe(
        senderOf(recipient.phone),
      );
  });

  it('lets the other numbers of a pool go on while one is saturated', async () => {
    const world = campaignWorld();
    const members = [
      { number: '+15005550111', segmentsPerSecond: 1 },
      { number: '+15005550112', segmentsPerSecond: 3 },
    ];
    await world.createCampaign(
      { sender: { kind: 'pool', pool: 'main', members }, content: { kind: 'message', body: 'Hi' } },
      recipients(80, T0),
    );
    await world.tick();
    const byFrom = new Map<string, number>();
    for (const message of world.outbound.sent)
      byFrom.set(message.body.from, (byFrom.get(message.body.from) ?? 0) + 1);
    // 15 s of sending each (plus at most one message: a third of a second does not add up exactly):
    // 15 at 1/s, 45 at 3/s, the file having more than that for each.
    expect(byFrom.get('+15005550111')).toBe(15);
    expect(byFrom.get('+15005550112')).toBeGreaterThanOrEqual(45);
    expect(byFrom.get('+15005550112')).toBeLessThanOrEqual(46);
  });

  it('starts the next tick soon while recipients wait for their sender, and puts none once all went', async () => {
    const world = campaignWorld();
    await world.createCampaign({ content: { kind: 'message', body: 'Hi' } }, recipients(31, T0));
    expect(await world.tick()).toMatchObject({ nextTickSeconds: 10, completed: false });
    world.advance(10 * SECOND);
    expect(await world.tick()).toMatchObject({ tally: { queued: 1 }, completed: true });
    expect(world.ticks.sent.map((tick) => tick.delaySeconds)).toEqual([10]);
  });

  it('reads the due list a page at a time, in one tick while the senders have room', async () => {
    const world = campaignWorld();
    await world.createCampaign(
      {
        sender: { kind: 'number', from: NUMBER, segmentsPerSecond: 100 },
        content: { kind: 'message', body: 'Hi' },
      },
      recipients(45, T0),
    );
    expect(await world.tick(CAMPAIGN_ID, { ...world.deps, pageSize: 10 })).toMatchObject({
      tally: { queued: 45 },
      completed: true,
    });
  });

  it('leaves what the time budget does not reach for the next tick', async () => {
    const world = campaignWorld();
    await world.createCampaign(
      {
        sender: { kind: 'number', from: NUMBER, segmentsPerSecond: 100 },
        content: { kind: 'message', body: 'Hi' },
      },
      recipients(10, T0),
    );
    let calls = 0;
    // Each reading of the clock after the tick began costs a second: a budget of 4.5 s lets a few go.
    const slowClock = () => new Date(T0 + (calls++ > 1 ? (calls - 2) * SECOND : 0));
    const outcome = await world.tick(CAMPAIGN_ID, { now: slowClock, budgetMs: 4_500 });
    expect(outcome).toMatchObject({ kind: 'dispatched', completed: false });
    if (outcome.kind !== 'dispatched') throw new Error('not dispatched');
    expect(outcome.nextTickSeconds).toBeGreaterThan(0);
    expect(outcome.tally.queued).toBeGreaterThan(0);
    expect(outcome.tally.queued).toBeLessThan(10);
  });
});

describe('campaign dispatcher tick: quiet hours', () => {
  it('postpones a recipient inside its quiet hours to their end on its clock, while others go', async () => {
    const world = campaignWorld();
    // 14:00 UTC: 15:00 in Paris (quiet from 14:30), 10:00 in New York (sending).
    const paris = { phone: '+33612345678', variables: {}, line: 2, notBeforeMs: T0 };
    const newYork = {
      phone: '+14155550001',
      variables: {},
      line: 3,
      notBeforeMs: T0,
      timezone: 'America/New_York',
    };
    await world.createCampaign({ quietHours: '14:30-08:00', content: { kind: 'message', body: 'Hi' } }, [
      paris,
      newYork,
    ]);
    const outcome = await world.tick();
    expect(outcome).toMatchObject({ tally: { queued: 1, postponed: 1 }, completed: false });
    expect(world.sendsTo(newYork.phone)).toHaveLength(1);
    expect(world.sendsTo(paris.phone)).toHaveLength(0);
    // 08:00 in Paris the next day is 07:00 UTC (winter time): 17 hours ahead, in ticks of 15 minutes.
    const parisMorning = Date.parse('2026-03-11T07:00:00.000Z');
    const [due] = await world.campaigns.dueRecipients(TENANT, CAMPAIGN_ID, parisMorning, 10);
    expect(due).toMatchObject({ phone: paris.phone, notBeforeMs: parisMorning });
    expect(world.ticks.sent.map((tick) => tick.delaySeconds)).toEqual([900]);
    const delays = await runToEnd(world);
    expect(delays.length).toBe(68);
    expect(world.sendsTo(paris.phone)).toHaveLength(1);
    expect(world.nowMs()).toBeGreaterThanOrEqual(parisMorning);
    expect(await campaign(world)).toMatchObject({ state: 'completed', counters: { queued: 2 } });
  });

  it('ticks at the end of quiet hours when they end within 15 minutes', async () => {
    const world = campaignWorld();
    // 10:00 in New York; quiet until 10:05.
    await world.createCampaign(
      { quietHours: '21:00-10:05', content: { kind: 'message', body: 'Hi' } },
      recipients(1, T0),
    );
    expect(await world.tick()).toMatchObject({ tally: { queued: 0, postponed: 1 }, nextTickSeconds: 300 });
    await runToEnd(world);
    expect(world.sendsTo(recipients(1, T0)[0]?.phone ?? '')).toHaveLength(1);
  });
});

describe('campaign dispatcher tick: skips', () => {
  it('skips and counts opted-out customers and customers in another conversation with the number', async () => {
    const world = campaignWorld();
    const [optedOut, busy, free, elsewhere] = recipients(4, T0);
    if (!optedOut || !busy || !free || !elsewhere) throw new Error('recipients');
    await world.optOuts.optOut(TENANT, optedOut.phone);
    const conversation = {
      tenantId: TENANT,
      customer: busy.phone,
      conversationId: 'op-other',
      workflowId: ORDER_STATUS.id,
      slots: { status: 'collecting' as const, routeId: 'track-order', variables: {}, attempts: {} },
      version: 1,
      startedAt: new Date(T0 - MINUTE).toISOString(),
      lastActivityAt: new Date(T0 - MINUTE).toISOString(),
      expiresAt: new Date(T0 + HOUR).toISOString(),
    };
    world.conversations.put({ ...conversation, businessNumber: NUMBER });
    // A conversation with another of the tenant's numbers does not stand in the way.
    world.conversations.put({ ...conversation, customer: elsewhere.phone, businessNumber: '+15005550111' });
    await world.createCampaign({}, [optedOut, busy, free, elsewhere]);
    const outcome = await world.tick();
    expect(outcome).toMatchObject({
      tally: { queued: 2, skipped: { 'opted-out': 1, 'conversation-active': 1 } },
      completed: true,
    });
    expect(await campaign(world)).toMatchObject({
      state: 'completed',
      counters: { total: 4, queued: 2, skippedOptedOut: 1, skippedConversationActive: 1 },
    });
    expect(world.sendsTo(optedOut.phone)).toEqual([]);
    expect(world.sendsTo(busy.phone)).toEqual([]);
    expect(world.campaigns.recipient(TENANT, CAMPAIGN_ID, busy.phone)).toMatchObject({
      state: 'skipped',
      skipReason: 'conversation-active',
    });
  });

  it('skips a customer in a conversation for a one-message campaign too, not one whose conversation ended', async () => {
    const world = campaignWorld();
    const [busy, done] = recipients(2, T0);
    if (!busy || !done) throw new Error('recipients');
    const base = {
      tenantId: TENANT,
      businessNumber: NUMBER,
      conversationId: 'op-other',
      workflowId: ORDER_STATUS.id,
      version: 1,
      startedAt: new Date(T0 - MINUTE).toISOString(),
      lastActivityAt: new Date(T0 - MINUTE).toISOString(),
      expiresAt: new Date(T0 + HOUR).toISOString(),
    };
    world.conversations.put({
      ...base,
      customer: busy.phone,
      slots: { status: 'collecting', routeId: 'track-order', variables: {}, attempts: {} },
    });
    world.conversations.put({
      ...base,
      customer: done.phone,
      slots: { status: 'completed', routeId: 'track-order', variables: {}, attempts: {} },
    });
    await world.createCampaign({ content: { kind: 'message', body: 'Sale today' } }, [busy, done]);
    expect(await world.tick()).toMatchObject({
      tally: { queued: 1, skipped: { 'conversation-active': 1 } },
    });
    expect(world.sendsTo(done.phone)).toHaveLength(1);
  });

  it('skips as invalid a row whose values no longer start the workflow', async () => {
    const world = campaignWorld();
    const [bad, good] = recipients(2, T0);
    if (!bad || !good) throw new Error('recipients');
    await world.createCampaign({}, [
      { ...bad, variables: { order_number: 'abc' } },
      { ...good, variables: { order_number: '123456' } },
    ]);
    expect(await world.tick()).toMatchObject({
      tally: { queued: 1, skipped: { invalid: 1 } },
      completed: true,
    });
    // The prefilled order number skips its prompt: the first message asks for the date.
    expect(world.outbound.sent[0]?.body.body).toContain('When did you place this order?');
  });

  it('sends the campaign pictures and the recipient values of a one-message campaign', async () => {
    const world = campaignWorld();
    await world.createCampaign(
      {
        content: { kind: 'message', body: 'Hi {{first_name}}, your code is {{code}}' },
        mediaUrls: ['https://cdn.example.com/sale.png'],
      },
      [{ phone: '+14155550009', variables: { first_name: 'Ann', code: 'X1' }, line: 2, notBeforeMs: T0 }],
    );
    await world.tick();
    expect(world.outbound.sent.map((message) => message.body)).toMatchObject([
      {
        to: '+14155550009',
        from: NUMBER,
        body: 'Hi Ann, your code is X1',
        mediaUrls: ['https://cdn.example.com/sale.png'],
      },
    ]);
  });

  it('refuses the whole campaign when its number is no longer the tenant’s, keeping what went', async () => {
    const world = campaignWorld();
    await world.createCampaign({ sender: { kind: 'number', from: '+15005550199' } }, recipients(2, T0));
    await expect(world.tick()).rejects.toBeInstanceOf(CampaignDispatchError);
    await expect(world.tick()).rejects.toThrow(/number-not-found/);
    expect(world.outbound.sent).toEqual([]);
    expect((await campaign(world)).counters.queued).toBe(0);
  });

  it('sends a Messaging Service campaign as its number, at the service rate', async () => {
    const world = campaignWorld();
    await world.createCampaign(
      {
        sender: { kind: 'messaging-service', from: NUMBER, segmentsPerSecond: 1 },
        content: { kind: 'message', body: 'Hi' },
      },
      recipients(20, T0),
    );
    expect(await world.tick()).toMatchObject({ tally: { queued: 15 } });
    expect(new Set(world.outbound.sent.map((message) => message.body.from))).toEqual(new Set([NUMBER]));
  });
});

describe('campaign dispatcher tick: exactly once', () => {
  it('releases each recipient once when the same tick runs twice, one after the other or at once', async () => {
    const world = campaignWorld();
    const all = recipients(12, T0);
    await world.createCampaign({}, all);
    await Promise.all([world.tick(), world.tick()]);
    await world.tick();
    await world.tick();
    for (const recipient of all) expect(world.sendsTo(recipient.phone)).toHaveLength(1);
    expect((await campaign(world)).counters).toMatchObject({ total: 12, queued: 12 });
  });

  it('replays the start after a crash between the start and the release: one message, counted once', async () => {
    const world = campaignWorld();
    const all = recipients(5, T0);
    await world.createCampaign({}, all);
    const crashing: CampaignStore = Object.create(world.campaigns) as CampaignStore;
    let releases = 0;
    crashing.release = async (...args) => {
      releases += 1;
      if (releases === 3) throw new Error('crash before the release');
      return world.campaigns.release(...args);
    };
    await expect(world.tick(CAMPAIGN_ID, { campaigns: crashing })).rejects.toThrow(
      'crash before the release',
    );
    const crashed = all[2]?.phone ?? '';
    expect(world.sendsTo(crashed)).toHaveLength(1);
    // Starts run side by side: the others of the tick finished before the crash was thrown.
    const releasedBefore = (await campaign(world)).counters.queued;
    expect(releasedBefore).toBeLessThan(5);
    // The tick comes back (SQS redelivers it); the recipient is still due, and its start replays.
    world.advance(15 * SECOND);
    expect(await world.tick()).toMatchObject({ tally: { queued: 5 - releasedBefore }, completed: true });
    for (const recipient of all) expect(world.sendsTo(recipient.phone)).toHaveLength(1);
    expect(world.outbound.sent.filter((message) => message.body.to === crashed)).toHaveLength(1);
    expect((await campaign(world)).counters).toMatchObject({ total: 5, queued: 5 });
  });

  it('finishes a start that crashed after its commit and before its enqueue under the same send ids', async () => {
    const world = campaignWorld();
    const all = recipients(2, T0);
    await world.createCampaign({}, all);
    const realSend = world.outbound.send.bind(world.outbound);
    let sends = 0;
    world.outbound.send = async (messages) => {
      sends += 1;
      if (sends === 1) throw new Error('crash before the enqueue');
      return realSend(messages);
    };
    await expect(world.tick()).rejects.toThrow('crash before the enqueue');
    world.advance(20 * SECOND);
    await world.tick();
    for (const recipient of all) expect(world.sendsTo(recipient.phone)).toHaveLength(1);
    expect((await campaign(world)).counters.queued).toBe(2);
  });
});

describe('tickDelaySeconds', () => {
  it('rounds up to whole seconds between 0 and 15 minutes', () => {
    expect(tickDelaySeconds(T0 + 10_000, T0)).toBe(10);
    expect(tickDelaySeconds(T0 + 10_001, T0)).toBe(11);
    expect(tickDelaySeconds(T0 - 5_000, T0)).toBe(0);
    expect(tickDelaySeconds(T0 + 2 * HOUR, T0)).toBe(900);
  });
});
