import type { ConversationRecord, ConversationScope, NonInboundCommit } from './conversation-store';

/**
 * What a reminder writes (the first transcript entry conditional on not existing, the conversation
 * with its reminder marker conditional on the version read). The conversation's expiry and last
 * activity are left as they were: a reminder does not keep a conversation alive.
 */
export type ReminderCommit = NonInboundCommit;

/** The part of the conversation store the reminders function uses. */
export interface ReminderStore {
  load(scope: ConversationScope): Promise<ConversationRecord | undefined>;
  /** `duplicate`: the first entry exists (an earlier attempt committed); `conflict`: the state changed. */
  commitReminder(commit: ReminderCommit): Promise<'committed' | 'conflict' | 'duplicate'>;
  /**
   * Did the customer text this business number after the transcript key `after` (exclusive)? Any
   * message counts, also one that left the state as it was (HELP, a message to a person).
   */
  inboundAfter(scope: ConversationScope, after: string): Promise<boolean>;
}
