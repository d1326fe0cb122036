import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

/**
 * The first calls of the cold-start baselines (bench/default-baseline-handler.ts and
 * bench/sdk-external-handler.ts), written as a `cdk init` handler would: SDK v3 clients with
 * default settings built at module scope, a Secrets Manager GetSecretValue (the tenant's Twilio
 * credentials), a DynamoDB GetItem (the number's routing) and an SQS SendMessage (the turn).
 */
const dynamo = new DynamoDBClient({});
const sqs = new SQSClient({});
const secrets = new SecretsManagerClient({});

export async function firstCalls(event: { from?: string; body?: string }) {
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.SECRET_ID }));
  const credentials = JSON.parse(secret.SecretString ?? '{}') as { accountSid: string; authToken: string };
  const number = await dynamo.send(
    new GetItemCommand({
      TableName: process.env.TABLE_NAME,
      Key: { pk: { S: process.env.ITEM_PK ?? '' }, sk: { S: process.env.ITEM_SK ?? '' } },
    }),
  );
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: process.env.QUEUE_URL,
      MessageBody: JSON.stringify({ from: event.from, body: event.body, found: number.Item !== undefined }),
    }),
  );
  return credentials;
}
