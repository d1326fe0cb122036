import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { stageConfig } from '../lib/config';
import {
  type EnvironmentValues,
  type FunctionId,
  type FunctionSpec,
  functionEnvironment,
  functions,
  type QueueId,
  queues,
  routes,
} from '../lib/topology';
import { dynamoCampaignDeps } from '../lambdas/conversations-api/campaigns/dynamo-deps';
import { handoffDeps } from '../lambdas/conversations-api/deps';
import { consoleCampaigns } from './console/campaigns';
import { CONSOLE_PATH, createConsoleHandler } from './console/server';
import { consoleQueries } from './console/queries';
import { MetricRecorder } from './emf';
import { type ProvisionedQueue, provisionQueues, provisionTable } from './provision';
import { startLocalApi } from './runtime/api-gateway';
import { LOCAL_TENANT_PRINCIPALS } from './endpoints';
import { bundleFunctions } from './runtime/bundle';
import type { CrashPolicy } from './runtime/crash-policy';
import { LocalFunction } from './runtime/local-function';
import { freePort, reservePort } from './runtime/net';
import { startSqsEventSource } from './runtime/sqs-event-source';
import { startDynamoDbStreamSource } from './runtime/dynamodb-stream-source';
import { type LeadingKeysGuard, startLeadingKeysGuard } from './standins/leading-keys-guard';
import { startDynamoDbLocal } from './standins/dynamodb';
import { startSecretsManager } from './standins/secrets-manager';
import { type LocalBedrockRuntime, startBedrockRuntime } from './standins/bedrock-runtime';
import { sqsClientFor, startSqs } from './standins/sqs';
import { secretsBackedDirectory } from './tenants';
import { startTwilioSimulator, type TwilioSimulator } from './twilio-sim';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_TABLE_NAME = 'sms-conversations-local';
export const LOCAL_STAGE = 'local';
export const LOCAL_MAX_CONCURRENCY = 2;

export interface LocalStackOptions {
  /** Local API port (0: any free port). */
  readonly port: number;
  readonly twilioSimPort: number;
  /** The URL Twilio calls and signatures are checked against; default the local API's URL. */
  readonly publicBaseUrl?: string;
  /** Every function log line (JSON), e.g. to print them. */
  readonly onLog?: (functionName: string, line: string) => void;
  /** The functions' log level (POWERTOOLS_LOG_LEVEL); default the local stage's. */
  readonly logLevel?: string;
  /** Delay between the simulator's status callbacks. */
  readonly callbackDelayMs?: number;
  /** The simulator's source of randomness for fault injection (seed it to repeat a run). */
  readonly simulatorRandom?: () => number;
  /** Crash injection per function (chaos soaks); asked once per function of the topology. */
  readonly crashes?: (functionId: FunctionId) => CrashPolicy | undefined;
  /**
   * Every queue's visibility timeout instead of the topology's (six times its consumer's timeout,
   * plus its batching window): a chaos soak shortens it so a crashed batch comes back in seconds
   * rather than minutes. Each consumer's timeout is capped at it less the consumer's batching
   * window, so SQS still never hands out a record an invocation holds.
   */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * The endpoints the functions' SDK calls go to, given the stand-ins' (e.g. a counting proxy in
   * front of each: bench/aws-requests.ts). Default: the stand-ins themselves.
   */
  readonly functionAwsEndpoints?: (standIns: AwsEndpoints) => Promise<AwsEndpoints>;
}

export interface AwsEndpoints {
  readonly dynamodb: string;
  readonly sqs: string;
  readonly secretsManager: string;
}

export interface LocalStack {
  readonly apiUrl: string;
  readonly publicBaseUrl: string;
  readonly twilioSimUrl: string;
  /** The local console (phone, conversations, delivery, campaigns, faults), served by the local API. */
  readonly consoleUrl: string;
  /** What `smsctl --local` reaches (local/endpoints.ts); `bedrock` also answers the model listings. */
  readonly endpoints: {
    readonly dynamodb: string;
    readonly sqs: string;
    readonly secretsManager: string;
    readonly bedrock: string;
  };
  readonly tableName: string;
  readonly tenantSecretPrefix: string;
  readonly queues: Readonly<Record<QueueId, ProvisionedQueue>>;
  readonly metrics: MetricRecorder;
  readonly simulator: TwilioSimulator;
  /** The Bedrock Runtime stand-in the understanding port calls (scriptable: local/standins/bedrock-runtime.ts). */
  readonly bedrock: LocalBedrockRuntime;
  readonly functions: Readonly<Record<FunctionId, LocalFunction>>;
  readonly clients: {
    readonly dynamo: DynamoDBDocumentClient;
    readonly sqs: SQSClient;
    readonly secrets: SecretsManagerClient;
  };
  secretsManagerCalls(): Record<string, number>;
  /** DynamoDB requests refused for leaving a function's item prefixes (IAM dynamodb:LeadingKeys). */
  leadingKeyRefusals(): string[];
  stop(): Promise<void>;
}

