import type { EventType } from './catalog';
import { type LifecycleEvent, lifecycleEvent } from './envelope';

/**
 * One change of one table item, as the table's stream reports it (NEW_AND_OLD_IMAGES), already
 * unmarshalled. `byTtl`: DynamoDB's TTL removed the item (not a user's delete).
 */
export interface TableChange {
  readonly kind: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly pk: string;
  readonly sk: string;
  readonly oldImage?: Readonly<Record<string, unknown>>;
  readonly newImage?: Readonly<Record<string, unknown>>;
  /** When the change was made (the stream's ApproximateCreationDateTime), ISO 8601. */
  readonly at: string;
  readonly byTtl: boolean;
}

type Item = Readonly<Record<string, unknown>>;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** `PREFIX#<tenant>#<rest>`: tenant ids never contain `#` (lambdas/domain/tenant.ts). */
function partitionParts(pk: string, prefix: string): { tenantId: string; rest: string } | undefined {
  if (!pk.startsWith(prefix)) return undefined;
  const tail = pk.slice(prefix.length);
  const hash = tail.indexOf('#');
  if (hash <= 0) return undefined;
  return { tenantId: tail.slice(0, hash), rest: tail.slice(hash + 1) };
}

function defined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

/**
 * The lifecycle events one table change means, derived from the items the platform writes anyway
 * (docs/architecture.md "Data model"), so every writer's exactly-once point (a conditional write,
 * a transaction) is also the event's: a change happens once, and a change seen twice gives the
 * same event ids. Pure: no AWS types, no clock.
 */
export function lifecycleEventsOf(change: TableChange): LifecycleEvent[] {
  if (change.byTtl) return [];
  if (change.pk.startsWith('CONV#')) {
    if (change.sk.startsWith('STATE#')) return conversationEvents(change);
    if (change.sk.startsWith('MSG#')) return transcriptEvents(change);
    return [];
  }
  if (change.pk.startsWith('MESSAGE#') && change.sk === 'META') return messageEvents(change);
  if (change.pk.startsWith('OPTOUT#') && change.sk === 'OPTOUT') return optOutEvents(change);
  if (change.pk.startsWith('CAMPAIGN#') && change.sk === 'META') return campaignEvents(change);
  return [];
}

const CONVERSATION_STATUS_EVENTS: Readonly<Record<string, EventType>> = {
  completed: 'conversation.completed',
  fallback: 'conversation.fallback',
  'handed-off': 'conversation.handed_off',
  expired: 'conversation.expired',
};

function slotsOf(item: Item | undefined): { status?: string; routeId?: string; variables?: unknown } {
  const slots = item?.slots;
  return slots !== null && typeof slots === 'object' ? (slots as Record<string, unknown>) : {};
}

function conversationEvents(change: TableChange): LifecycleEvent[] {
  const parts = partitionParts(change.pk, 'CONV#');
  const next = change.newImage;
  if (!parts || !next) return [];
  const { tenantId, rest: customer } = parts;
  const previous = change.oldImage;
  const conversationId = text(next.conversationId);
  if (!conversationId) return [];
  const businessNumber = text(next.businessNumber) ?? change.sk.slice('STATE#'.length);
  const base = (id: string, item: Item) =>
    defined({
      tenantId,
      conversationId: id,
      customer,
      businessNumber,
      workflowId: text(item.workflowId),
      campaignId: text(item.campaignId),
    });
  const events: LifecycleEvent[] = [];
  const previousId = text(previous?.conversationId);
  const isNew = previousId !== conversationId;

  if (previous && previousId && isNew) {
    // Another conversation replaced this one: the old one ended by silence if it was still open
    // when its expiry passed (a completed or handed-off one had ended already).
    const expiresAt = text(previous.conversationExpiresAt);
    const oldStatus = slotsOf(previous).status;
    const startedAt = text(next.startedAt) ?? change.at;
    if (expiresAt && expiresAt <= startedAt && oldStatus !== 'completed' && oldStatus !== 'expired') {
      events.push(
        lifecycleEvent('conversation.expired', expiresAt, [previousId], {
          ...base(previousId, previous),
          status: 'expired',
          lastStatus: oldStatus,
        }),
      );
    }
  }
  if (isNew) {
    events.push(
      lifecycleEvent('conversation.started', text(next.startedAt) ?? change.at, [conversationId], {
        ...base(conversationId, next),
        startedAt: text(next.startedAt),
        routeId: slotsOf(next).routeId,
      }),
    );
  }
  const status = slotsOf(next).status;
  const previousStatus = isNew ? undefined : slotsOf(previous).status;
  const type = status === undefined ? undefined : CONVERSATION_STATUS_EVENTS[status];
  if (type && status !== previousStatus) {
    const slots = slotsOf(next);
    events.push(
      lifecycleEvent(type, text(next.lastActivityAt) ?? change.at, [conversationId, String(next.version)], {
        ...base(conversationId, next),
        status,
        routeId: slots.routeId,
        ...(type === 'conversation.completed' ? { variables: slots.variables ?? {} } : {}),
      }),
    );
  }
  return events;
}

