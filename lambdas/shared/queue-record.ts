import type { SQSRecord } from 'aws-lambda';

/** Thrown for a record that can never be processed: it goes to the DLQ instead of blocking others. */
export class MalformedRecordError extends Error {
  override readonly name = 'MalformedRecordError';
}

/** Parses a queue record written by one of our own functions (`v` marks the payload version). */
export function parseQueueRecord<T extends { v: number }>(
  record: SQSRecord,
  required: readonly (keyof T)[],
): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.body);
  } catch {
    throw new MalformedRecordError(`Record ${record.messageId} is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { v?: unknown }).v !== 1) {
    throw new MalformedRecordError(`Record ${record.messageId} has an unknown payload version`);
  }
  for (const field of required) {
    if ((parsed as Record<string, unknown>)[field as string] === undefined) {
      throw new MalformedRecordError(`Record ${record.messageId} lacks ${String(field)}`);
    }
  }
  return parsed as T;
}

export function receiveCount(record: SQSRecord): number {
  return Number(record.attributes.ApproximateReceiveCount ?? '1');
}
