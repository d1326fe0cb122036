import fc from 'fast-check';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENT_TYPES, filterMatches, parseEventTypeFilter } from '../../../lambdas/domain/events/catalog';
import { eventBody, lifecycleEvent } from '../../../lambdas/domain/events/envelope';
import { lifecycleEventsOf, type TableChange } from '../../../lambdas/domain/events/from-changes';
import { deliveryGroupId, LANES_PER_DESTINATION } from '../../../lambdas/domain/events/lanes';
import {
  keyBytesOf,
  newSecret,
  receiverSecretOf,
  signingKeyProblem,
  standardWebhookHeaders,
} from '../../../lambdas/domain/events/standard-webhooks';
import {
  deliveriesFor,
  type EventSubscription,
  isSubscriptionId,
  subscriptionIdFrom,
} from '../../../lambdas/domain/events/subscription';

afterEach(() => {
  vi.useRealTimers();
});

describe('event type filters (--types)', () => {
  it('reads all, lists, patterns; drops duplicates and spaces', () => {
    expect(parseEventTypeFilter(undefined)).toEqual({ ok: true, filter: 'all' });
    expect(parseEventTypeFilter(' all ')).toEqual({ ok: true, filter: 'all' });
    expect(parseEventTypeFilter('message.delivered, message.failed,message.delivered')).toEqual({
      ok: true,
      filter: ['message.delivered', 'message.failed'],
    });
    expect(parseEventTypeFilter('campaign.*,customer.opted_out')).toEqual({
      ok: true,
      filter: ['campaign.*', 'customer.opted_out'],
    });
    expect(parseEventTypeFilter('message.sent,all')).toEqual({ ok: true, filter: 'all' });
  });

  it('refuses unknown types and patterns, naming them', () => {
    const parsed = parseEventTypeFilter('message.delivered,message.read,order.*');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(/unknown event types message\.read, order\.\*/);
    expect(parseEventTypeFilter(' , ').ok).toBe(false);
    expect(parseEventTypeFilter('*').ok).toBe(false);
  });

  it('matches exact types and resource patterns only', () => {
    expect(filterMatches('all', 'campaign.paused')).toBe(true);
    expect(filterMatches(['campaign.*'], 'campaign.paused')).toBe(true);
    expect(filterMatches(['campaign.*'], 'conversation.started')).toBe(false);
    expect(filterMatches(['message.sent'], 'message.sent')).toBe(true);
    expect(filterMatches(['message.sent'], 'message.delivered')).toBe(false);
  });

  it('any subset of the catalogue parses back to itself and matches exactly its members', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...EVENT_TYPES), { minLength: 1 }), (types) => {
        const parsed = parseEventTypeFilter(types.join(','));
        expect(parsed).toEqual({ ok: true, filter: types });
        if (!parsed.ok) return;
        for (const type of EVENT_TYPES) expect(filterMatches(parsed.filter, type)).toBe(types.includes(type));
      }),
    );
  });
});

const AT = '2026-12-03T14:39:33.761Z';
const change = (partial: Partial<TableChange> & Pick<TableChange, 'kind' | 'pk' | 'sk'>): TableChange => ({
  at: AT,
  byTtl: false,
  ...partial,
});

/** The items as the platform writes them (taken from a local stack's stream). */
const state = (overrides: Record<string, unknown> = {}, slots: Record<string, unknown> = {}) => ({
  pk: 'CONV#demo#+15551110000',
  sk: 'STATE#+15005550006',
  conversationId: 'SMcaf7',
  businessNumber: '+15005550006',
  workflowId: 'order-status',
  startedAt: AT,
  lastActivityAt: AT,
  conversationExpiresAt: '2026-12-04T14:39:33.761Z',
  version: 1,
  slots: { variables: {}, routeId: 'track-order', status: 'collecting', attempts: {}, ...slots },
  ...overrides,
});
const message = (overrides: Record<string, unknown> = {}) => ({
  pk: 'MESSAGE#SM0d99',
  sk: 'META',
  tenantId: 'demo',
  sendId: 'SMcaf7-0',
  from: '+15005550006',
  to: '+15551110000',
  numSegments: 1,
  createdAt: '2026-12-03T14:39:36.675Z',
  status: 'queued',
  events: { queued: { at: '2026-12-03T14:39:36.675Z' } },
  ...overrides,
});

