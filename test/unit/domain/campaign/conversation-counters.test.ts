import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONVERSATION_COUNTERS,
  conversationCampaignCounters,
  type ConversationCounter,
  type ConversationHappening,
  isConversationCounter,
} from '../../../../lambdas/domain/campaign/conversation-counters';

const happening = fc.record(
  { replied: fc.boolean(), completed: fc.boolean(), optedOut: fc.boolean() },
  { requiredKeys: [] },
);

describe('conversationCampaignCounters', () => {
  it("counts a campaign conversation's first answer, its completion and a STOP", () => {
    expect(conversationCampaignCounters(undefined, { replied: true })).toEqual({
      add: ['replied'],
      counted: ['replied'],
    });
    expect(conversationCampaignCounters(['replied'], { replied: true, completed: true })).toEqual({
      add: ['completed'],
      counted: ['replied', 'completed'],
    });
    expect(conversationCampaignCounters(['replied', 'completed'], { optedOut: true })).toEqual({
      add: ['optedOut'],
      counted: ['replied', 'completed', 'optedOut'],
    });
    expect(conversationCampaignCounters(['optedOut'], { replied: true, optedOut: true }).add).toEqual([
      'replied',
    ]);
    expect(conversationCampaignCounters([], {})).toEqual({ add: [], counted: [] });
  });

  it('adds each counter at most once over any sequence of messages, and every one that happened', () => {
    fc.assert(
      fc.property(fc.array(happening, { maxLength: 20 }), (messages: ConversationHappening[]) => {
        let counted: readonly ConversationCounter[] | undefined;
        const added: ConversationCounter[] = [];
        for (const message of messages) {
          const counting = conversationCampaignCounters(counted, message);
          added.push(...counting.add);
          counted = counting.counted;
        }
        for (const counter of CONVERSATION_COUNTERS) {
          const happened = messages.some((message) => message[counter] === true);
          expect(added.filter((name) => name === counter).length).toBe(happened ? 1 : 0);
        }
        expect([...(counted ?? [])].sort()).toEqual([...added].sort());
      }),
    );
  });

  it('reads only its own counters from a stored list', () => {
    expect(['replied', 'completed', 'optedOut'].every(isConversationCounter)).toBe(true);
    expect(['sent', 'delivered', '', 3, undefined].some(isConversationCounter)).toBe(false);
  });
});
