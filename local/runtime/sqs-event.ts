import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttribute, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

/**
 * What Lambda's SQS event source mapping does with a received batch: the event it builds, and
 * how it reads the function's answer under ReportBatchItemFailures.
 */
function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** Lambda's camelCase attribute shape, with the list members it always includes. */
function lambdaMessageAttribute(value: MessageAttributeValue): SQSMessageAttribute {
  return {
    ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
    ...(value.BinaryValue !== undefined ? { binaryValue: toBase64(value.BinaryValue) } : {}),
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map(toBase64),
    dataType: value.DataType ?? 'String',
  };
}

export function lambdaSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = { ...message.Attributes } as unknown as SQSRecordAttributes;
  const record: SQSRecord = {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes,
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        lambdaMessageAttribute(value),
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
  if (message.MD5OfMessageAttributes !== undefined)
    record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

export function lambdaSqsEvent(messages: readonly Message[], queueArn: string, region: string): SQSEvent {
  return { Records: messages.map((message) => lambdaSqsRecord(message, queueArn, region)) };
}

/** The region in an ARN (`arn:aws:sqs:<region>:<account>:<name>`). */
export function regionOfArn(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}

export type BatchVerdict =
  { kind: 'allSucceeded' } | { kind: 'allFailed' } | { kind: 'someFailed'; failed: Set<string> };

/**
 * Lambda's reading of a ReportBatchItemFailures response: no response, an empty one or an empty
 * or null list is a complete success; a response it cannot read, or an item identifier that is
 * missing, empty or not a message of the batch, fails the whole batch.
 */
export function batchVerdict(result: unknown, messageIds: ReadonlySet<string>): BatchVerdict {
  if (result === undefined || result === null) return { kind: 'allSucceeded' };
  if (typeof result !== 'object' || Array.isArray(result)) return { kind: 'allFailed' };
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'allSucceeded' };
  if (!Array.isArray(failures)) return { kind: 'allFailed' };
  if (failures.length === 0) return { kind: 'allSucceeded' };
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !messageIds.has(id)) return { kind: 'allFailed' };
    failed.add(id);
  }
  return { kind: 'someFailed', failed };
}