function transcriptEvents(change: TableChange): LifecycleEvent[] {
  const parts = partitionParts(change.pk, 'CONV#');
  const next = change.newImage;
  if (!parts || !next) return [];
  const { tenantId, rest: customer } = parts;
  if (next.direction === 'inbound' && change.kind === 'INSERT') {
    const messageSid = text(next.messageSid);
    if (!messageSid) return [];
    // START from an opted-out customer: the turn's own record of it, once per message. (The opt-out
    // item's deletion is not used: erasing a customer deletes it too, without opting anybody in.)
    const optedIn =
      next.note === 'optIn'
        ? [
            lifecycleEvent('customer.opted_in', text(next.at) ?? change.at, [customer, messageSid], {
              tenantId,
              customer,
              messageSid,
            }),
          ]
        : [];
    return [
      lifecycleEvent('message.received', text(next.at) ?? change.at, [messageSid], {
        ...defined({
          tenantId,
          messageSid,
          conversationId: text(next.conversationId),
          customer,
          businessNumber: text(next.to),
          body: text(next.body),
          mediaUrls: Array.isArray(next.mediaUrls) ? next.mediaUrls : [],
          note: text(next.note),
        }),
      }),
      ...optedIn,
    ];
  }
  // A send that never became a message (Twilio refused it, the customer opted out, a campaign was
  // cancelled): the reply's transcript entry is completed `failed` once.
  if (
    next.direction === 'outbound' &&
    next.sendState === 'failed' &&
    change.oldImage?.sendState !== 'failed'
  ) {
    const sendId = text(next.sendId);
    if (!sendId) return [];
    return [
      lifecycleEvent('message.failed', text(next.failedAt) ?? change.at, ['send', sendId], {
        ...defined({
          tenantId,
          sendId,
          conversationId: text(next.conversationId),
          customer,
          businessNumber: text(next.from),
          stage: 'send',
          errorCode:
            typeof next.errorCode === 'number' || typeof next.errorCode === 'string'
              ? next.errorCode
              : undefined,
          reason: text(next.reason),
          campaignId: text(next.campaignId),
        }),
      }),
    ];
  }
  return [];
}

const MESSAGE_STATUS_EVENTS: Readonly<Record<string, EventType>> = {
  delivered: 'message.delivered',
  undelivered: 'message.undelivered',
  failed: 'message.failed',
};

function messageEvents(change: TableChange): LifecycleEvent[] {
  const next = change.newImage;
  const tenantId = text(next?.tenantId);
  const sid = change.pk.slice('MESSAGE#'.length);
  if (!next || !tenantId) return [];
  const base = defined({
    tenantId,
    messageSid: sid,
    sendId: text(next.sendId),
    customer: text(next.to),
    businessNumber: text(next.from),
    campaignId: text(next.campaignId),
  });
  const events: LifecycleEvent[] = [];
  if (change.kind === 'INSERT') {
    events.push(
      lifecycleEvent('message.sent', text(next.createdAt) ?? change.at, [sid], {
        ...base,
        ...defined({ numSegments: typeof next.numSegments === 'number' ? next.numSegments : undefined }),
      }),
    );
  }
  const status = text(next.status);
  const type = status === undefined ? undefined : MESSAGE_STATUS_EVENTS[status];
  if (type && status !== text(change.oldImage?.status)) {
    const history = next.events as Record<string, { at?: unknown }> | undefined;
    const at = text(history?.[status ?? '']?.at) ?? text(next.updatedAt) ?? change.at;
    events.push(
      lifecycleEvent(type, at, [sid], {
        ...base,
        ...defined({
          status,
          stage: type === 'message.failed' ? 'carrier' : undefined,
          errorCode:
            typeof next.errorCode === 'number' || typeof next.errorCode === 'string'
              ? next.errorCode
              : undefined,
        }),
      }),
    );
  }
  return events;
}

function optOutEvents(change: TableChange): LifecycleEvent[] {
  const parts = partitionParts(change.pk, 'OPTOUT#');
  if (!parts || change.kind !== 'INSERT' || !change.newImage) return [];
  const { tenantId, rest: customer } = parts;
  // An erased customer's suppression (`sha256:<hash>`) is not a new opt-out, and names nobody.
  if (!customer.startsWith('+')) return [];
  const optedOutAt = text(change.newImage.optedOutAt) ?? change.at;
  return [
    lifecycleEvent('customer.opted_out', optedOutAt, [customer, optedOutAt], {
      ...defined({ tenantId, customer, source: text(change.newImage.source), optedOutAt }),
    }),
  ];
}

function campaignEvents(change: TableChange): LifecycleEvent[] {
  const parts = partitionParts(change.pk, 'CAMPAIGN#');
  const next = change.newImage;
  if (!parts || !next) return [];
  const { tenantId, rest: campaignId } = parts;
  const state = text(next.state);
  const previous = change.kind === 'INSERT' ? undefined : text(change.oldImage?.state);
  if (!state || state === previous) return [];
  const type = campaignEventType(previous, state, change.kind === 'INSERT');
  if (!type) return [];
  const at = text(next.updatedAt) ?? text(next.createdAt) ?? change.at;
  return [
    lifecycleEvent(type, at, [campaignId, previous ?? '', state], {
      ...defined({ tenantId, campaignId, name: text(next.name), state, previousState: previous }),
    }),
  ];
}

function campaignEventType(
  previous: string | undefined,
  state: string,
  created: boolean,
): EventType | undefined {
  if (created) return 'campaign.created';
  switch (state) {
    case 'running':
      return previous === 'paused' ? 'campaign.resumed' : 'campaign.started';
    case 'paused':
      return 'campaign.paused';
    case 'cancelled':
      return 'campaign.cancelled';
    case 'completed':
      return 'campaign.completed';
    default:
      return undefined;
  }
}
