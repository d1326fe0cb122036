import { describe, expect, it } from 'vitest';
import { transcriptView } from '../../../lambdas/adapters/dynamodb/transcript-view';

const PK = 'CONV#demo#+15551230000';
const A = 'https://example.com/a.jpg';
const B = 'https://example.com/b.jpg';
const inbound = {
  pk: PK,
  sk: 'MSG#2026-12-02T10:00:00.000Z#SM1',
  direction: 'inbound',
  conversationId: 'SM1',
  from: '+15551230000',
  to: '+15005550006',
  body: 'Which sizes?',
  mediaUrls: [],
  at: '2026-12-02T10:00:00.000Z',
  replies: [
    { sendId: 'SM1-0', transcriptKey: '2026-12-02T10:00:00.000Z#SM1-0', body: 'Here', mediaUrls: [A, B] },
    { sendId: 'SM1-1', transcriptKey: '2026-12-02T10:00:00.000Z#SM1-1', body: 'More?' },
  ],
};

describe('transcriptView: pictures of a turn’s replies', () => {
  it('shows them on a pending reply', () => {
    const view = transcriptView([inbound], new Map());
    expect(view.map((entry) => entry.mediaUrls)).toEqual([[], [A, B], undefined]);
  });

  it('gives them to the entry the sender’s claim wrote, which has none of its own', () => {
    const claimed = {
      pk: PK,
      sk: 'MSG#2026-12-02T10:00:00.000Z#SM1-0',
      direction: 'outbound',
      body: 'Here',
      sid: 'SMa',
      sendState: 'sent',
    };
    const other = { ...claimed, sk: 'MSG#2026-12-02T10:00:00.000Z#SM1-1', body: 'More?', sid: 'SMb' };
    const view = transcriptView([inbound, claimed, other], new Map([['SMa', { status: 'delivered' }]]));
    expect(view.map((entry) => [entry.body, entry.status, entry.mediaUrls])).toEqual([
      ['Which sizes?', undefined, []],
      ['Here', 'delivered', [A, B]],
      ['More?', 'pending', undefined],
    ]);
  });

  it('keeps the pictures an entry recorded itself (an API start writes them with its reply)', () => {
    const own = {
      pk: PK,
      sk: 'MSG#2026-12-02T11:00:00.000Z#op-1-0',
      direction: 'outbound',
      body: '',
      mediaUrls: [B],
    };
    expect(transcriptView([own], new Map())[0]?.mediaUrls).toEqual([B]);
  });
});
