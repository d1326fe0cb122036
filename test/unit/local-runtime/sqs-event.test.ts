import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { batchVerdict, lambdaSqsEvent, lambdaSqsRecord, regionOfArn } from '../../../local/runtime/sqs-event';

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:000000000000:inbound.fifo';

const fifoMessage: Message = {
  MessageId: 'm-1',
  ReceiptHandle: 'rh-1',
  MD5OfBody: 'md5-body',
  Body: '{"hello":"world"}',
  MD5OfMessageAttributes: 'md5-attrs',
  Attributes: {
    SenderId: '000000000000',
    SentTimestamp: '1700000000000',
    ApproximateReceiveCount: '2',
    ApproximateFirstReceiveTimestamp: '1700000000100',
    SequenceNumber: '00000000000000000001',
    MessageGroupId: 'demo#+15551230001',
    MessageDeduplicationId: 'SM123',
  },
  MessageAttributes: {
    tenant: { DataType: 'String', StringValue: 'demo' },
    blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
  },
};

describe('lambdaSqsRecord', () => {
  it('builds the record Lambda delivers, attributes and message attributes in Lambda’s shape', () => {
    expect(lambdaSqsRecord(fifoMessage, QUEUE_ARN, 'eu-west-1')).toEqual({
      messageId: 'm-1',
      receiptHandle: 'rh-1',
      body: '{"hello":"world"}',
      attributes: {
        SenderId: '000000000000',
        SentTimestamp: '1700000000000',
        ApproximateReceiveCount: '2',
        ApproximateFirstReceiveTimestamp: '1700000000100',
        SequenceNumber: '00000000000000000001',
        MessageGroupId: 'demo#+15551230001',
        MessageDeduplicationId: 'SM123',
      },
      messageAttributes: {
        tenant: { stringValue: 'demo', stringListValues: [], binaryListValues: [], dataType: 'String' },
        blob: { binaryValue: 'AQID', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: 'md5-body',
      md5OfMessageAttributes: 'md5-attrs',
      eventSource: 'aws:sqs',
      eventSourceARN: QUEUE_ARN,
      awsRegion: 'eu-west-1',
    });
  });

  it('wraps records in { Records } and leaves message attributes empty when there are none', () => {
    const event = lambdaSqsEvent([{ MessageId: 'x', Body: 'b' }], QUEUE_ARN, 'eu-west-1');
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]?.messageAttributes).toEqual({});
    expect(event.Records[0]).not.toHaveProperty('md5OfMessageAttributes');
  });

  it('reads the region from a queue ARN', () => {
    expect(regionOfArn(QUEUE_ARN)).toBe('eu-west-1');
    expect(regionOfArn('not-an-arn')).toBeUndefined();
  });
});

describe('batchVerdict (ReportBatchItemFailures)', () => {
  const ids = new Set(['a', 'b', 'c']);

  it.each([
    ['no response', undefined],
    ['null', null],
    ['an empty response', {}],
    ['a null list', { batchItemFailures: null }],
    ['an empty list', { batchItemFailures: [] }],
  ])('counts %s as complete success', (_name, result) => {
    expect(batchVerdict(result, ids)).toEqual({ kind: 'allSucceeded' });
  });

  it('fails only the listed records', () => {
    expect(batchVerdict({ batchItemFailures: [{ itemIdentifier: 'b' }] }, ids)).toEqual({
      kind: 'someFailed',
      failed: new Set(['b']),
    });
  });

  it.each([
    ['an empty identifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null identifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a misspelt key', { batchItemFailures: [{ itemId: 'a' }] }],
    ['an identifier from another batch', { batchItemFailures: [{ itemIdentifier: 'z' }] }],
    ['a list that is not a list', { batchItemFailures: 'a' }],
    ['a response that is not an object', 'ok'],
  ])('fails the whole batch for %s', (_name, result) => {
    expect(batchVerdict(result, ids)).toEqual({ kind: 'allFailed' });
  });
});
