import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { WebhookClaim, WebhookDeliveries, WebhookKey } from '../../ports/webhook-deliveries';
import { isConditionFailure } from './errors';
import { keys, RETENTION_DAYS, ttlSeconds } from './keys';

/**
 * Delivery records `WEBHOOK#<tenant>#<webhookId>` / `DELIVERY`: `state` is `inFlight` while an
 * attempt holds the lease (`leaseUntil`, epoch ms), then `delivered`, `retrying` or `rejected`.
 * Only `delivered` is final: a rejected webhook redriven from the DLQ may be tried again.
 */
export class DynamoWebhookDeliveries implements WebhookDeliveries {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(key: WebhookKey, at: Date, leaseSeconds: number): Promise<WebhookClaim> {
    const nowMs = at.getTime();
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.webhookDelivery(key.tenantId, key.webhookId),
          UpdateExpression:
            'SET #state = :inFlight, leaseUntil = :leaseUntil, attempts = if_not_exists(attempts, :zero) + :one, ' +
            'firstAttemptAt = if_not_exists(firstAttemptAt, :at), lastAttemptAt = :at, expiresAt = :ttl',
          // Free when new, or not delivered and nobody's lease is running.
          ConditionExpression:
            'attribute_not_exists(pk) OR (#state <> :delivered AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now))',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':inFlight': 'inFlight',
            ':delivered': 'delivered',
            ':leaseUntil': nowMs + leaseSeconds * 1000,
            ':now': nowMs,
            ':zero': 0,
            ':one': 1,
            ':at': at.toISOString(),
            // Outlives the queue's retention plus the DLQ's, so a late redrive still finds it.
            ':ttl': ttlSeconds(at.toISOString(), RETENTION_DAYS),
          },
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { outcome: 'claimed', attempt: Number(result.Attributes?.attempts ?? 1) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The document client does not unmarshall the item of a failed condition.
      const raw = (error as { Item?: Record<string, AttributeValue> }).Item;
      const old = raw ? unmarshall(raw) : {};
      if (old.state === 'delivered') return { outcome: 'delivered' };
      const leaseUntil = Number(old.leaseUntil ?? nowMs);
      return { outcome: 'leased', retryInSeconds: Math.max(1, Math.ceil((leaseUntil - nowMs) / 1000)) };
    }
  }

  async recordDelivered(key: WebhookKey, at: Date, httpStatus: number): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.webhookDelivery(key.tenantId, key.webhookId),
        UpdateExpression:
          'SET #state = :delivered, deliveredAt = :at, httpStatus = :status REMOVE leaseUntil',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':delivered': 'delivered',
          ':at': at.toISOString(),
          ':status': httpStatus,
        },
      }),
    );
  }

  async recordFailedAttempt(key: WebhookKey, at: Date, reason: string, final: boolean): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.webhookDelivery(key.tenantId, key.webhookId),
          UpdateExpression: 'SET #state = :state, lastError = :reason, lastErrorAt = :at REMOVE leaseUntil',
          // A racing duplicate may have delivered meanwhile: never downgrade that.
          ConditionExpression: 'attribute_exists(pk) AND #state <> :delivered',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':state': final ? 'rejected' : 'retrying',
            ':reason': reason,
            ':at': at.toISOString(),
            ':delivered': 'delivered',
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
