import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type BookedSlot, bookSlot } from '../../domain/send-pacing';
import type { PaceRequest, SendPacer } from '../../ports/send-pacer';
import { isConditionFailure } from './errors';
import { keys } from './keys';

/**
 * An idle number costs one conditional write; a busy one a second, atomic one; a round is lost only
 * when the number turns idle or busy between the two, so a reservation settles in a round or two
 * however many senders share the number (the sender runs up to 20 invocations of 10 records).
 */
const MAX_RACE_ROUNDS = 8;
/**
 * A number's pacing item outlives its last reservation by a week, then TTL removes it: longer than
 * any slot can be booked ahead (a parked send is on a queue that keeps it four days).
 */
const PACING_ITEM_TTL_SECONDS = 7 * 24 * 60 * 60;

/**
 * GCRA state in one item per sender number. The idle case (the slot is now) is one conditional
 * write. When the number is busy (its next slot is ahead, as ReturnValuesOnConditionCheckFailure
 * shows), the slot is taken and the number's schedule moved on in one atomic increment,
 * `tat = tat + interval` on the condition that the slot is still ahead: concurrent senders each get
 * their own slot with no read and no compare-and-swap race.
 */
export class DynamoSendPacer implements SendPacer {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async reserve(request: PaceRequest): Promise<BookedSlot> {
    for (let round = 0; round < MAX_RACE_ROUNDS; round++) {
      const nowMs = this.nowMs();
      const expires = Math.ceil(nowMs / 1000) + PACING_ITEM_TTL_SECONDS;
      const idle = bookSlot({ ...request, nowMs, theoreticalArrivalMs: undefined });
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.sendPacing(request.from),
            UpdateExpression: 'SET tat = :next, expiresAt = :expires',
            ConditionExpression: 'attribute_not_exists(tat) OR tat <= :now',
            ExpressionAttributeValues: {
              ':next': idle.nextTheoreticalArrivalMs,
              ':now': nowMs,
              ':expires': expires,
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return idle;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      // Busy: the slot the schedule holds next is this send's.
      const intervalMs = idle.nextTheoreticalArrivalMs - idle.sendAtMs;
      try {
        const moved = await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.sendPacing(request.from),
            UpdateExpression: 'SET tat = tat + :interval, expiresAt = :expires',
            ConditionExpression: 'tat > :now',
            ExpressionAttributeValues: { ':interval': intervalMs, ':now': nowMs, ':expires': expires },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        const next = moved.Attributes?.tat;
        if (typeof next !== 'number') throw new Error('send pacing: the update returned no slot');
        return { sendAtMs: next - intervalMs, nextTheoreticalArrivalMs: next };
      } catch (error) {
        // The number went idle in between: its slot is now, next round.
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new Error(`send pacing did not settle after ${MAX_RACE_ROUNDS} rounds`);
  }
}
