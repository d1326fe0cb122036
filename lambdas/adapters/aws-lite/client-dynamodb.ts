import {
  type ClientConfig,
  commandClass,
  type JsonCommand,
  JsonProtocolClient,
} from './json-protocol-client';
import { exceptionClasses, ServiceException } from './service-exception';

/**
 * Stands in for `@aws-sdk/client-dynamodb` in Lambda bundles (lib/bundling.ts `SDK_ALIASES`): the
 * same names, over {@link JsonProtocolClient}. Only what the handlers use; a missing export fails the
 * build, not a request.
 */
export class DynamoDBServiceException extends ServiceException {}

export const {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  TransactionConflictException,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ResourceNotFoundException,
  ItemCollectionSizeLimitExceededException,
  IdempotentParameterMismatchException,
  TransactionInProgressException,
  InternalServerError,
  ThrottlingException,
} = exceptionClasses(DynamoDBServiceException, [
  'ConditionalCheckFailedException',
  'TransactionCanceledException',
  'TransactionConflictException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ResourceNotFoundException',
  'ItemCollectionSizeLimitExceededException',
  'IdempotentParameterMismatchException',
  'TransactionInProgressException',
  'InternalServerError',
  'ThrottlingException',
]);

/** Binary attribute values (`B`, `BS`) come back as bytes, as the SDK returns them. */
function reviveBinary(key: string, value: unknown): unknown {
  if (key === 'B' && typeof value === 'string') return Uint8Array.from(Buffer.from(value, 'base64'));
  if (key === 'BS' && Array.isArray(value)) {
    return value.map((item) =>
      typeof item === 'string' ? Uint8Array.from(Buffer.from(item, 'base64')) : item,
    );
  }
  return value;
}

const DYNAMODB = {
  signingName: 'dynamodb',
  endpointEnvSuffix: 'DYNAMODB',
  targetPrefix: 'DynamoDB_20120810',
  jsonVersion: '1.0',
  exceptions: {
    ConditionalCheckFailedException,
    TransactionCanceledException,
    TransactionConflictException,
    ProvisionedThroughputExceededException,
    RequestLimitExceeded,
    ResourceNotFoundException,
    ItemCollectionSizeLimitExceededException,
    IdempotentParameterMismatchException,
    TransactionInProgressException,
    InternalServerError,
    ThrottlingException,
  },
  baseException: DynamoDBServiceException,
  reviver: reviveBinary,
} as const;

export class DynamoDBClient {
  private readonly rpc: JsonProtocolClient;

  constructor(config: ClientConfig = {}) {
    this.rpc = new JsonProtocolClient(DYNAMODB, config);
  }

  send(command: JsonCommand) {
    return this.rpc.call(command.operation, command.input);
  }

  destroy(): void {
    this.rpc.destroy();
  }
}

export const GetItemCommand = commandClass('GetItem');
export const PutItemCommand = commandClass('PutItem');
export const UpdateItemCommand = commandClass('UpdateItem');
export const DeleteItemCommand = commandClass('DeleteItem');
export const QueryCommand = commandClass('Query');
export const ScanCommand = commandClass('Scan');
export const BatchGetItemCommand = commandClass('BatchGetItem');
export const BatchWriteItemCommand = commandClass('BatchWriteItem');
export const TransactGetItemsCommand = commandClass('TransactGetItems');
export const TransactWriteItemsCommand = commandClass('TransactWriteItems');
