import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Created once per container; endpoints come from the SDK's standard AWS_ENDPOINT_URL_* settings. */
export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/**
 * Sends to the endpoint the SDK resolves (AWS_ENDPOINT_URL_SQS when set) rather than to the
 * queue URL's host: identical in AWS, and required for emulators whose queue URLs name hosts
 * that do not resolve.
 */
export function sqsClient(): SQSClient {
  return new SQSClient({ useQueueUrlAsEndpoint: false });
}
