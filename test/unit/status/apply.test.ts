import { describe, expect, it } from 'vitest';
import type { OutboundStatus } from '../../../lambdas/domain/message-status';
import type { StatusQueueMessage } from '../../../lambdas/domain/queue-messages';
import type { MessageStore, StatusApplyResult } from '../../../lambdas/ports/message-store';
import { writeNow } from '../../../lambdas/shared/reported-batch';
import {
  applyStatusCallback,
  MessageNotYetKnownError,
  type StatusEvent,
  UNKNOWN_MESSAGE_RECEIVES,
} from '../../../lambdas/status/apply';

function callback(status: OutboundStatus, errorCode?: string): StatusQueueMessage {
  return {
    v: 1,
    tenantId: 'demo',
    receivedAt: '2026-11-22T12:00:02.500Z',
    callback: {
      messageSid: 'SM1',
      accountSid: `AC${'d'.repeat(32)}`,
      status,
      ...(errorCode ? { errorCode } : {}),
    },
  };
}

function storeAnswering(
  result: StatusApplyResult,
): MessageStore & { recordUnknown: boolean[]; deliveryIds: string[]; confirmed: string[] } {
  const recordUnknown: boolean[] = [];
  const deliveryIds: string[] = [];
  const confirmed: string[] = [];
  return {
    recordUnknown,
    deliveryIds,
    confirmed,
    completeSend: async () => {},
    confirmStatusReported: async (sid, status) => {
      confirmed.push(`${sid}:${status}`);
    },
    claimSend: async () => ({ outcome: 'claimed', parks: 0 }),
    parkSend: async () => {},
    releaseSend: async () => {},
    recordSent: async () => ({ reportOutcome: false }),
    openMessages: async () => [],
    closeOpen: async () => {},
    applyStatus: async (update) => {
      recordUnknown.push(update.recordUnknown);
      deliveryIds.push(update.deliveryId);
      return result;
    },
  };
}

async function apply(message: StatusQueueMessage, result: StatusApplyResult, receiveCount = 1) {
  const events: StatusEvent[] = [];
  await applyStatusCallback(
    message,
    { id: 'delivery-1', receiveCount },
    {
      messages: storeAnswering(result),
      onEvent: (e) => events.push(e),
      afterReport: writeNow,
    },
  );
  return events;
}

describe('status callbacks', () => {
  const advanced: StatusApplyResult = {
    outcome: 'advanced',
    createdAt: '2026-11-22T12:00:00.000Z',
    from: '+15005550006',
  };

  it('reports a delivery outcome with its latency when the status moves to delivered', async () => {
    expect(await apply(callback('delivered'), advanced)).toEqual([
      {
        type: 'outcome',
        tenantId: 'demo',
        sid: 'SM1',
        outcome: 'delivered',
        from: '+15005550006',
        latencyMs: 2500,
      },
    ]);
  });

  it("reports a campaign's message outcome with its campaign (its metrics' CampaignId set)", async () => {
    const campaignId = `cmp-${'a'.repeat(32)}`;
    expect(await apply(callback('undelivered', '30003'), { ...advanced, campaignId })).toEqual([
      {
        type: 'outcome',
        tenantId: 'demo',
        sid: 'SM1',
        outcome: 'undelivered',
        from: '+15005550006',
        errorCode: '30003',
        campaignId,
      },
    ]);
  });

  it('reports undelivered with its error code and no latency', async () => {
    expect(await apply(callback('undelivered', '30007'), advanced)).toEqual([
      {
        type: 'outcome',
        tenantId: 'demo',
        sid: 'SM1',
        outcome: 'undelivered',
        from: '+15005550006',
        errorCode: '30007',
      },
    ]);
  });

  it('counts nothing for intermediate statuses, duplicates or stale callbacks', async () => {
    expect(await apply(callback('sent'), advanced)).toEqual([]);
    expect(await apply(callback('delivered'), { outcome: 'duplicate' })).toEqual([
      { type: 'duplicate', tenantId: 'demo', sid: 'SM1' },
    ]);
    expect(await apply(callback('sent'), { outcome: 'stale' })).toEqual([
      { type: 'stale', tenantId: 'demo', sid: 'SM1' },
    ]);
  });

  it('retries an unknown MessageSid a few receives, then records and acknowledges it', async () => {
    await expect(apply(callback('delivered'), { outcome: 'unknown' }, 1)).rejects.toBeInstanceOf(
      MessageNotYetKnownError,
    );
    expect(await apply(callback('delivered'), { outcome: 'unknown' }, UNKNOWN_MESSAGE_RECEIVES)).toEqual([
      { type: 'unknown', tenantId: 'demo', sid: 'SM1' },
    ]);
  });

  it('confirms a reported outcome after reporting it, naming its delivery; nothing else is confirmed', async () => {
    const order: string[] = [];
    const store = storeAnswering(advanced);
    const confirm = store.confirmStatusReported;
    store.confirmStatusReported = async (sid, status) => {
      order.push('confirm');
      await confirm(sid, status);
    };
    await applyStatusCallback(
      callback('delivered'),
      { id: 'sqs-message-7', receiveCount: 2 },
      {
        messages: store,
        onEvent: () => order.push('report'),
        afterReport: writeNow,
      },
    );
    expect(store.deliveryIds).toEqual(['sqs-message-7']);
    expect(store.confirmed).toEqual(['SM1:delivered']);
    expect(order).toEqual(['report', 'confirm']);

    const quiet = storeAnswering(advanced);
    await applyStatusCallback(
      callback('sent'),
      { id: 'sqs-message-8', receiveCount: 1 },
      {
        messages: quiet,
        onEvent: () => undefined,
        afterReport: writeNow,
      },
    );
    expect(quiet.confirmed).toEqual([]);
  });

  it('leaves the confirmation to the batch when the batch publishes the reports', async () => {
    const store = storeAnswering({ outcome: 'advanced', createdAt: '2026-11-22T12:00:00.000Z', from: '+1' });
    const held: (() => Promise<void>)[] = [];
    await applyStatusCallback(
      callback('delivered'),
      { id: 'sqs-message-9', receiveCount: 1 },
      {
        messages: store,
        onEvent: () => undefined,
        afterReport: async (write) => {
          held.push(write);
        },
      },
    );
    expect(store.confirmed).toEqual([]);
    await held[0]?.();
    expect(store.confirmed).toEqual(['SM1:delivered']);
  });
});
