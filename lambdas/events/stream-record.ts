import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { TableChange } from '../domain/events/from-changes';

type Image = Record<string, AttributeValue>;

/** A stream record as the pure derivation reads it. */
export function tableChangeOf(record: DynamoDBRecord): TableChange | undefined {
  const stream = record.dynamodb;
  const kind = record.eventName;
  if (!stream?.Keys || !kind) return undefined;
  const keys = unmarshall(stream.Keys as Image);
  const seconds = Number(stream.ApproximateCreationDateTime ?? Date.now() / 1000);
  return {
    kind,
    pk: String(keys.pk),
    sk: String(keys.sk),
    ...(stream.OldImage ? { oldImage: unmarshall(stream.OldImage as Image) } : {}),
    ...(stream.NewImage ? { newImage: unmarshall(stream.NewImage as Image) } : {}),
    at: new Date(seconds * 1000).toISOString(),
    // TTL deletions are made by the DynamoDB service itself.
    byTtl:
      record.userIdentity?.type === 'Service' && record.userIdentity.principalId === 'dynamodb.amazonaws.com',
  };
}