const types = (events: ReturnType<typeof lifecycleEventsOf>) => events.map((event) => event.type);

describe('lifecycle events from table changes', () => {
  it('a new conversation state is conversation.started', () => {
    const [event, ...rest] = lifecycleEventsOf(
      change({ kind: 'INSERT', pk: 'CONV#demo#+15551110000', sk: 'STATE#+15005550006', newImage: state() }),
    );
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      type: 'conversation.started',
      timestamp: AT,
      data: {
        tenantId: 'demo',
        conversationId: 'SMcaf7',
        customer: '+15551110000',
        businessNumber: '+15005550006',
        workflowId: 'order-status',
        routeId: 'track-order',
      },
    });
    expect(event?.id).toMatch(/^evt_[0-9a-f]{32}$/);
  });

  it('a status reached is its event once; a change that keeps the status is none', () => {
    const completed = lifecycleEventsOf(
      change({
        kind: 'MODIFY',
        pk: 'CONV#demo#+15551110000',
        sk: 'STATE#+15005550006',
        oldImage: state({ version: 2 }),
        newImage: state({ version: 3 }, { status: 'completed', variables: { order_number: '123456' } }),
      }),
    );
    expect(types(completed)).toEqual(['conversation.completed']);
    expect(completed[0]?.data).toMatchObject({ variables: { order_number: '123456' }, status: 'completed' });
    const again = lifecycleEventsOf(
      change({
        kind: 'MODIFY',
        pk: 'CONV#demo#+15551110000',
        sk: 'STATE#+15005550006',
        oldImage: state({ version: 3 }, { status: 'completed' }),
        newImage: state({ version: 3, lastActivityAt: 'later' }, { status: 'completed' }),
      }),
    );
    expect(again).toEqual([]);
    for (const [status, type] of [
      ['fallback', 'conversation.fallback'],
      ['handed-off', 'conversation.handed_off'],
      ['expired', 'conversation.expired'],
    ] as const) {
      expect(
        types(
          lifecycleEventsOf(
            change({
              kind: 'MODIFY',
              pk: 'CONV#demo#+15551110000',
              sk: 'STATE#+15005550006',
              oldImage: state(),
              newImage: state({ version: 2 }, { status }),
            }),
          ),
        ),
      ).toEqual([type]);
    }
  });

  it('a conversation replaced after its expiry ended by silence: expired, then the new one started', () => {
    const events = lifecycleEventsOf(
      change({
        kind: 'MODIFY',
        pk: 'CONV#demo#+15551110000',
        sk: 'STATE#+15005550006',
        oldImage: state(),
        newImage: state({ conversationId: 'SMnext', startedAt: '2026-12-05T10:00:00.000Z', version: 2 }),
      }),
    );
    expect(types(events)).toEqual(['conversation.expired', 'conversation.started']);
    expect(events[0]?.data).toMatchObject({ conversationId: 'SMcaf7', lastStatus: 'collecting' });
    expect(events[0]?.timestamp).toBe('2026-12-04T14:39:33.761Z');
    // Replaced before its expiry (a business start), or after it completed: no expiry.
    expect(
      types(
        lifecycleEventsOf(
          change({
            kind: 'MODIFY',
            pk: 'CONV#demo#+15551110000',
            sk: 'STATE#+15005550006',
            oldImage: state({}, { status: 'completed' }),
            newImage: state({ conversationId: 'SMnext', startedAt: '2026-12-05T10:00:00.000Z' }),
          }),
        ),
      ),
    ).toEqual(['conversation.started']);
  });

  it('an inbound transcript entry is message.received; an outbound send completed failed is message.failed', () => {
    const received = lifecycleEventsOf(
      change({
        kind: 'INSERT',
        pk: 'CONV#demo#+15551110000',
        sk: `MSG#${AT}#SMcaf7`,
        newImage: {
          direction: 'inbound',
          messageSid: 'SMcaf7',
          conversationId: 'SMcaf7',
          from: '+15551110000',
          to: '+15005550006',
          body: 'Where is my package?',
          mediaUrls: [],
          at: AT,
        },
      }),
    );
    expect(received).toEqual([
      expect.objectContaining({
        type: 'message.received',
        data: {
          tenantId: 'demo',
          messageSid: 'SMcaf7',
          conversationId: 'SMcaf7',
          customer: '+15551110000',
          businessNumber: '+15005550006',
          body: 'Where is my package?',
          mediaUrls: [],
        },
      }),
    ]);
    const outbound = { direction: 'outbound', sendId: 'SMcaf7-0', from: '+15005550006', to: '+15551110000' };
    const failed = lifecycleEventsOf(
      change({
        kind: 'MODIFY',
        pk: 'CONV#demo#+15551110000',
        sk: `MSG#${AT}#SMcaf7-0`,
        oldImage: { ...outbound, sendState: 'sending' },
        newImage: {
          ...outbound,
          sendState: 'failed',
          errorCode: 21610,
          reason: 'unsubscribed',
          failedAt: AT,
        },
      }),
    );
    expect(failed).toEqual([
      expect.objectContaining({
        type: 'message.failed',
        data: expect.objectContaining({ sendId: 'SMcaf7-0', stage: 'send', errorCode: 21610 }),
      }),
    ]);
    // The sender's own writes that are not outcomes (a claim, a park) are nothing.
    expect(
      lifecycleEventsOf(
        change({
          kind: 'INSERT',
          pk: 'CONV#demo#+15551110000',
          sk: `MSG#${AT}#SMcaf7-0`,
          newImage: { ...outbound, sendState: 'sending' },
        }),
      ),
    ).toEqual([]);
  });

  it('a message item: sent when recorded, then each final status once', () => {
    expect(
      types(
        lifecycleEventsOf(change({ kind: 'INSERT', pk: 'MESSAGE#SM0d99', sk: 'META', newImage: message() })),
      ),
    ).toEqual(['message.sent']);
    const sent = message({ status: 'sent' });
    const delivered = message({
      status: 'delivered',
      events: { delivered: { at: '2026-12-03T14:39:36.875Z' } },
    });
    expect(
      types(
        lifecycleEventsOf(
          change({ kind: 'MODIFY', pk: 'MESSAGE#SM0d99', sk: 'META', oldImage: message(), newImage: sent }),
        ),
      ),
    ).toEqual([]);
    const deliveredEvents = lifecycleEventsOf(
      change({ kind: 'MODIFY', pk: 'MESSAGE#SM0d99', sk: 'META', oldImage: sent, newImage: delivered }),
    );
    expect(deliveredEvents).toEqual([
      expect.objectContaining({ type: 'message.delivered', timestamp: '2026-12-03T14:39:36.875Z' }),
    ]);
    // The status function marking its metrics reported changes nothing that is an event.
    expect(
      lifecycleEventsOf(
        change({
          kind: 'MODIFY',
          pk: 'MESSAGE#SM0d99',
          sk: 'META',
          oldImage: delivered,
          newImage: { ...delivered, reported: true },
        }),
      ),
    ).toEqual([]);
    expect(
      types(
        lifecycleEventsOf(
          change({
            kind: 'MODIFY',
            pk: 'MESSAGE#SM0d99',
            sk: 'META',
            oldImage: sent,
            newImage: message({ status: 'undelivered', errorCode: 30003 }),
          }),
        ),
      ),
    ).toEqual(['message.undelivered']);
  });

  it('opt-outs: STOP is opted_out; START (its transcript entry) opted_in; deletions and erasures nothing', () => {
    const optOut = {
      pk: 'OPTOUT#demo#+15551110000',
      sk: 'OPTOUT',
      optedOutAt: AT,
      source: 'keyword',
      customer: '+15551110000',
    };
    expect(
      lifecycleEventsOf(change({ kind: 'INSERT', pk: optOut.pk, sk: 'OPTOUT', newImage: optOut })),
    ).toEqual([
      expect.objectContaining({
        type: 'customer.opted_out',
        data: { tenantId: 'demo', customer: '+15551110000', source: 'keyword', optedOutAt: AT },
      }),
    ]);
    // STOP again: the same item put again (a MODIFY) is no new opt-out.
    expect(
      lifecycleEventsOf(
        change({ kind: 'MODIFY', pk: optOut.pk, sk: 'OPTOUT', oldImage: optOut, newImage: optOut }),
      ),
    ).toEqual([]);
    // START, a customer erase and a TTL deletion all delete the item: none of them is read from it.
    expect(
      lifecycleEventsOf(change({ kind: 'REMOVE', pk: optOut.pk, sk: 'OPTOUT', oldImage: optOut })),
    ).toEqual([]);
    // An erased customer's suppression record names no customer.
    const hashed = 'OPTOUT#demo#sha256:0123abcd';
    expect(
      lifecycleEventsOf(
        change({ kind: 'INSERT', pk: hashed, sk: 'OPTOUT', newImage: { source: 'erasure' } }),
      ),
    ).toEqual([]);
    const start = lifecycleEventsOf(
      change({
        kind: 'INSERT',
        pk: 'CONV#demo#+15551110000',
        sk: `MSG#${AT}#SMstart`,
        newImage: {
          direction: 'inbound',
          messageSid: 'SMstart',
          conversationId: '',
          from: '+15551110000',
          to: '+15005550006',
          body: 'START',
          note: 'optIn',
          at: AT,
        },
      }),
    );
    expect(types(start)).toEqual(['message.received', 'customer.opted_in']);
    expect(start[1]?.data).toEqual({ tenantId: 'demo', customer: '+15551110000', messageSid: 'SMstart' });
  });

  it('campaigns: created, started, paused, resumed, cancelled, completed', () => {
    const campaign = (state: string) => ({
      pk: 'CAMPAIGN#demo#cmp_1',
      sk: 'META',
      name: 'Spring',
      state,
      updatedAt: AT,
    });
    const moved = (from: string | undefined, to: string) =>
      types(
        lifecycleEventsOf(
          change({
            kind: from === undefined ? 'INSERT' : 'MODIFY',
            pk: 'CAMPAIGN#demo#cmp_1',
            sk: 'META',
            ...(from === undefined ? {} : { oldImage: campaign(from) }),
            newImage: campaign(to),
          }),
        ),
      );
    expect(moved(undefined, 'scheduled')).toEqual(['campaign.created']);
    expect(moved('scheduled', 'running')).toEqual(['campaign.started']);
    expect(moved('running', 'paused')).toEqual(['campaign.paused']);
    expect(moved('paused', 'running')).toEqual(['campaign.resumed']);
    expect(moved('running', 'cancelled')).toEqual(['campaign.cancelled']);
    expect(moved('running', 'completed')).toEqual(['campaign.completed']);
    expect(moved('running', 'running')).toEqual([]);
  });

  it('items that are not lifecycle facts are nothing', () => {
    for (const [pk, sk] of [
      ['PACE#+15005550006', 'PACE'],
      ['WEBHOOK#demo#wh_1', 'DELIVERY'],
      ['TENANT#demo', 'PROFILE'],
      ['IDEMPOTENCY#demo#k', 'KEY'],
      ['CAMPAIGN#demo#cmp_1', 'R#+15551110000'],
    ] as const) {
      expect(
        lifecycleEventsOf(change({ kind: 'INSERT', pk, sk, newImage: { pk, sk, state: 'running' } })),
      ).toEqual([]);
    }
  });

  it('a change seen twice gives the same events, ids included (a replayed stream record)', () => {
    const statuses = fc.constantFrom('queued', 'sent', 'delivered', 'undelivered', 'failed');
    fc.assert(
      fc.property(statuses, statuses, fc.stringMatching(/^[0-9a-f]{4,32}$/), (from, to, sid) => {
        const seen = change({
          kind: 'MODIFY',
          pk: `MESSAGE#SM${sid}`,
          sk: 'META',
          oldImage: message({ status: from }),
          newImage: message({ status: to }),
        });
        expect(lifecycleEventsOf(seen)).toEqual(lifecycleEventsOf(structuredClone(seen)));
        expect(lifecycleEventsOf(seen).length).toBe(
          from !== to && ['delivered', 'undelivered', 'failed'].includes(to) ? 1 : 0,
        );
      }),
    );
  });
});

