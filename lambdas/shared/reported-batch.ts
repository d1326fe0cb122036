import type { SQSBatchResponse } from 'aws-lambda';
import { BatchedTenantMetrics, logger } from './observability';

/**
 * Runs a write that closes a reported outcome (a status report's confirmation). It must follow the
 * report: a crash before the write has the retry report again, so a metric is never lost.
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
 * Runs one batch (of a standard queue: its records are independent) with its reports gathered:
 * afterwards, also when the whole batch failed, publishes the metrics, then runs the closing
 * writes; a record whose write failed is retried like a failed one.
 */
export async function processReportedBatch(
  run: (batch: ReportedBatch) => Promise<SQSBatchResponse>,
): Promise<SQSBatchResponse> {
  const batch = new ReportedBatch();
  let response: SQSBatchResponse | undefined;
  try {
    response = await run(batch);
  } finally {
    const failedWrites = await batch.publishThenWrite();
    if (response) {
      const failed = new Set([
        ...response.batchItemFailures.map((item) => item.itemIdentifier),
        ...failedWrites,
      ]);
      response = { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
    }
  }
  return response;
}
