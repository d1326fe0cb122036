import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsClientTimeouts, awsClientConfig } from './clients';
import { tracer } from './observability';

/**
 * The DynamoDB document client, configured as every client is (lambdas/shared/clients.ts) and
 * created once per container. A module of its own: `@aws-sdk/lib-dynamodb` does not declare itself
 * free of side effects, so a function that imported it without using it (ingest) would bundle the
 * DynamoDB client all the same (~40 KB).
 */
export function documentClient(timeouts?: AwsClientTimeouts): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    tracer.captureAWSv3Client(new DynamoDBClient(awsClientConfig(timeouts))),
    {
      marshallOptions: { removeUndefinedValues: true },
    },
  );
}
