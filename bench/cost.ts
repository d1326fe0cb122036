import { functions } from '../lib/topology';
import type { PipelineFigures } from './pipeline';
import { PRICES_USD, TWILIO_US_PRICES_USD, XRAY_SAMPLED_SHARE } from './prices';
import { round } from './stats';

/** What one turn asks of AWS, from the pipeline's counts (bench/pipeline.ts). */
export interface PerTurn {
  readonly apiGatewayRequests: number;
  readonly lambdaInvocations: Record<string, number>;
  readonly lambdaGbSeconds: number;
  readonly sqsRequests: { readonly functions: Record<string, number>; readonly eventSources: number };
  readonly dynamoDbRequests: Record<string, number>;
  readonly dynamoDbReadUnits: number;
  readonly dynamoDbWriteUnits: number;
  readonly secretsManagerCalls: number;
  readonly logBytes: number;
}

const perTurn = (value: number, turns: number) => round(value / turns, 4);

function pick(requests: Record<string, number>, service: string, turns: number): Record<string, number> {
  const picked: Record<string, number> = {};
  for (const [key, count] of Object.entries(requests)) {
    if (key.startsWith(`${service}.`)) picked[key.slice(service.length + 1)] = perTurn(count, turns);
  }
  return picked;
}

export function requestsPerTurn(figures: PipelineFigures): PerTurn {
  const { turns, aws } = figures;
  const invocations: Record<string, number> = {};
  let gbSeconds = 0;
  let logBytes = 0;
  for (const [id, fn] of Object.entries(figures.functions)) {
    if (fn.invocations > 0) invocations[id] = perTurn(fn.invocations, turns);
    const memoryMb = functions[id as keyof typeof functions]?.memorySizeMb ?? 128;
    gbSeconds += (fn.billedMs / 1000) * (memoryMb / 1024);
    logBytes += fn.logBytes;
  }
  return {
    // Every request to the REST API invokes ingest once (both webhook routes).
    apiGatewayRequests: perTurn(figures.functions.ingest?.invocations ?? 0, turns),
    lambdaInvocations: invocations,
    lambdaGbSeconds: round(gbSeconds / turns, 6),
    sqsRequests: {
      functions: pick(aws.requests, 'sqs', turns),
      eventSources: perTurn(figures.eventSourceSqs.receives + figures.eventSourceSqs.deletes, turns),
    },
    dynamoDbRequests: pick(aws.requests, 'dynamodb', turns),
    dynamoDbReadUnits: perTurn(aws.dynamoDb.readUnits, turns),
    dynamoDbWriteUnits: perTurn(aws.dynamoDb.writeUnits, turns),
    secretsManagerCalls: perTurn(aws.requests['secretsManager.GetSecretValue'] ?? 0, turns),
    logBytes: perTurn(logBytes, turns),
  };
}

export interface DollarsPerThousandTurns {
  /** What the issue budgets: the requests a turn makes (API Gateway, Lambda, SQS, DynamoDB, Secrets Manager). */
  readonly requestFees: Record<string, number>;
  readonly requestFeesTotal: number;
  /**
   * Also per turn, reported beside: Lambda GB-seconds (from local run times on this machine, not
   * Graviton's), CloudWatch Logs ingestion of the lines the functions printed, X-Ray traces.
   */
  readonly other: Record<string, number>;
  readonly total: number;
}

function scaled(byService: Record<string, number>, scale: number) {
  let sum = 0;
  const out: Record<string, number> = {};
  for (const [service, dollars] of Object.entries(byService)) {
    out[service] = round(dollars * scale, 6);
    sum += dollars * scale;
  }
  return { out, sum };
}

/** Dollars per 1,000 turns, by service, with bench/prices.ts. */
export function dollarsPerThousandTurns(figures: PipelineFigures): DollarsPerThousandTurns {
  const { turns, aws } = figures;
  const scale = 1000 / turns;
  const invocations = Object.values(figures.functions).reduce((sum, fn) => sum + fn.invocations, 0);
  const sqsFunctionRequests = Object.entries(aws.requests)
    .filter(([key]) => key.startsWith('sqs.'))
    .reduce((sum, [, count]) => sum + count, 0);
  const sqsEventSource = figures.eventSourceSqs.receives + figures.eventSourceSqs.deletes;
  const sqsFifo = aws.sqsFifoRequests + figures.eventSourceSqs.fifo;
  const sqsStandard = sqsFunctionRequests + sqsEventSource - sqsFifo;
  const logBytes = Object.values(figures.functions).reduce((sum, fn) => sum + fn.logBytes, 0);
  const requests = scaled(
    {
      apiGateway: (figures.functions.ingest?.invocations ?? 0) * PRICES_USD.apiGatewayRestPerRequest,
      lambdaRequests: invocations * PRICES_USD.lambdaPerRequest,
      sqs: sqsFifo * PRICES_USD.sqsFifoPerRequest + sqsStandard * PRICES_USD.sqsStandardPerRequest,
      dynamoDb:
        aws.dynamoDb.writeUnits * PRICES_USD.dynamoDbPerWriteRequestUnit +
        aws.dynamoDb.readUnits * PRICES_USD.dynamoDbPerReadRequestUnit,
      secretsManager: (aws.requests['secretsManager.GetSecretValue'] ?? 0) * PRICES_USD.secretsManagerPerCall,
    },
    scale,
  );
  const other = scaled(
    {
      lambdaDuration: requestsPerTurn(figures).lambdaGbSeconds * turns * PRICES_USD.lambdaArmPerGbSecond,
      cloudWatchLogs: (logBytes / 1024 ** 3) * PRICES_USD.cloudWatchLogsPerGbIngested,
      xRay: invocations * XRAY_SAMPLED_SHARE * PRICES_USD.xRayPerTraceRecorded,
    },
    scale,
  );
  return {
    requestFees: requests.out,
    requestFeesTotal: round(requests.sum, 5),
    other: other.out,
    total: round(requests.sum + other.sum, 5),
  };
}

/** What the replies of a run were, as Twilio bills them. */
export interface OutboundMessageCounts {
  /** Segments of the replies sent as SMS. */
  readonly smsSegments: number;
  /** Replies sent as MMS (one bill each, whatever the text's length). */
  readonly mmsMessages: number;
}

/** Twilio's own fees per 1,000 turns, SMS and MMS apart; not part of the request fees. */
export interface TwilioFeesPerThousandTurns {
  readonly smsSegments: number;
  readonly mmsMessages: number;
  readonly sms: number;
  readonly mms: number;
  readonly total: number;
}

/** Twilio's outbound fees per 1,000 turns at US list prices (bench/prices.ts), MMS priced apart. */
export function twilioFeesPerThousandTurns(
  turns: number,
  outbound: OutboundMessageCounts,
): TwilioFeesPerThousandTurns {
  const scale = 1000 / turns;
  const sms = outbound.smsSegments * TWILIO_US_PRICES_USD.smsOutboundPerSegment * scale;
  const mms = outbound.mmsMessages * TWILIO_US_PRICES_USD.mmsOutboundPerMessage * scale;
  return {
    smsSegments: round(outbound.smsSegments * scale, 2),
    mmsMessages: round(outbound.mmsMessages * scale, 2),
    sms: round(sms, 5),
    mms: round(mms, 5),
    total: round(sms + mms, 5),
  };
}
