import { describe, expect, it } from 'vitest';
import type { OutboundStatus } from '../../../lambdas/domain/message-status';
import type { StatusQueueMessage } from '../../../lambdas/domain/queue-messages';
import type { MessageStore, StatusApplyResult } from '../../../lambdas/ports/message-store';
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

function storeAnswering(result: StatusApplyResult): MessageStore & { recordUnknown: boolean[] } {
  const recordUnknown: boolean[] = [];
  return {
    recordUnknown,
    claimSend: async () => ({ outcome: 'claimed' }),
    releaseSend: async () => {},
    recordSent: async () => {},
    recordFailed: async () => {},
    openMessages: async () => [],
    closeOpen: async () => {},
    applyStatus: async (update) => {
      recordUnknown.push(update.recordUnknown);
      return result;
    },
  };
}

async function apply(message: StatusQueueMessage, result: StatusApplyResult, receiveCount = 1) {
  const events: StatusEvent[] = [];
  await applyStatusCallback(message, receiveCount, {
    messages: storeAnswering(result),
    onEvent: (e) => events.push(e),
  });
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
      { type: 'outcome', tenantId: 'demo', outcome: 'delivered', from: '+15005550006', latencyMs: 2500 },
    ]);
  });

  it('reports undelivered with its error code and no latency', async () => {
    expect(await apply(callback('undelivered', '30007'), advanced)).toEqual([
      { type: 'outcome', tenantId: 'demo', outcome: 'undelivered', from: '+15005550006', errorCode: '30007' },
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
});
