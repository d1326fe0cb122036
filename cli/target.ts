import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type StageConfig, stages } from '../lib/config';
import {
  DLQ_URL_OUTPUT_KEYS,
  OUTPUT_KEYS,
  QUEUE_URL_OUTPUT_KEYS,
  stackName,
  stageOfStackName,
} from '../lib/stack-contract';
import { type QueueId, queues as topologyQueues } from '../lib/topology';
import { localEndpointsFile, readLocalEndpoints } from '../local/endpoints';
import { CliError } from './cli-error';

/** Every queue of the topology, each with its DLQ (stack outputs `<Queue>QueueUrl`, `<Queue>DlqUrl`). */
export const QUEUE_IDS: readonly QueueId[] = Object.keys(topologyQueues) as QueueId[];
export const DEFAULT_STACK = stackName('dev');

/**
 * Everything a command needs to operate one platform, local or deployed, so each command is
 * written once against this and never asks where it runs.
 */
export interface PlatformTarget {
  readonly description: string;
  readonly dynamo: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly secrets: SecretsManagerClient;
  readonly tableName: string;
  readonly tenantSecretPrefix: string;
  readonly queues: Readonly<Record<QueueId, { readonly url: string; readonly dlqUrl: string }>>;
  /** The stage's defaults for `number put` (lib/config.ts); absent: the contract's (DESIGN.md section 2). */
  readonly numberDefaults?: StageConfig['numberDefaults'];
}

/** DESIGN.md section 2: a number allows inbound starts unless told otherwise. */
const CONTRACT_NUMBER_DEFAULTS: StageConfig['numberDefaults'] = { allowInboundStart: true };

export function numberDefaultsOf(stage: string | undefined): StageConfig['numberDefaults'] {
  return (stage !== undefined ? stages[stage]?.numberDefaults : undefined) ?? CONTRACT_NUMBER_DEFAULTS;
}

// The local stand-ins accept any credentials; static ones keep the chain from probing the machine.
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export async function localTarget(file = localEndpointsFile()): Promise<PlatformTarget> {
  const local = await readLocalEndpoints(file);
  if (!local) throw new CliError('the local stack is not running: start it with npm start');
  const common = { region: local.region, credentials: LOCAL_CREDENTIALS };
  return {
    description: `local stack (${file})`,
    dynamo: documentClient(new DynamoDBClient({ ...common, endpoint: local.endpoints.dynamodb })),
    // Queue URLs name the emulator's host; the endpoint must stay the one we were given.
    sqs: new SQSClient({ ...common, endpoint: local.endpoints.sqs, useQueueUrlAsEndpoint: false }),
    secrets: new SecretsManagerClient({ ...common, endpoint: local.endpoints.secretsManager }),
    tableName: local.tableName,
    tenantSecretPrefix: local.tenantSecretPrefix,
    queues: local.queues,
    numberDefaults: numberDefaultsOf('local'),
  };
}

export async function awsTarget(name = DEFAULT_STACK): Promise<PlatformTarget> {
  const cloudFormation = new CloudFormationClient({});
  let outputs: Map<string, string>;
  try {
    const result = await cloudFormation.send(new DescribeStacksCommand({ StackName: name }));
    const stack = result.Stacks?.[0];
    if (!stack) throw new CliError(`stack ${name} not found`);
    outputs = new Map(
      (stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']),
    );
  } catch (error) {
    if (error instanceof CliError) throw error;
    const hint = /region/i.test((error as Error).message) ? ' (set AWS_REGION or AWS_PROFILE)' : '';
    throw new CliError(`cannot describe stack ${name}: ${(error as Error).message}${hint}`);
  }
  const output = (key: string): string => {
    const value = outputs.get(key);
    if (!value) throw new CliError(`stack ${name} has no output ${key}; is it deployed from this version?`);
    return value;
  };
  const queues = Object.fromEntries(
    QUEUE_IDS.map((id) => [
      id,
      { url: output(QUEUE_URL_OUTPUT_KEYS[id]), dlqUrl: output(DLQ_URL_OUTPUT_KEYS[id]) },
    ]),
  ) as PlatformTarget['queues'];
  return {
    description: `stack ${name}`,
    dynamo: documentClient(new DynamoDBClient({})),
    sqs: new SQSClient({ useQueueUrlAsEndpoint: false }),
    secrets: new SecretsManagerClient({}),
    tableName: output(OUTPUT_KEYS.tableName),
    tenantSecretPrefix: output(OUTPUT_KEYS.tenantSecretPrefix),
    queues,
    numberDefaults: numberDefaultsOf(stageOfStackName(name)),
  };
}

export function resolveTarget(flags: { local: boolean; stack?: string }): Promise<PlatformTarget> {
  if (flags.local && flags.stack) throw new CliError('use either --local or --stack, not both', 2);
  return flags.local ? localTarget() : awsTarget(flags.stack);
}