describe('deliveries to subscriptions', () => {
  const subscription = (
    id: string,
    types: EventSubscription['types'],
    tenantId = 'demo',
  ): EventSubscription => ({
    tenantId,
    subscriptionId: id,
    url: `https://hooks.example.com/${id}`,
    types,
    createdAt: AT,
  });
  const event = (type: (typeof EVENT_TYPES)[number], customer = '+15551110000') =>
    lifecycleEvent(type, AT, [customer, type], { tenantId: 'demo', customer });

  it('one per subscription of the tenant that takes the type, each with its own webhook id', () => {
    const subscriptions = [
      subscription('sub_0000000000000001', 'all'),
      subscription('sub_0000000000000002', ['message.*']),
      subscription('sub_0000000000000003', ['conversation.completed']),
      subscription('sub_0000000000000004', 'all', 'other'),
    ];
    const deliveries = deliveriesFor(event('message.delivered'), subscriptions);
    expect(deliveries.map((delivery) => delivery.job.subscriptionId)).toEqual([
      'sub_0000000000000001',
      'sub_0000000000000002',
    ]);
    const [first, second] = deliveries;
    expect(first?.job.webhookId).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(first?.job.webhookId).not.toBe(second?.job.webhookId);
    expect(first?.deduplicationId).toBe(first?.job.webhookId);
    expect(first?.job.url).toBe('https://hooks.example.com/sub_0000000000000001');
  });

  it("one customer's events share a lane of the subscription; lanes are the tenant's own", () => {
    const subscriptions = [subscription('sub_0000000000000001', 'all')];
    const lanes = EVENT_TYPES.map((type) => deliveriesFor(event(type), subscriptions)[0]?.groupId);
    expect(new Set(lanes).size).toBe(1);
    expect(lanes[0]).toMatch(/^demo#[0-9a-f]{16}#[0-3]$/);
    fc.assert(
      fc.property(fc.string(), fc.string(), (destination, key) => {
        const group = deliveryGroupId('demo', destination, key);
        expect(group.startsWith('demo#')).toBe(true);
        expect(group.length).toBeLessThanOrEqual(128);
        expect(Number(group.split('#')[2])).toBeLessThan(LANES_PER_DESTINATION);
      }),
    );
  });

  it('subscription ids', () => {
    const id = subscriptionIdFrom(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 255]));
    expect(id).toBe('sub_01020304050607ff');
    expect(isSubscriptionId(id)).toBe(true);
    expect(isSubscriptionId('sub_x')).toBe(false);
  });
});