/** The event EventBridge delivers to a scheduled Lambda target. */
export function scheduledEvent(functionId: string) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: new Date().toISOString(),
    region: LOCAL_REGION,
    resources: [`arn:aws:events:${LOCAL_REGION}:000000000000:rule/${functionId}-schedule`],
    detail: {},
  };
}

/**
 * One machine with two cores: each function gets as many execution environments as its event
 * source may poll with, capped at what the machine can run (the topology's caps are for AWS).
 */
function localConcurrency(spec: FunctionSpec): number {
  return Math.min(spec.eventSource?.maxConcurrency ?? LOCAL_MAX_CONCURRENCY, LOCAL_MAX_CONCURRENCY);
}

/** One value per queue of the topology, from its provisioned queue. */
function mapProvisioned<T>(
  provisioned: Readonly<Record<QueueId, ProvisionedQueue>>,
  pick: (queue: ProvisionedQueue) => T,
): Record<QueueId, T> {
  const mapped = {} as Record<QueueId, T>;
  for (const id of Object.keys(queues) as QueueId[]) mapped[id] = pick(provisioned[id]);
  return mapped;
}

/** Static credentials for the stand-ins: they accept any, and the SDK insists on some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Who may call the IAM-authorized routes locally: whoever signs with LOCAL_CREDENTIALS (region
 * LOCAL_REGION, service execute-api), e.g. `curl --aws-sigv4 aws:amz:us-east-1:execute-api --user local:local`.
 */
export const LOCAL_API_PRINCIPAL = {
  ...LOCAL_CREDENTIALS,
  region: LOCAL_REGION,
  userArn: 'arn:aws:iam::000000000000:user/local',
};

/** The AWS stand-ins with the platform's table, and operator clients for them. */
export interface LocalServices {
  readonly dynamoLocal: Awaited<ReturnType<typeof startDynamoDbLocal>>;
  readonly sqsLocal: Awaited<ReturnType<typeof startSqs>>;
  readonly secretsLocal: Awaited<ReturnType<typeof startSecretsManager>>;
  readonly dynamoClient: DynamoDBClient;
  readonly dynamo: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly secrets: SecretsManagerClient;
}

/**
 * Starts DynamoDB Local (with the platform's table), the SQS emulator and the Secrets Manager
 * stand-in; their closers go on `closers`. The local stack and the bench's cold-start stage both
 * stand on these.
 */
