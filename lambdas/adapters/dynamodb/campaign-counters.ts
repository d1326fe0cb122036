import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CampaignCounter } from '../../domain/campaign/campaign';
import { cancellationReasons } from './errors';
import { keys } from './keys';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * One to each of `counters` on a campaign's `META` item, as an item of the transaction that marks
 * them counted where they happened (a message, a send, a conversation): the mark and the addition
 * are one write, so a counter is added once whatever crashes and redeliveries come. Conditional on
 * the campaign existing: an `ADD` would otherwise create a stray `META` of counters alone.
 */
export function campaignCountersUpdate(
  tableName: string,
  campaign: { readonly tenantId: string; readonly campaignId: string },
  counters: readonly CampaignCounter[],
): TransactItem {
  const distinct = [...new Set(counters)];
  if (distinct.length === 0) throw new RangeError('no campaign counter to add');
  const names: Record<string, string> = {};
  const values: Record<string, number> = { ':one': 1 };
  distinct.forEach((counter, index) => {
    names[`#c${index}`] = counter;
  });
  return {
    Update: {
      TableName: tableName,
      Key: keys.campaign(campaign.tenantId, campaign.campaignId),
      UpdateExpression: `ADD ${distinct.map((_, index) => `#c${index} :one`).join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * A cancelled transaction that lost a race with another one on one of its items (a campaign's
 * `META` is shared by all its messages): worth trying again as it was.
 */
export function lostTransactionRace(error: unknown): boolean {
  if ((error as Error)?.name === 'TransactionConflictException') return true;
  return (cancellationReasons(error) ?? []).some((reason) => reason.Code === 'TransactionConflict');
}

/** Attempts of a counting transaction that keeps losing races on the campaign's item. */
export const MAX_COUNTING_ATTEMPTS = 6;

/** A short jittered pause before trying a transaction that lost a race again. */
export function raceBackoff(attempt: number, random: () => number = Math.random): Promise<void> {
  const ms = Math.round(random() * 20 * 2 ** Math.min(attempt, 5));
  return new Promise((resolve) => setTimeout(resolve, ms));
}
