import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type PacingDecision, planSend } from '../../domain/send-pacing';
import type { PaceRequest, SendPacer } from '../../ports/send-pacer';
import { isConditionFailure } from './errors';
import { keys } from './keys';

/**
 * Every lost round means another sender booked a slot, so a reservation settles within as many
 * rounds as there are concurrent senders (the sender's maximum concurrency, 20), plus headroom.
 */
const MAX_RACE_ROUNDS = 32;
/** A number's pacing item outlives its last reservation by a day, then TTL removes it. */
const PACING_ITEM_TTL_SECONDS = 24 * 60 * 60;

/**
 * GCRA state in one item per sender number. The common case (the number is idle) is one
 * conditional write; a busy number costs a second write, whose condition is the value read
 * from the first one's failure (ReturnValuesOnConditionCheckFailure), so no read is ever needed.
 */
export class DynamoSendPacer implements SendPacer {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async reserve(request: PaceRequest): Promise<PacingDecision> {
    let known: { tat: number } | undefined;
    for (let round = 0; round < MAX_RACE_ROUNDS; round++) {
      const nowMs = this.nowMs();
      // Assume idle first: the slot is now, provided nobody holds a later one.
      const decision = planSend({ ...request, nowMs, theoreticalArrivalMs: known?.tat });
      if (decision.kind === 'defer') return decision;
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.sendPacing(request.from),
            UpdateExpression: 'SET tat = :next, expiresAt = :expires',
            ConditionExpression: known ? 'tat = :known' : 'attribute_not_exists(tat) OR tat <= :now',
            ExpressionAttributeValues: {
              ':next': decision.nextTheoreticalArrivalMs,
              ':expires': Math.ceil(decision.nextTheoreticalArrivalMs / 1000) + PACING_ITEM_TTL_SECONDS,
              ...(known ? { ':known': known.tat } : { ':now': nowMs }),
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return decision;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        known = { tat: tatOf(error.Item) ?? nowMs };
      }
    }
    throw new Error(`send pacing did not settle after ${MAX_RACE_ROUNDS} rounds`);
  }
}

function tatOf(item: Record<string, AttributeValue> | undefined): number | undefined {
  if (!item) return undefined;
  // The document client does not unmarshall the item returned with a failed condition.
  const tat = unmarshall(item).tat as unknown;
  return typeof tat === 'number' ? tat : undefined;
}