describe('Standard Webhooks signing', () => {
  const NOW = new Date('2026-12-03T15:00:00.000Z');
  const verify = (secret: string, body: string, headers: Record<string, string>) => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    try {
      return new Webhook(secret).verify(body, headers);
    } finally {
      vi.useRealTimers();
    }
  };

  it('a whsec_ secret signs what the standardwebhooks library verifies; another secret is refused', () => {
    const secret = newSecret(new Uint8Array(32).fill(7));
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(receiverSecretOf(secret)).toBe(secret);
    const body = eventBody(lifecycleEvent('message.sent', AT, ['SM1'], { tenantId: 'demo' }));
    const headers = standardWebhookHeaders(secret, 'msg_1', NOW, body);
    expect(headers).toEqual({
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(NOW.getTime() / 1000),
      'webhook-signature': expect.stringMatching(/^v1,/),
    });
    expect(verify(secret, body, headers)).toEqual(JSON.parse(body));
    expect(() => verify(newSecret(new Uint8Array(32).fill(8)), body, headers)).toThrow(
      WebhookVerificationError,
    );
    expect(() => verify(secret, `${body} `, headers)).toThrow(WebhookVerificationError);
  });

  it('a key stored before Standard Webhooks keeps signing: receivers use whsec_ + its base64', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 32, maxLength: 80 }), fc.string(), (key, text) => {
        const body = JSON.stringify({ text });
        const headers = standardWebhookHeaders(key, 'msg_2', NOW, body);
        expect(verify(receiverSecretOf(key), body, headers)).toEqual({ text });
      }),
      { numRuns: 50 },
    );
    // Looks like a whsec_ secret but is not base64: a legacy key, used as it is.
    expect(keyBytesOf('whsec_integration_0123456789abcdef0123')).toEqual(
      new Uint8Array(Buffer.from('whsec_integration_0123456789abcdef0123')),
    );
    expect(signingKeyProblem('short')).toMatch(/24 bytes/);
    expect(signingKeyProblem(newSecret(new Uint8Array(24)))).toBeUndefined();
  });
});
