import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Deadlines for every AWS call the functions make, as SDK v3 client configuration (the Lambda
 * bundles' aws-lite honors the same, capping each attempt by the invocation's deadline too, see
 * lambdas/shared/invocation-deadline.ts). Without them a stalled connection waits until the
 * invocation times out and the whole batch fails.
 *
 * - requestTimeout 3 s per attempt: in-region DynamoDB item operations and SQS sends answer in
 *   ~10 ms, Secrets Manager's GetSecretValue in ~50 ms, a 1 MB Query page or a transaction well
 *   under 1 s; an attempt still unanswered after 3 s is stalled, not slow. Three such attempts and
 *   their backoff (<= 0.3 s) fit the shortest functions' 10 s (ingest, conversations-api); within
 *   an invocation the deadline cuts them earlier anyway.
 * - connectionTimeout 1 s: a TCP + TLS handshake in-region takes tens of milliseconds; one not
 *   done in 1 s is a dead path, better retried on a new connection.
 * - throwOnRequestTimeout: the SDK's NodeHttpHandler only logs a breached requestTimeout without it.
 * - maxAttempts 3: the SDK's standard mode, stated here so that one place holds every number.
 *
 * Not for SQS long polling (ReceiveMessage with WaitTimeSeconds > 2 answers after up to 20 s): the
 * functions never poll (Lambda's event source mapping does), a CLI that does needs its own timeout.
 *
 * Every client the functions build spreads this (`new SecretsManagerClient({ ...AWS_CLIENT_CONFIG })`
 * where a Secrets Manager client is needed: not built here, so that functions without one do not
 * bundle it).
 */
export const AWS_CLIENT_CONFIG = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
} as const;

/** Created once per container; endpoints come from the SDK's standard AWS_ENDPOINT_URL_* settings. */
export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...AWS_CLIENT_CONFIG }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/**
 * Sends to the endpoint the SDK resolves (AWS_ENDPOINT_URL_SQS when set) rather than to the
 * queue URL's host: identical in AWS, and required for emulators whose queue URLs name hosts
 * that do not resolve.
 */
export function sqsClient(): SQSClient {
  return new SQSClient({ ...AWS_CLIENT_CONFIG, useQueueUrlAsEndpoint: false });
}
