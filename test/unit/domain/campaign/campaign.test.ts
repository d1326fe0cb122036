import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CAMPAIGN_COUNTERS,
  CAMPAIGN_STATES,
  type CampaignCommand,
  type CampaignCounters,
  campaignCountersForStatus,
  campaignCountersFrom,
  campaignIdFor,
  campaignProgress,
  campaignRecipientId,
  campaignSendId,
  type CampaignState,
  emptyCampaignCounters,
  everyRecipientReleased,
  isCampaignId,
  isFinalCampaignState,
  parseStartAt,
  releasedSendProceeds,
  releasesSends,
  SKIP_COUNTER,
  transitionCampaign,
} from '../../../../lambdas/domain/campaign/campaign';
import {
  canAdvance,
  OUTBOUND_STATUSES,
  type OutboundStatus,
} from '../../../../lambdas/domain/message-status';

const NOW = new Date('2026-06-10T12:00:00Z');
const PAST_START = new Date('2026-06-10T11:00:00Z');
const FUTURE_START = new Date('2026-06-11T09:00:00Z');
const COMMANDS: readonly CampaignCommand[] = ['start', 'pause', 'resume', 'cancel', 'complete'];

describe('transitionCampaign', () => {
  /** from -> command -> to, or 409. */
  const TABLE: Readonly<Record<CampaignState, Readonly<Record<CampaignCommand, CampaignState | 409>>>> = {
    scheduled: { start: 'running', pause: 'paused', resume: 'scheduled', cancel: 'cancelled', complete: 409 },
    running: {
      start: 'running',
      pause: 'paused',
      resume: 'running',
      cancel: 'cancelled',
      complete: 'completed',
    },
    paused: { start: 409, pause: 'paused', resume: 'running', cancel: 'cancelled', complete: 409 },
    cancelled: { start: 409, pause: 409, resume: 409, cancel: 'cancelled', complete: 409 },
    completed: { start: 409, pause: 409, resume: 409, cancel: 409, complete: 'completed' },
  };

  for (const state of CAMPAIGN_STATES) {
    for (const command of COMMANDS) {
      const expected = TABLE[state][command];
      it(`${command} on ${state}: ${expected}`, () => {
        const result = transitionCampaign({ state, startAt: PAST_START }, command, NOW);
        if (expected === 409) {
          expect(result).toMatchObject({ ok: false, status: 409, error: 'campaign-state-conflict' });
        } else {
          expect(result).toEqual({ ok: true, state: expected, changed: expected !== state });
        }
      });
    }
  }

  it('explains a refusal in words', () => {
    expect(transitionCampaign({ state: 'cancelled', startAt: PAST_START }, 'resume', NOW)).toEqual({
      ok: false,
      status: 409,
      error: 'campaign-state-conflict',
      message: 'the campaign is cancelled: it cannot be resumed',
    });
    expect(transitionCampaign({ state: 'completed', startAt: PAST_START }, 'cancel', NOW)).toMatchObject({
      message: 'the campaign is completed: it cannot be cancelled: every message was already sent',
    });
    expect(transitionCampaign({ state: 'paused', startAt: PAST_START }, 'start', NOW)).toMatchObject({
      message: 'the campaign is paused: it cannot start (resume it)',
    });
  });

  it('resumes a campaign paused before its start time to scheduled', () => {
    expect(transitionCampaign({ state: 'paused', startAt: FUTURE_START }, 'resume', NOW)).toEqual({
      ok: true,
      state: 'scheduled',
      changed: true,
    });
  });

  it('never leaves a final state, and only running releases sends', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CAMPAIGN_STATES),
        fc.array(fc.constantFrom(...COMMANDS), { maxLength: 20 }),
        (initial, commands) => {
          let state: CampaignState = initial;
          for (const command of commands) {
            const result = transitionCampaign({ state, startAt: PAST_START }, command, NOW);
            if (isFinalCampaignState(state)) expect(!result.ok || result.state === state).toBe(true);
            if (result.ok) state = result.state;
          }
        },
      ),
    );
    expect(CAMPAIGN_STATES.filter(releasesSends)).toEqual(['running']);
    expect(CAMPAIGN_STATES.filter((state) => !releasedSendProceeds(state))).toEqual(['cancelled']);
  });
});

