import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';

export function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error)?.name === 'ConditionalCheckFailedException'
  );
}

type CancellationReason = NonNullable<TransactionCanceledException['CancellationReasons']>[number];

/** For a cancelled transaction: why each of its items was refused (by index), `Item` in wire form. */
export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (
    !(error instanceof TransactionCanceledException) &&
    (error as Error)?.name !== 'TransactionCanceledException'
  ) {
    return undefined;
  }
  return (error as TransactionCanceledException).CancellationReasons ?? [];
}

/** For a cancelled transaction: which of its items failed their condition (by index). */
export function cancelledConditions(error: unknown): boolean[] | undefined {
  return cancellationReasons(error)?.map((reason) => reason.Code === 'ConditionalCheckFailed');
}
