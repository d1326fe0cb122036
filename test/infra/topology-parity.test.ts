/**
 * Proof that the CDK stack and the local stack run the same topology: both are built from
 * lib/topology.ts, and this test reads the synthesized template back and compares it with what the
 * local stack derives from the same definitions (queueAttributes / dlqAttributes as passed to
 * CreateQueue, functionEnvironment, event sources, routes). A drift fails with a diff.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageConfig } from '../../lib/config';
import { OUTPUT_KEYS } from '../../lib/stack-contract';
import {
  dlqAttributes,
  type EnvironmentValues,
  type FunctionId,
  functionEnvironment,
  functions,
  type QueueId,
  queueAttributes,
  queues,
  routes,
  table,
  TWILIO_API_BASE_URL_DEFAULT,
} from '../../lib/topology';
import {
  apiRoutes,
  type CfnTemplate,
  dispose,
  type FunctionProps,
  functionLogicalIds,
  props,
  queueLogicalIds,
  referencedId,
  resource,
  resourcesOfType,
  type Synthesized,
  synthesize,
  tableLogicalId,
} from './helpers';

/** One value per queue of the topology. */
function perQueue<T>(pick: (id: QueueId) => T): Record<QueueId, T> {
  return Object.fromEntries((Object.keys(queues) as QueueId[]).map((id) => [id, pick(id)])) as Record<
    QueueId,
    T
  >;
}

/** The DLQ ARN stands in for whatever ARN the local stack passes; compared separately. */
const DLQ_ARN = 'arn:aws:sqs:local:000000000000:dlq';

const QUEUE_KEYS = [
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'RedrivePolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
] as const;
const DLQ_KEYS = [
  'MessageRetentionPeriod',
  'FifoQueue',
  'RedrivePolicy',
  'ContentBasedDeduplication',
] as const;

/** CloudFormation shows numbers and booleans, CreateQueue takes strings: compare as strings. */
function normalise(
  properties: Record<string, unknown>,
  keys: readonly string[],
  dlqLogicalId?: string,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of keys) {
    const value = properties[key];
    if (value === undefined) continue;
    if (key === 'RedrivePolicy') {
      const policy = value as { deadLetterTargetArn: unknown; maxReceiveCount: unknown };
      const target = referencedId(policy.deadLetterTargetArn);
      result[key] = {
        deadLetterTargetArn: target === dlqLogicalId ? DLQ_ARN : `another queue: ${target}`,
        maxReceiveCount: Number(policy.maxReceiveCount),
      };
    } else {
      result[key] = String(value);
    }
  }
  return result;
}

function expectedQueue(attributes: Record<string, string>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...attributes };
  if (attributes.RedrivePolicy) result.RedrivePolicy = JSON.parse(attributes.RedrivePolicy);
  return result;
}

