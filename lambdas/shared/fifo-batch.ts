import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';

/**
 * Runs a FIFO batch with each message group in order and the groups side by side. Powertools'
 * FIFO processor runs the whole batch one record at a time, so a record waiting in process for
 * its sender number's slot holds up records of other conversations whose slots come first (a
 * send parked earlier and back for its slot arrives late, and the number's rate is lost). Within
 * a group, a failure fails the records after it (they must not overtake it), as Powertools'
 * `skipGroupOnError` does; other groups go on. A batch whose every record failed is answered with
 * every record listed, not an error: each record names its own retry (e.g. a park for a slot), and
 * an invocation error would count against the function's error alarm for what is normal pacing.
 */
export async function processFifoGroupsConcurrently(
  records: readonly SQSRecord[],
  handle: (record: SQSRecord) => Promise<void>,
  onFailure: (record: SQSRecord, error: unknown) => void,
): Promise<SQSBatchResponse> {
  const groups = new Map<string, SQSRecord[]>();
  for (const record of records) {
    // A record without a group (never on a FIFO queue) is a group of its own.
    const group = record.attributes.MessageGroupId ?? `record#${record.messageId}`;
    groups.set(group, [...(groups.get(group) ?? []), record]);
  }
  const failed = new Set<string>();
  await Promise.all(
    [...groups.values()].map(async (group) => {
      for (const [index, record] of group.entries()) {
        try {
          await handle(record);
        } catch (error) {
          onFailure(record, error);
          for (const skipped of group.slice(index)) failed.add(skipped.messageId);
          return;
        }
      }
    }),
  );
  // In the batch's order, for a stable answer.
  return {
    batchItemFailures: records
      .filter((record) => failed.has(record.messageId))
      .map((record) => ({ itemIdentifier: record.messageId })),
  };
}
