/**
 * The one price table the bench turns request counts into dollars with: AWS list prices, us-east-1,
 * on-demand, first volume tier, free tiers ignored (they are per account, not per turn). Checked
 * 2026-12-02 against the services' pricing pages:
 * - API Gateway REST API: https://aws.amazon.com/api-gateway/pricing/ ($3.50 per million, first 333 M)
 * - Lambda: https://aws.amazon.com/lambda/pricing/ ($0.20 per million requests; Arm $0.0000133334 per GB-s)
 * - SQS: https://aws.amazon.com/sqs/pricing/ ($0.40 per million standard, $0.50 FIFO; per 64 KB chunk)
 * - DynamoDB on-demand, Standard table class: https://aws.amazon.com/dynamodb/pricing/on-demand/
 *   ($0.625 per million write request units, $0.125 per million read request units, since 2024-11-01)
 * - Secrets Manager: https://aws.amazon.com/secrets-manager/pricing/ ($0.05 per 10,000 API calls)
 * - CloudWatch Logs: https://aws.amazon.com/cloudwatch/pricing/ ($0.50 per GB ingested, Standard class)
 * - X-Ray: https://aws.amazon.com/xray/pricing/ ($5.00 per million traces recorded)
 * Per-month fixed costs (secrets at $0.40 each, custom metrics, storage, idle long polls of the event
 * source mappings) do not grow with turns and are left out of the per-turn figure.
 */
export const PRICES_USD = {
  apiGatewayRestPerRequest: 3.5 / 1e6,
  lambdaPerRequest: 0.2 / 1e6,
  lambdaArmPerGbSecond: 0.0000133334,
  sqsStandardPerRequest: 0.4 / 1e6,
  sqsFifoPerRequest: 0.5 / 1e6,
  dynamoDbPerWriteRequestUnit: 0.625 / 1e6,
  dynamoDbPerReadRequestUnit: 0.125 / 1e6,
  secretsManagerPerCall: 0.05 / 1e4,
  cloudWatchLogsPerGbIngested: 0.5,
  xRayPerTraceRecorded: 5 / 1e6,
} as const;

/**
 * X-Ray's default sampling rule: the first request each second and 5% of the rest. At steady
 * traffic above 1 request/s per function, 5% of invocations are traced.
 */
export const XRAY_SAMPLED_SHARE = 0.05;

export const PRICES_CHECKED_ON = '2026-12-02';

/**
 * Twilio's US list prices for outbound messages (https://www.twilio.com/en-us/sms/pricing/us; carrier
 * fees extra): an SMS is billed per segment, an MMS per message whatever its text length (up to 1600
 * characters). Twilio's fees are not in the request fees the budget is about (AWS only): the bench
 * reports them on a line of their own, MMS apart from SMS.
 */
export const TWILIO_US_PRICES_USD = {
  smsOutboundPerSegment: 0.0083,
  mmsOutboundPerMessage: 0.022,
} as const;