describe('topology parity: synthesized template == lib/topology.ts', () => {
  let synth: Synthesized;
  let json: CfnTemplate;
  let queueIds: Record<QueueId, { queue: string; dlq: string }>;
  let functionIds: Record<FunctionId, string>;
  const config = stageConfig('dev');

  beforeAll(() => {
    synth = synthesize({ stage: 'dev' });
    json = synth.json;
    queueIds = queueLogicalIds(json);
    functionIds = functionLogicalIds(json);
  });
  afterAll(() => dispose(synth));

  it('has exactly the queues of the topology (each with its DLQ) and nothing else', () => {
    const all = resourcesOfType(json, 'AWS::SQS::Queue')
      .map(([id]) => id)
      .sort();
    const expected = Object.values(queueIds)
      .flatMap((ids) => [ids.queue, ids.dlq])
      .sort();
    expect(all).toEqual(expected);
  });

  describe.each(Object.values(queues))('queue $id', (spec) => {
    it('has the attributes the local stack passes to CreateQueue', () => {
      const ids = queueIds[spec.id];
      const actual = normalise(
        props<Record<string, unknown>>(resource(json, ids.queue)),
        QUEUE_KEYS,
        ids.dlq,
      );
      expect(actual, `queue ${spec.id} drifted from queueAttributes()`).toEqual(
        expectedQueue(queueAttributes(spec, DLQ_ARN)),
      );
    });

    it('has a DLQ with the attributes of dlqAttributes()', () => {
      const actual = normalise(
        props<Record<string, unknown>>(resource(json, queueIds[spec.id].dlq)),
        DLQ_KEYS,
      );
      expect(actual, `DLQ of ${spec.id} drifted from dlqAttributes()`).toEqual(dlqAttributes(spec));
    });
  });

  it('has exactly the functions of the topology', () => {
    expect(Object.keys(functionIds).sort()).toEqual(Object.keys(functions).sort());
  });

  describe.each(Object.values(functions))('function $id', (spec) => {
    const fn = () => props<FunctionProps>(resource(json, functionIds[spec.id]));

    it('has the memory and timeout of the spec', () => {
      expect({ memorySizeMb: fn().MemorySize, timeoutSeconds: fn().Timeout }).toEqual({
        memorySizeMb: spec.memorySizeMb,
        timeoutSeconds: spec.timeoutSeconds,
      });
    });

    it('has exactly the environment of functionEnvironment() (plus the documented CDK additions)', () => {
      // Token-valued settings are compared in their template form: Refs to the right queue/table,
      // and the public base URL exactly as the ApiUrl output renders it.
      const asTemplate = (value: unknown) => JSON.stringify(value);
      const values: EnvironmentValues = {
        tableName: asTemplate({ Ref: tableLogicalId(json) }),
        tenantSecretPrefix: config.tenantSecretPrefix,
        publicBaseUrl: asTemplate(json.Outputs?.[OUTPUT_KEYS.apiUrl]?.Value),
        twilioApiBaseUrl: TWILIO_API_BASE_URL_DEFAULT,
        metricsNamespace: config.metricsNamespace,
        logLevel: config.logLevel,
        stage: config.stage,
        queueUrls: perQueue((id) => asTemplate({ Ref: queueIds[id].queue })),
        dlqUrls: perQueue((id) => asTemplate({ Ref: queueIds[id].dlq })),
      };
      const actual = Object.fromEntries(
        Object.entries(fn().Environment?.Variables ?? {}).map(([name, value]) => [
          name,
          typeof value === 'string' ? value : asTemplate(value),
        ]),
      );
      // Exactly functionEnvironment(): no CDK-only additions (NODE_OPTIONS=--enable-source-maps
      // comes from functionEnvironment too).
      const expected = functionEnvironment(spec, values);
      expect(Object.keys(actual).sort(), `environment names of ${spec.id}`).toEqual(
        Object.keys(expected).sort(),
      );
      expect(actual, `environment values of ${spec.id}`).toEqual(expected);
    });

    it('has the event source of the spec', () => {
      const mappings = resourcesOfType(json, 'AWS::Lambda::EventSourceMapping')
        .map(([, mapping]) =>
          props<{
            FunctionName: unknown;
            EventSourceArn: unknown;
            BatchSize?: number;
            ScalingConfig?: { MaximumConcurrency?: number };
            MaximumBatchingWindowInSeconds?: number;
            FunctionResponseTypes?: string[];
            StartingPosition?: string;
            ParallelizationFactor?: number;
            BisectBatchOnFunctionError?: boolean;
          }>(mapping),
        )
        .filter((mapping) => referencedId(mapping.FunctionName) === functionIds[spec.id]);
      const queueOf = (arn: unknown) => {
        const getAtt = (arn as { 'Fn::GetAtt'?: unknown[] } | null)?.['Fn::GetAtt'];
        if (getAtt?.[1] === 'StreamArn') return 'table stream';
        const id = referencedId(arn);
        const entry = Object.entries(queueIds).find(([, ids]) => ids.queue === id);
        return entry ? entry[0] : `not a main queue: ${id}`;
      };
      const actual = mappings.map((mapping) => ({
        queue: queueOf(mapping.EventSourceArn),
        batchSize: mapping.BatchSize,
        maxConcurrency: mapping.ScalingConfig?.MaximumConcurrency,
        maxBatchingWindowSeconds: mapping.MaximumBatchingWindowInSeconds,
        functionResponseTypes: mapping.FunctionResponseTypes,
        ...(mapping.StartingPosition !== undefined
          ? {
              startingPosition: mapping.StartingPosition,
              parallelizationFactor: mapping.ParallelizationFactor,
              bisectBatchOnError: mapping.BisectBatchOnFunctionError,
            }
          : {}),
      }));
      const stream = spec.tableStreamSource;
      if (stream) {
        expect(actual, `event sources of ${spec.id}`).toEqual([
          {
            queue: 'table stream',
            batchSize: stream.batchSize,
            maxConcurrency: undefined,
            maxBatchingWindowSeconds: stream.maxBatchingWindowSeconds,
            functionResponseTypes: ['ReportBatchItemFailures'],
            startingPosition: stream.startingPosition,
            parallelizationFactor: stream.parallelizationFactor,
            bisectBatchOnError: stream.bisectBatchOnError,
          },
        ]);
        return;
      }
      const source = spec.eventSource;
      const expected = source
        ? [
            {
              queue: source.queue,
              batchSize: source.batchSize,
              maxConcurrency: source.maxConcurrency,
              maxBatchingWindowSeconds: source.maxBatchingWindowSeconds,
              functionResponseTypes: source.reportBatchItemFailures ? ['ReportBatchItemFailures'] : undefined,
            },
          ]
        : [];
      expect(actual, `event sources of ${spec.id}`).toEqual(expected);
    });

    it('has the schedule of the spec', () => {
      const rules = resourcesOfType(json, 'AWS::Events::Rule')
        .map(([, rule]) => props<{ ScheduleExpression?: string; Targets?: { Arn: unknown }[] }>(rule))
        .filter((rule) => rule.Targets?.some((target) => referencedId(target.Arn) === functionIds[spec.id]));
      const actual = rules.map((rule) => rule.ScheduleExpression);
      const minutes = spec.schedule?.everyMinutes;
      const expected = minutes === undefined ? [] : [`rate(${minutes} minute${minutes === 1 ? '' : 's'})`];
      expect(actual, `schedule of ${spec.id}`).toEqual(expected);
    });
  });

  it('has the table keys, TTL, stream and open-messages index the local stack creates', () => {
    const tableProps = props<{
      KeySchema: { AttributeName: string; KeyType: string }[];
      TimeToLiveSpecification: { AttributeName: string };
      StreamSpecification: { StreamViewType: string };
      GlobalSecondaryIndexes: {
        IndexName: string;
        KeySchema: { AttributeName: string; KeyType: string }[];
        Projection: { ProjectionType: string };
      }[];
    }>(resource(json, tableLogicalId(json)));
    expect(tableProps.KeySchema).toEqual([
      { AttributeName: table.partitionKey, KeyType: 'HASH' },
      { AttributeName: table.sortKey, KeyType: 'RANGE' },
    ]);
    expect(tableProps.TimeToLiveSpecification.AttributeName).toBe(table.ttlAttribute);
    expect(tableProps.StreamSpecification).toEqual({ StreamViewType: table.stream });
    expect(tableProps.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: table.openMessagesIndex.name,
        KeySchema: [
          { AttributeName: table.openMessagesIndex.partitionKey, KeyType: 'HASH' },
          { AttributeName: table.openMessagesIndex.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ]);
  });

  it('serves exactly the routes of the topology, each integrating the named function with its authorization', () => {
    const byLogicalId = Object.fromEntries(
      Object.entries(functionIds).map(([id, logicalId]) => [logicalId, id]),
    );
    const actual = apiRoutes(json)
      .map((route) => ({
        method: route.method,
        path: route.path,
        function: byLogicalId[route.functionLogicalId] ?? route.functionLogicalId,
        authorizationType: route.authorizationType,
      }))
      .sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
    const expected = routes
      .map((route) => ({
        method: route.method,
        path: route.path,
        function: route.function,
        // The local API checks SigV4 for exactly these routes (local/runtime/sigv4-verifier.ts).
        authorizationType: route.authorization === 'iam' ? 'AWS_IAM' : 'NONE',
      }))
      .sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
    expect(actual).toEqual(expected);
  });
});
