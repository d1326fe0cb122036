import type { ConversationStatus } from './engine';

/**
 * A conversation a business start (or a campaign) must not talk over: the bot is collecting, or a
 * person has it (handed off). Apart from the engine, so a start does not load it to ask.
 */
export function isOngoing(status: ConversationStatus): boolean {
  return status === 'collecting' || status === 'handed-off';
}
