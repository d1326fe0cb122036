import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ConversationRecord, ConversationScope } from '../../ports/conversation-store';
import type { ReminderCommit, ReminderStore } from '../../ports/reminder-store';
import type { TenantRetention } from '../../ports/tenant-profiles';
import { DynamoConversationStore } from './conversation-store';
import { keys } from './keys';

/**
 * Reminders on the conversation table: a reminder is committed exactly as a person's reply to a
 * hand-off is (commitHandoff: the reply's entry conditional on not existing, the state on its
 * version), without touching the hand-off listing.
 */
export class DynamoReminderStore implements ReminderStore {
  private readonly conversations: DynamoConversationStore;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    retention?: TenantRetention,
  ) {
    this.conversations = new DynamoConversationStore(client, tableName, retention);
  }

  load(scope: ConversationScope): Promise<ConversationRecord | undefined> {
    return this.conversations.load(scope);
  }

  commitReminder(commit: ReminderCommit): Promise<'committed' | 'conflict' | 'duplicate'> {
    return this.conversations.commitHandoff({ ...commit, removeListing: false });
  }

  /**
   * One query of the customer's transcript after `after`: what follows a silence is a handful of
   * entries (the bot's replies, reminders), so one page answers.
   */
  async inboundAfter(scope: ConversationScope, after: string): Promise<boolean> {
    const partition = keys.customerPartition(scope.tenantId, scope.customer);
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          // Later keys of the partition: transcript entries, and the few state items (no direction).
          KeyConditionExpression: 'pk = :pk AND sk > :after',
          FilterExpression: '#direction = :inbound AND #to = :business',
          ExpressionAttributeNames: { '#direction': 'direction', '#to': 'to' },
          ExpressionAttributeValues: {
            ':pk': partition,
            ':after': `${keys.transcriptPrefix}${after}`,
            ':inbound': 'inbound',
            ':business': scope.businessNumber,
          },
          ProjectionExpression: 'pk',
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      if ((page.Items ?? []).length > 0) return true;
      start = page.LastEvaluatedKey;
    } while (start);
    return false;
  }
}
