import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { LocalFunction } from './local-function';

/**
 * Lambda's DynamoDB Streams event source mapping, locally, on DynamoDB Local's stream: one poller
 * per shard, in order (parallelization factor 1), batches of up to `batchSize` records invoked as
 * Lambda delivers them (`DynamoDBStreamEvent`). A batch that fails whole is given again from its
 * first record; with ReportBatchItemFailures, from the reported sequence number on; as in AWS the
 * shard waits meanwhile. Starts at TRIM_HORIZON, as the topology's mapping does.
 */
export interface DynamoDbStreamSourceOptions {
  readonly dynamo: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  readonly tableName: string;
  readonly batchSize: number;
  readonly fn: LocalFunction;
  readonly region: string;
  /** Pause after an empty read; default 200 ms. */
  readonly pollIntervalMs?: number;
  readonly onError?: (message: string, error?: unknown) => void;
}

export interface DynamoDbStreamSource {
  stop(): Promise<void>;
  stats(): { readonly batches: number; readonly records: number; readonly retries: number };
}

const MAX_BACKOFF_MS = 2_000;

type AttributeMap = Record<string, unknown>;

/**
 * DynamoDB Local's stream gives an empty map as `{}` instead of `{"M":{}}`, which no unmarshaller
 * reads (AWS's stream does not do this). Restores the type, recursively.
 */
export function repairEmptyMaps(image: AttributeMap | undefined): AttributeMap | undefined {
  if (!image) return image;
  const repair = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const attribute = value as Record<string, unknown>;
    if (Object.keys(attribute).length === 0) return { M: {} };
    if (attribute.M && typeof attribute.M === 'object') {
      return {
        M: Object.fromEntries(Object.entries(attribute.M).map(([key, inner]) => [key, repair(inner)])),
      };
    }
    if (Array.isArray(attribute.L)) return { L: attribute.L.map(repair) };
    return attribute;
  };
  return Object.fromEntries(Object.entries(image).map(([key, value]) => [key, repair(value)]));
}

/** One stream record as Lambda hands it to the function. */
export function lambdaStreamRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  const created = stream.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor((created ? new Date(created).getTime() : Date.now()) / 1000),
      Keys: stream.Keys as never,
      ...(stream.NewImage ? { NewImage: repairEmptyMaps(stream.NewImage as AttributeMap) as never } : {}),
      ...(stream.OldImage ? { OldImage: repairEmptyMaps(stream.OldImage as AttributeMap) as never } : {}),
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType,
    },
    ...(record.userIdentity
      ? {
          userIdentity: {
            type: record.userIdentity.Type ?? '',
            principalId: record.userIdentity.PrincipalId ?? '',
          },
        }
      : {}),
  };
}

export function lambdaStreamEvent(records: readonly DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: [...records] };
}

/** The sequence number to give again from, or undefined when the whole batch succeeded. */
function failedFrom(result: unknown, records: readonly StreamRecord[]): string | undefined {
  const failures = (result as DynamoDBBatchResponse | null)?.batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return undefined;
  const failed = new Set(failures.map((failure) => failure.itemIdentifier));
  // The earliest failed record: Lambda resumes from the lowest reported sequence number.
  return records.find((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''))?.dynamodb
    ?.SequenceNumber;
}

export async function startDynamoDbStreamSource(
  options: DynamoDbStreamSourceOptions,
): Promise<DynamoDbStreamSource> {
  const table = await options.dynamo.send(new DescribeTableCommand({ TableName: options.tableName }));
  const latestArn = table.Table?.LatestStreamArn;
  if (!latestArn) throw new Error(`table ${options.tableName} has no stream`);
  const streamArn: string = latestArn;
  const pollMs = options.pollIntervalMs ?? 200;
  const onError =
    options.onError ??
    ((message: string, error?: unknown) =>
      console.error(`[dynamodb-stream-source] ${message}${error === undefined ? '' : `: ${String(error)}`}`));
  const counters = { batches: 0, records: 0, retries: 0 };
  let stopping = false;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const pause = (ms: number) =>
    Promise.race([new Promise<void>((resolve) => setTimeout(resolve, ms).unref()), stopped]);

  const iterator = async (shardId: string, type: 'TRIM_HORIZON' | 'AT_SEQUENCE_NUMBER', sequence?: string) =>
    (
      await options.streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: type,
          ...(sequence ? { SequenceNumber: sequence } : {}),
        }),
      )
    ).ShardIterator;

  /** Reads one shard to its end (a closed shard) or until stop. */
  async function pollShard(shard: Shard): Promise<void> {
    const shardId = shard.ShardId ?? '';
    let next = await iterator(shardId, 'TRIM_HORIZON');
    let failures = 0;
    while (!stopping && next) {
      let records: StreamRecord[];
      let following: string | undefined;
      try {
        const page = await options.streams.send(
          new GetRecordsCommand({ ShardIterator: next, Limit: options.batchSize }),
        );
        records = page.Records ?? [];
        following = page.NextShardIterator;
      } catch (error) {
        if (!stopping) onError(`reading shard ${shardId} failed`, error);
        await pause(MAX_BACKOFF_MS);
        continue;
      }
      if (records.length === 0) {
        next = following;
        await pause(pollMs);
        continue;
      }
      counters.batches++;
      counters.records += records.length;
      const event = lambdaStreamEvent(
        records.map((record) => lambdaStreamRecord(record, streamArn, options.region)),
      );
      const outcome = await options.fn.invoke(event);
      const retryFrom = outcome.error
        ? records[0]?.dynamodb?.SequenceNumber
        : failedFrom(outcome.result, records);
      if (retryFrom === undefined) {
        failures = 0;
        next = following;
        continue;
      }
      counters.retries++;
      failures++;
      await pause(Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(failures, 5)));
      next = await iterator(shardId, 'AT_SEQUENCE_NUMBER', retryFrom);
    }
  }

  const polled = new Set<string>();
  const running: Promise<void>[] = [];
  /** New shards (DynamoDB Local opens one after another over time) each get a poller, parents first. */
  async function discover(): Promise<void> {
    while (!stopping) {
      try {
        const description = await options.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
        for (const shard of description.StreamDescription?.Shards ?? []) {
          const id = shard.ShardId ?? '';
          if (polled.has(id)) continue;
          polled.add(id);
          const parent = shard.ParentShardId;
          const parentDone = parent ? running[[...polled].indexOf(parent)] : undefined;
          running.push((parentDone ?? Promise.resolve()).then(() => pollShard(shard)));
        }
      } catch (error) {
        if (!stopping) onError('describing the stream failed', error);
      }
      await pause(1_000);
    }
  }
  const discovery = discover();

  return {
    stop: async () => {
      stopping = true;
      wake();
      await discovery;
      await Promise.allSettled(running);
    },
    stats: () => ({ ...counters }),
  };
}