describe('parseStartAt', () => {
  it('is now when absent', () => {
    expect(parseStartAt(undefined, NOW)).toEqual({ ok: true, startAt: NOW });
  });

  it.each([
    ['2026-06-11T09:00:00Z', '2026-06-11T09:00:00.000Z'],
    ['2026-06-11T09:00Z', '2026-06-11T09:00:00.000Z'],
    ['2026-06-11T09:00:00-05:00', '2026-06-11T14:00:00.000Z'],
    ['2026-06-11T09:00:00.5+05:30', '2026-06-11T03:30:00.500Z'],
    ['2026-06-11t09:00:00z', '2026-06-11T09:00:00.000Z'],
    // Less than a minute in the past: now, give or take a clock.
    ['2026-06-10T11:59:30Z', '2026-06-10T11:59:30.000Z'],
  ])('reads %s', (value, iso) => {
    expect(parseStartAt(value, NOW)).toEqual({ ok: true, startAt: new Date(iso) });
  });

  it.each([
    ['2026-06-11T09:00:00', /with a zone/],
    ['2026-06-11', /with a zone/],
    ['tomorrow', /with a zone/],
    ['2026-06-11 09:00:00Z', /with a zone/],
    ['2026-02-30T09:00:00Z', /not a real date/],
    ['2027-02-29T09:00:00Z', /not a real date/],
    ['2026-06-11T24:00:00Z', /not a real date/],
    ['2026-06-11T09:00:00+15:00', /offset beyond/],
    ['2026-06-10T11:58:59Z', /in the past \(now 2026-06-10T12:00:00.000Z\): leave it out to start now/],
    ['2025-06-10T12:00:00Z', /in the past/],
    ['2027-06-11T12:00:00Z', /more than 365 days ahead/],
  ])('refuses %s', (value, reason) => {
    const parsed = parseStartAt(value, NOW);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('agrees with Date on every instant it accepts', () => {
    fc.assert(
      fc.property(fc.integer({ min: NOW.getTime(), max: NOW.getTime() + 300 * 86_400_000 }), (ms) => {
        const iso = new Date(ms).toISOString();
        expect(parseStartAt(iso, NOW)).toEqual({ ok: true, startAt: new Date(ms) });
      }),
    );
  });
});

describe('counters', () => {
  it('start at zero, read stored items defensively, and name a counter per skip reason', () => {
    const empty = emptyCampaignCounters();
    expect(Object.keys(empty)).toEqual([...CAMPAIGN_COUNTERS]);
    expect(Object.values(empty).every((value) => value === 0)).toBe(true);
    expect(campaignCountersFrom({ total: 5, sent: '3', failed: -1, queued: Number.NaN, extra: 9 })).toEqual({
      ...empty,
      total: 5,
    });
    expect(Object.values(SKIP_COUNTER).sort()).toEqual(
      ['skippedConversationActive', 'skippedDuplicate', 'skippedInvalid', 'skippedOptedOut'].sort(),
    );
  });

  it('report progress, pending recipients and the delivery rate', () => {
    const counters: CampaignCounters = {
      ...emptyCampaignCounters(),
      total: 100,
      skippedInvalid: 3,
      skippedDuplicate: 2,
      skippedOptedOut: 4,
      skippedConversationActive: 1,
      queued: 60,
      sent: 55,
      delivered: 45,
      undelivered: 3,
      failed: 2,
      cancelled: 4,
      optedOut: 1,
      replied: 20,
      completed: 12,
    };
    expect(campaignProgress(counters)).toEqual({
      total: 100,
      skipped: { invalid: 3, duplicate: 2, optedOut: 4, conversationActive: 1, total: 10 },
      pending: 30,
      queued: 60,
      sent: 55,
      delivered: 45,
      undelivered: 3,
      failed: 2,
      cancelled: 4,
      optedOut: 1,
      replied: 20,
      completed: 12,
      // Cancelled sends were never sent: they are not in the delivery rate.
      deliveryRate: 0.9,
    });
    expect(campaignProgress(emptyCampaignCounters()).deliveryRate).toBeNull();
    expect(everyRecipientReleased(counters, true)).toBe(false);
    const done = { ...counters, queued: 90 };
    expect(everyRecipientReleased(done, true)).toBe(true);
    expect(everyRecipientReleased(done, false)).toBe(false);
  });

  it('count sent and an outcome once per message, whatever order and repeats the callbacks come in', () => {
    expect(campaignCountersForStatus(undefined, 'queued')).toEqual([]);
    expect(campaignCountersForStatus('queued', 'sent')).toEqual(['sent']);
    expect(campaignCountersForStatus('sent', 'delivered')).toEqual(['delivered']);
    expect(campaignCountersForStatus('queued', 'delivered')).toEqual(['sent', 'delivered']);
    expect(campaignCountersForStatus('sent', 'undelivered')).toEqual(['undelivered']);
    expect(campaignCountersForStatus('queued', 'failed')).toEqual(['failed']);
    expect(campaignCountersForStatus('sent', 'read')).toEqual(['delivered']);
    expect(campaignCountersForStatus('delivered', 'read')).toEqual([]);
    expect(campaignCountersForStatus('delivered', 'sent')).toEqual([]);
    expect(campaignCountersForStatus('sent', 'canceled')).toEqual([]);

    // Any sequence of callbacks, applied as the status store applies them: at most one `sent`, at most one outcome.
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...OUTBOUND_STATUSES), { maxLength: 12 }), (callbacks) => {
        let current: OutboundStatus | undefined;
        const counted: string[] = [];
        for (const next of callbacks) {
          counted.push(...campaignCountersForStatus(current, next));
          if (canAdvance(current, next)) current = next;
        }
        expect(counted.filter((name) => name === 'sent').length).toBeLessThanOrEqual(1);
        expect(counted.filter((name) => name !== 'sent').length).toBeLessThanOrEqual(1);
        if (current === 'delivered' || current === 'read') expect(counted).toContain('delivered');
      }),
    );
  });
});

