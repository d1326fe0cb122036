import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LanguagePreferences } from '../../ports/language-preferences';
import { keys, RETENTION_DAYS, ttlSeconds } from './keys';

/**
 * A customer's language, one small item in the customer's partition (`CONV#<tenant>#<customer>`,
 * sort key `LANG`): a customer erase (which removes the partition) and a tenant delete remove it
 * with the rest of the customer's history, and it expires with the tenant's retention.
 */
export class DynamoLanguagePreferences implements LanguagePreferences {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(tenantId: string, customer: string): Promise<string | undefined> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.languagePreference(tenantId, customer),
        ProjectionExpression: '#language',
        ExpressionAttributeNames: { '#language': 'language' },
      }),
    );
    const language = result.Item?.language;
    return typeof language === 'string' ? language : undefined;
  }

  async set(
    tenantId: string,
    customer: string,
    preference: { language: string; at: string; retentionDays?: number },
  ): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.languagePreference(tenantId, customer),
          tenantId,
          language: preference.language,
          updatedAt: preference.at,
          expiresAt: ttlSeconds(preference.at, preference.retentionDays ?? RETENTION_DAYS),
        },
      }),
    );
  }
}
