import type { SQSBatchItemFailure, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { BatchedTenantMetrics, logger } from './observability';

/**
 * Runs a write that closes a reported outcome (a send's completion, a status report's
 * confirmation). It must follow the report: a crash before the write has the retry report again,
 * so a metric is never lost.
 */
export type AfterReport = (write: () => Promise<void>) => Promise<void>;

/** For reports printed the moment they are made. */
export const writeNow: AfterReport = (write) => write();

/**
 * One invocation's reports: its metrics, gathered and published together (one EMF record per
 * tenant, so a full batch stays within the log budget), and the writes that must follow them,
 * run after the publication.
 */
export class ReportedBatch {
  readonly metrics = new BatchedTenantMetrics();
  private readonly writes: { readonly recordId: string; readonly write: () => Promise<void> }[] = [];

  /** Where a record's closing writes go until `publishThenWrite`. */
  afterReportOf(recordId: string): AfterReport {
    return async (write) => {
      this.writes.push({ recordId, write });
    };
  }

  /** Publishes the metrics, then runs the writes; returns the records whose write failed. */
  async publishThenWrite(): Promise<Set<string>> {
    this.metrics.publish();
    const failed = new Set<string>();
    await Promise.all(
      this.writes.map(async ({ recordId, write }) => {
        try {
          await write();
        } catch (error) {
          logger.error('Could not record a reported outcome', { error: (error as Error).message });
          failed.add(recordId);
        }
      }),
    );
    this.writes.length = 0;
    return failed;
  }
}

/**
 * Runs one batch with its reports gathered: afterwards (also when the whole batch failed) publishes
 * the metrics, then runs the closing writes; a record whose write failed is retried like a failed one.
 */
export async function processReportedBatch(
  records: readonly SQSRecord[],
  run: (batch: ReportedBatch) => Promise<SQSBatchResponse>,
): Promise<SQSBatchResponse> {
  const batch = new ReportedBatch();
  let response: SQSBatchResponse | undefined;
  try {
    response = await run(batch);
  } finally {
    const failedWrites = await batch.publishThenWrite();
    if (response) {
      response = { batchItemFailures: withFailedWrites(records, response.batchItemFailures, failedWrites) };
    }
  }
  return response;
}

/**
 * The batch's failures with the records whose closing write failed; for a FIFO queue also every
 * later record of their message groups (a group is retried in order from its first failure).
 */
export function withFailedWrites(
  records: readonly SQSRecord[],
  failures: readonly SQSBatchItemFailure[],
  failedWrites: ReadonlySet<string>,
): SQSBatchItemFailure[] {
  const failed = new Set([...failures.map((failure) => failure.itemIdentifier), ...failedWrites]);
  const failedGroups = new Set<string>();
  for (const record of records) {
    const group = record.attributes.MessageGroupId;
    if (group !== undefined && failedGroups.has(group)) failed.add(record.messageId);
    if (group !== undefined && failed.has(record.messageId)) failedGroups.add(group);
  }
  return records
    .filter((record) => failed.has(record.messageId))
    .map((record) => ({ itemIdentifier: record.messageId }));
}
