import type { CampaignCounter } from './campaign';

/** The counters a campaign's conversation adds, each at most once per conversation. */
export const CONVERSATION_COUNTERS = [
  'replied',
  'completed',
  'optedOut',
] as const satisfies readonly CampaignCounter[];
export type ConversationCounter = (typeof CONVERSATION_COUNTERS)[number];

export function isConversationCounter(value: unknown): value is ConversationCounter {
  return (CONVERSATION_COUNTERS as readonly unknown[]).includes(value);
}

/** What one inbound message did to a campaign's conversation. */
export interface ConversationHappening {
  /** The customer answered: a message the conversation's workflow took as a turn. */
  readonly replied?: boolean;
  /** The turn completed the workflow. */
  readonly completed?: boolean;
  /** The customer sent STOP. */
  readonly optedOut?: boolean;
}

export interface ConversationCounting {
  /** The counters this message adds to the campaign (none it added before). */
  readonly add: readonly ConversationCounter[];
  /** Every counter the conversation has added, this message's included: kept on its state. */
  readonly counted: readonly ConversationCounter[];
}

/**
 * Which counters a campaign's conversation adds for one message. `counted` is what the conversation
 * added before, kept on its state and written in the same transaction as the counters, so a second
 * answer, a second completion (a finished workflow asked again) or a second STOP adds nothing.
 */
export function conversationCampaignCounters(
  counted: readonly ConversationCounter[] | undefined,
  happened: ConversationHappening,
): ConversationCounting {
  const before = new Set(counted ?? []);
  const add = CONVERSATION_COUNTERS.filter((counter) => happened[counter] === true && !before.has(counter));
  return {
    add,
    counted: CONVERSATION_COUNTERS.filter((counter) => before.has(counter) || add.includes(counter)),
  };
}
