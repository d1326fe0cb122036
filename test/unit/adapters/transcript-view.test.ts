import { describe, expect, it } from 'vitest';
import {
  replyStatus,
  sentReplySids,
  transcriptView,
} from '../../../lambdas/adapters/dynamodb/transcript-view';

const PK = 'CONV#demo#+15551230000';
const inbound = {
  pk: PK,
  sk: 'MSG#2026-12-02T10:00:00.000Z#SM1',
  direction: 'inbound',
  conversationId: 'SM1',
  from: '+15551230000',
  to: '+15005550006',
  body: 'Where is my order?',
  at: '2026-12-02T10:00:00.000Z',
  replies: [
    { sendId: 'SM1-0', transcriptKey: '2026-12-02T10:00:00.000Z#SM1-0', body: 'Sure!' },
    { sendId: 'SM1-1', transcriptKey: '2026-12-02T10:00:00.000Z#SM1-1', body: 'Your order number?' },
  ],
};

describe('transcriptView', () => {
  it('shows a turn’s unclaimed replies as pending, after their message and in order', () => {
    const view = transcriptView([inbound], new Map());
    expect(view.map((entry) => [entry.sk, entry.direction, entry.status, entry.body])).toEqual([
      [inbound.sk, 'inbound', undefined, 'Where is my order?'],
      ['MSG#2026-12-02T10:00:00.000Z#SM1-0', 'outbound', 'pending', 'Sure!'],
      ['MSG#2026-12-02T10:00:00.000Z#SM1-1', 'outbound', 'pending', 'Your order number?'],
    ]);
    expect(view[1]).toMatchObject({ from: '+15005550006', to: '+15551230000', sendId: 'SM1-0' });
  });

  it('takes a claimed reply’s status from its message, or from its send before Twilio had it', () => {
    const sent = {
      pk: PK,
      sk: 'MSG#2026-12-02T10:00:00.000Z#SM1-0',
      direction: 'outbound',
      sid: 'SMa',
      sendState: 'sent',
    };
    const refused = {
      pk: PK,
      sk: 'MSG#2026-12-02T10:00:00.000Z#SM1-1',
      direction: 'outbound',
      sendState: 'failed',
      errorCode: 21610,
    };
    const view = transcriptView([refused, sent, inbound], new Map([['SMa', { status: 'delivered' }]]));
    expect(view.map((entry) => [entry.sk, entry.status, entry.errorCode])).toEqual([
      [inbound.sk, undefined, undefined],
      [sent.sk, 'delivered', undefined],
      [refused.sk, 'failed', 21610],
    ]);
    expect(sentReplySids([refused, sent, inbound])).toEqual(['SMa']);
  });

  it('calls a reply being sent pending and a recorded message by its latest status', () => {
    expect(replyStatus({ sendState: 'sending' }, undefined)).toBe('pending');
    expect(replyStatus({ sendState: 'released' }, undefined)).toBe('pending');
    expect(replyStatus({ sendState: 'sent', sid: 'SMa' }, { status: 'queued' })).toBe('queued');
  });
});