export async function startLocalServices(closers: (() => Promise<void>)[]): Promise<LocalServices> {
  const [dynamoLocal, sqsLocal, secretsLocal] = await Promise.all([
    startDynamoDbLocal({ port: 0 }),
    startSqs({ port: 0 }),
    startSecretsManager({ port: 0 }),
  ]);
  closers.push(dynamoLocal.close, sqsLocal.close, secretsLocal.close);
  const dynamoClient = new DynamoDBClient({
    endpoint: dynamoLocal.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const dynamo = DynamoDBDocumentClient.from(dynamoClient, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const sqs = sqsClientFor(sqsLocal.endpoint);
  const secrets = new SecretsManagerClient({
    endpoint: secretsLocal.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  await provisionTable(dynamoClient, LOCAL_TABLE_NAME);
  return { dynamoLocal, sqsLocal, secretsLocal, dynamoClient, dynamo, sqs, secrets };
}

/**
 * Starts the whole pipeline on this machine: DynamoDB Local, fauxqs, the Secrets Manager
 * stand-in, the Twilio simulator, the four functions bundled exactly as `cdk synth` bundles
 * them, their SQS event sources and the REST API's webhook routes.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const stopStack: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of stopStack.reverse()) await close().catch(() => undefined);
  };
  try {
    const config = stageConfig(LOCAL_STAGE);
    const { dynamoLocal, sqsLocal, secretsLocal, dynamo, sqs, secrets } = await startLocalServices(stopStack);
    const provisioned = await provisionQueues(
      sqs,
      options.visibilityTimeoutSeconds === undefined
        ? {}
        : { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds },
    );

    // Named in the functions' environment (publicBaseUrl) seconds before the API listens: held till then.
    const apiReservation = options.port === 0 ? await reservePort() : undefined;
    const apiPort = apiReservation?.port ?? options.port;
    if (apiReservation) stopStack.push(() => apiReservation.release());
    const simPort = options.twilioSimPort === 0 ? await freePort() : options.twilioSimPort;
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const publicBaseUrl = options.publicBaseUrl ?? apiUrl;

    const simulator = await startTwilioSimulator({
      port: simPort,
      directory: secretsBackedDirectory(secrets, config.tenantSecretPrefix),
      platformBaseUrl: publicBaseUrl,
      ...(options.callbackDelayMs !== undefined ? { callbackDelayMs: options.callbackDelayMs } : {}),
      ...(options.simulatorRandom ? { random: options.simulatorRandom } : {}),
    });
    stopStack.push(() => simulator.close());

    // Converse for the understanding port, checking the functions' SigV4 signatures (service bedrock).
    const bedrock = await startBedrockRuntime({
      port: 0,
      principals: [
        { ...LOCAL_CREDENTIALS, region: LOCAL_REGION, userArn: 'arn:aws:iam::000000000000:user/local' },
      ],
    });
    stopStack.push(() => bedrock.close());

    const values: EnvironmentValues = {
      tableName: LOCAL_TABLE_NAME,
      tenantSecretPrefix: config.tenantSecretPrefix,
      publicBaseUrl,
      twilioApiBaseUrl: simulator.url,
      metricsNamespace: config.metricsNamespace,
      logLevel: options.logLevel ?? config.logLevel,
      stage: config.stage,
      queueUrls: mapProvisioned(provisioned, (queue) => queue.url),
      dlqUrls: mapProvisioned(provisioned, (queue) => queue.dlqUrl),
    };
    const standIns: AwsEndpoints = {
      dynamodb: dynamoLocal.endpoint,
      sqs: sqsLocal.endpoint,
      secretsManager: secretsLocal.endpoint,
    };
    const functionEndpoints = (await options.functionAwsEndpoints?.(standIns)) ?? standIns;
    // What the Lambda service and the SDK's standard settings provide in AWS.
    const platformEnv: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: functionEndpoints.dynamodb,
      AWS_ENDPOINT_URL_SQS: functionEndpoints.sqs,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: functionEndpoints.secretsManager,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.endpoint,
    };

    // Functions whose grant names item prefixes reach DynamoDB through a guard that enforces them.
    const guards = new Map<FunctionId, LeadingKeysGuard>();
    for (const spec of Object.values(functions)) {
      const prefixes = spec.bindings.tableItemPrefixes;
      if (!prefixes || spec.bindings.table === 'none') continue;
      const guard = await startLeadingKeysGuard({
        upstream: functionEndpoints.dynamodb,
        prefixes,
        readOnlyPrefixes: spec.bindings.tableReadOnlyPrefixes ?? [],
        functionName: spec.id,
        onRefusal: (refusal) => console.error(`local stack: ${refusal}`),
      });
      guards.set(spec.id, guard);
      stopStack.push(() => guard.close());
    }

    const metrics = new MetricRecorder();
    const bundles = await bundleFunctions(Object.values(functions), path.resolve('.local/functions'));
    const localFunctions = {} as Record<FunctionId, LocalFunction>;
    for (const spec of Object.values(functions)) {
      const crashes = options.crashes?.(spec.id);
      const fn = new LocalFunction({
        name: spec.id,
        bundlePath: bundles[spec.id],
        handlerExport: 'handler',
        environment: {
          ...functionEnvironment(spec, values),
          ...platformEnv,
          ...(guards.has(spec.id) ? { AWS_ENDPOINT_URL_DYNAMODB: guards.get(spec.id)?.endpoint ?? '' } : {}),
        },
        timeoutSeconds:
          spec.eventSource && options.visibilityTimeoutSeconds !== undefined
            ? Math.min(
                spec.timeoutSeconds,
                // A record is in flight for the batching window before the invocation starts.
                Math.max(
                  1,
                  options.visibilityTimeoutSeconds - (spec.eventSource.maxBatchingWindowSeconds ?? 0),
                ),
              )
            : spec.timeoutSeconds,
        ...(crashes ? { crashes } : {}),
        memorySizeMb: spec.memorySizeMb,
        concurrency: localConcurrency(spec),
        onLog: (line, _stream, requestId) => {
          metrics.ingest(spec.id, line, requestId);
          options.onLog?.(spec.id, line);
        },
        onKilled: (requestId) => metrics.invocationKilled(requestId),
      });
      localFunctions[spec.id] = fn;
      stopStack.push(() => fn.close());
    }

    for (const spec of Object.values(functions)) {
      const source = spec.eventSource;
      if (!source) continue;
      const queue = provisioned[source.queue];
      const mapping = startSqsEventSource({
        sqs,
        queueUrl: queue.url,
        queueArn: queue.arn,
        batchSize: source.batchSize,
        maxBatchingWindowSeconds: source.maxBatchingWindowSeconds,
        maxConcurrency: localConcurrency(spec),
        visibilityTimeoutSeconds:
          options.visibilityTimeoutSeconds ?? queues[source.queue].visibilityTimeoutSeconds,
        fn: localFunctions[spec.id],
        region: LOCAL_REGION,
      });
      stopStack.push(() => mapping.stop());
    }

    // The table's stream, as Lambda's DynamoDB Streams mapping reads it (lib/topology.ts tableStreamSource).
    for (const spec of Object.values(functions)) {
      const source = spec.tableStreamSource;
      if (!source) continue;
      const streams = new DynamoDBStreamsClient({
        endpoint: dynamoLocal.endpoint,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
      });
      const mapping = await startDynamoDbStreamSource({
        dynamo: new DynamoDBClient({
          endpoint: dynamoLocal.endpoint,
          region: LOCAL_REGION,
          credentials: LOCAL_CREDENTIALS,
        }),
        streams,
        tableName: LOCAL_TABLE_NAME,
        batchSize: source.batchSize,
        fn: localFunctions[spec.id],
        region: LOCAL_REGION,
      });
      stopStack.push(() => mapping.stop());
    }

    for (const spec of Object.values(functions)) {
      if (!spec.schedule) continue;
      const fn = localFunctions[spec.id];
      // EventBridge's scheduled event, as the Lambda target receives it.
      const timer = setInterval(() => {
        void fn.invoke(scheduledEvent(spec.id)).catch(() => undefined);
      }, spec.schedule.everyMinutes * 60_000);
      timer.unref();
      stopStack.push(async () => clearInterval(timer));
    }

    const consoleHandler = await createConsoleHandler({
      queries: consoleQueries({ dynamo, sqs, tableName: LOCAL_TABLE_NAME, queues: provisioned }),
      // As smsctl wires them: the console pauses, resumes and cancels through the same use cases.
      campaigns: consoleCampaigns(
        dynamoCampaignDeps(
          { dynamo, sqs },
          { tableName: LOCAL_TABLE_NAME, campaignsQueueUrl: provisioned.campaigns.url },
        ),
      ),
      // The inbox answers and releases hand-offs through the use cases smsctl and the API run.
      handoffs: handoffDeps(
        { dynamo, sqs },
        {
          tableName: LOCAL_TABLE_NAME,
          outboundQueueUrl: provisioned.outbound.url,
          remindersQueueUrl: provisioned.reminders.url,
        },
      ),
      metrics,
      twilioSimUrl: simulator.url,
    });
    await apiReservation?.release();
    const api = await startLocalApi({
      port: apiPort,
      stage: config.stage,
      fallback: consoleHandler,
      iamPrincipal: LOCAL_API_PRINCIPAL,
      iamPrincipals: LOCAL_TENANT_PRINCIPALS,
      routes: routes.map((route) => ({
        method: route.method,
        path: route.path,
        fn: localFunctions[route.function],
        ...(route.authorization ? { authorization: route.authorization } : {}),
      })),
    });
    stopStack.push(() => api.close());

    return {
      apiUrl,
      publicBaseUrl,
      twilioSimUrl: simulator.url,
      consoleUrl: `${apiUrl}${CONSOLE_PATH}/`,
      endpoints: {
        dynamodb: dynamoLocal.endpoint,
        sqs: sqsLocal.endpoint,
        secretsManager: secretsLocal.endpoint,
        bedrock: bedrock.endpoint,
      },
      tableName: LOCAL_TABLE_NAME,
      tenantSecretPrefix: config.tenantSecretPrefix,
      queues: provisioned,
      metrics,
      simulator,
      bedrock,
      functions: localFunctions,
      clients: { dynamo, sqs, secrets },
      secretsManagerCalls: () => secretsLocal.calls(),
      leadingKeyRefusals: () => [...guards.values()].flatMap((guard) => guard.refusals()),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