describe('ids', () => {
  it('names a campaign from its Idempotency-Key, else at random', () => {
    const keyed = campaignIdFor('demo', 'key-1', () => 'unused');
    expect(isCampaignId(keyed)).toBe(true);
    expect(campaignIdFor('demo', 'key-1', () => 'unused')).toBe(keyed);
    expect(campaignIdFor('other', 'key-1', () => 'unused')).not.toBe(keyed);
    expect(campaignIdFor('demo', 'key-2', () => 'unused')).not.toBe(keyed);
    expect(campaignIdFor('demo', undefined, () => '0123456789ABCDEF0123456789abcdef')).toBe(
      'cmp-0123456789abcdef0123456789abcdef',
    );
    expect(() => campaignIdFor('demo', undefined, () => 'short')).toThrow(RangeError);
    expect(isCampaignId('cmp-123')).toBe(false);
  });

  it('gives a recipient the same send ids every time, others other ids, and no number in sight', () => {
    const campaign = campaignIdFor('demo', 'k', () => '');
    const phone = '+14155550123';
    const sendId = campaignSendId(campaign, phone);
    expect(sendId).toBe(campaignSendId(campaign, phone, 0));
    expect(sendId).toBe(`${campaignRecipientId(campaign, phone)}-0`);
    expect(campaignSendId(campaign, phone, 1)).toBe(`${campaignRecipientId(campaign, phone)}-1`);
    expect(sendId).not.toContain('4155550123');
    expect(sendId.length).toBeLessThanOrEqual(80);
    expect(sendId).toMatch(/^[A-Za-z0-9-]+$/);
    expect(() => campaignSendId(campaign, phone, -1)).toThrow(RangeError);

    fc.assert(
      fc.property(
        fc.integer({ min: 2_000_000_000, max: 9_999_999_999 }),
        fc.integer({ min: 1, max: 99_999 }),
        (a, delta) => {
          const first = `+1${a}`;
          const second = `+1${a + delta}`;
          expect(campaignSendId(campaign, first)).toBe(campaignSendId(campaign, first));
          expect(campaignSendId(campaign, first)).not.toBe(campaignSendId(campaign, second));
        },
      ),
    );
    const otherCampaign = campaignIdFor('demo', 'k2', () => '');
    expect(campaignSendId(otherCampaign, phone)).not.toBe(sendId);
  });
});
