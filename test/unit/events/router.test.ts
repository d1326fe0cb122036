import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { CachedEventSubscriptions } from '../../../lambdas/adapters/cached-event-subscriptions';
import type { TableChange } from '../../../lambdas/domain/events/from-changes';
import type { EventDeliveryJob, EventSubscription } from '../../../lambdas/domain/events/subscription';
import { tableChangeOf } from '../../../lambdas/events/stream-record';
import { type RouterEvent, routeChange } from '../../../lambdas/events/route';
import type { MessageQueue, QueuedMessage } from '../../../lambdas/ports/message-queue';
import { lambdaStreamRecord, repairEmptyMaps } from '../../../local/runtime/dynamodb-stream-source';

const AT = '2026-12-03T14:39:41.570Z';
const optOut: TableChange = {
  kind: 'INSERT',
  pk: 'OPTOUT#demo#+15551110000',
  sk: 'OPTOUT',
  newImage: { optedOutAt: AT, source: 'keyword', customer: '+15551110000' },
  at: AT,
  byTtl: false,
};
const subscription = (id: string, types: EventSubscription['types']): EventSubscription => ({
  tenantId: 'demo',
  subscriptionId: id,
  url: `https://hooks.example.com/${id}`,
  types,
  createdAt: AT,
});

class RecordingQueue implements MessageQueue<EventDeliveryJob> {
  readonly sent: QueuedMessage<EventDeliveryJob>[] = [];
  async send(messages: readonly QueuedMessage<EventDeliveryJob>[]): Promise<void> {
    this.sent.push(...messages);
  }
}

describe('routeChange', () => {
  it('queues one FIFO delivery per matching subscription, with its group and deduplication id', async () => {
    const queue = new RecordingQueue();
    const events: RouterEvent[] = [];
    await routeChange(optOut, {
      subscriptions: {
        list: async () => [
          subscription('sub_0000000000000001', 'all'),
          subscription('sub_0000000000000002', ['message.*']),
        ],
      },
      deliveries: queue,
      onEvent: (event) => events.push(event),
    });
    expect(queue.sent).toHaveLength(1);
    const [sent] = queue.sent;
    expect(sent?.body).toMatchObject({ kind: 'event', subscriptionId: 'sub_0000000000000001' });
    expect(sent?.body.event.type).toBe('customer.opted_out');
    expect(sent?.groupId).toMatch(/^demo#[0-9a-f]{16}#[0-3]$/);
    expect(sent?.deduplicationId).toBe(sent?.body.webhookId);
    expect(events).toEqual([expect.objectContaining({ type: 'queued', deliveries: 1 })]);
  });

  it('queues nothing without a subscriber, and fails (for the stream to retry) when the lookup fails', async () => {
    const queue = new RecordingQueue();
    const events: RouterEvent[] = [];
    await routeChange(optOut, {
      subscriptions: { list: async () => [] },
      deliveries: queue,
      onEvent: (e) => events.push(e),
    });
    expect(queue.sent).toEqual([]);
    expect(events).toEqual([expect.objectContaining({ type: 'noSubscriber' })]);
    await expect(
      routeChange(optOut, {
        subscriptions: {
          list: async () => {
            throw new Error('throttled');
          },
        },
        deliveries: queue,
        onEvent: () => undefined,
      }),
    ).rejects.toThrow('throttled');
  });

  it('reads a tenant’s subscriptions once per TTL', async () => {
    let reads = 0;
    let now = 0;
    const cached = new CachedEventSubscriptions(
      {
        list: async () => {
          reads++;
          return [];
        },
      },
      10_000,
      () => now,
    );
    await cached.list('demo');
    await cached.list('demo');
    expect(reads).toBe(1);
    now = 10_000;
    await cached.list('demo');
    expect(reads).toBe(2);
  });
});

describe('stream records', () => {
  const record = (userIdentity?: DynamoDBRecord['userIdentity']): DynamoDBRecord => ({
    eventName: 'REMOVE',
    dynamodb: {
      ApproximateCreationDateTime: 1796308781,
      Keys: { pk: { S: 'OPTOUT#demo#+15551110000' }, sk: { S: 'OPTOUT' } },
      OldImage: { pk: { S: 'OPTOUT#demo#+15551110000' }, sk: { S: 'OPTOUT' }, optedOutAt: { S: AT } },
      SequenceNumber: '42',
    },
    ...(userIdentity ? { userIdentity } : {}),
  });

  it('are read as table changes; TTL deletions are marked', () => {
    expect(tableChangeOf(record())).toEqual({
      kind: 'REMOVE',
      pk: 'OPTOUT#demo#+15551110000',
      sk: 'OPTOUT',
      oldImage: { pk: 'OPTOUT#demo#+15551110000', sk: 'OPTOUT', optedOutAt: AT },
      at: '2026-12-03T14:39:41.000Z',
      byTtl: false,
    });
    expect(tableChangeOf(record({ type: 'Service', principalId: 'dynamodb.amazonaws.com' }))?.byTtl).toBe(
      true,
    );
  });

  it("DynamoDB Local's empty maps are repaired before the function sees them", () => {
    expect(
      repairEmptyMaps({
        slots: {
          M: { variables: {}, attempts: {}, nested: { L: [{}, { S: 'x' }] }, status: { S: 'collecting' } },
        },
      }),
    ).toEqual({
      slots: {
        M: {
          variables: { M: {} },
          attempts: { M: {} },
          nested: { L: [{ M: {} }, { S: 'x' }] },
          status: { S: 'collecting' },
        },
      },
    });
    const lambda = lambdaStreamRecord(
      {
        eventID: '1',
        eventName: 'INSERT',
        dynamodb: {
          ApproximateCreationDateTime: new Date('2026-12-03T14:39:33.000Z'),
          Keys: { pk: { S: 'a' }, sk: { S: 'b' } },
          NewImage: { pk: { S: 'a' }, sk: { S: 'b' }, m: {} as never },
          SequenceNumber: '7',
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
      'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x',
      'us-east-1',
    );
    expect(lambda.dynamodb?.ApproximateCreationDateTime).toBe(Date.parse('2026-12-03T14:39:33.000Z') / 1000);
    expect(lambda.dynamodb?.NewImage?.m).toEqual({ M: {} });
    expect(lambda.eventSource).toBe('aws:dynamodb');
  });
});
