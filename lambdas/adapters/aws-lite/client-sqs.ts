import {
  type ClientConfig,
  commandClass,
  type JsonCommand,
  JsonProtocolClient,
} from './json-protocol-client';
import { exceptionClasses, ServiceException } from './service-exception';

/**
 * Stands in for `@aws-sdk/client-sqs` in Lambda bundles (lib/bundling.ts `SDK_ALIASES`), over SQS's
 * JSON protocol. Requests always go to the resolved endpoint, never to the queue URL's host: the
 * SDK's `useQueueUrlAsEndpoint: false`, which the handlers set (the same host in AWS; emulators'
 * queue URLs name hosts that do not resolve).
 */
export class SQSServiceException extends ServiceException {}

export const {
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  MessageNotInflight,
  InvalidMessageContents,
  BatchEntryIdsNotDistinct,
  TooManyEntriesInBatchRequest,
  EmptyBatchRequest,
  RequestThrottled,
  InvalidAddress,
  InvalidSecurity,
} = exceptionClasses(SQSServiceException, [
  'QueueDoesNotExist',
  'ReceiptHandleIsInvalid',
  'MessageNotInflight',
  'InvalidMessageContents',
  'BatchEntryIdsNotDistinct',
  'TooManyEntriesInBatchRequest',
  'EmptyBatchRequest',
  'RequestThrottled',
  'InvalidAddress',
  'InvalidSecurity',
]);

const SQS = {
  signingName: 'sqs',
  endpointEnvSuffix: 'SQS',
  targetPrefix: 'AmazonSQS',
  jsonVersion: '1.0',
  exceptions: {
    QueueDoesNotExist,
    ReceiptHandleIsInvalid,
    MessageNotInflight,
    InvalidMessageContents,
    BatchEntryIdsNotDistinct,
    TooManyEntriesInBatchRequest,
    EmptyBatchRequest,
    RequestThrottled,
    InvalidAddress,
    InvalidSecurity,
  },
  baseException: SQSServiceException,
} as const;

export class SQSClient {
  private readonly rpc: JsonProtocolClient;

  constructor(config: ClientConfig & { useQueueUrlAsEndpoint?: boolean } = {}) {
    this.rpc = new JsonProtocolClient(SQS, config);
  }

  send(command: JsonCommand) {
    return this.rpc.call(command.operation, command.input);
  }

  destroy(): void {
    this.rpc.destroy();
  }
}

export const SendMessageCommand = commandClass('SendMessage');
export const SendMessageBatchCommand = commandClass('SendMessageBatch');
export const ReceiveMessageCommand = commandClass('ReceiveMessage');
export const DeleteMessageCommand = commandClass('DeleteMessage');
export const DeleteMessageBatchCommand = commandClass('DeleteMessageBatch');
export const ChangeMessageVisibilityCommand = commandClass('ChangeMessageVisibility');
export const ChangeMessageVisibilityBatchCommand = commandClass('ChangeMessageVisibilityBatch');
export const GetQueueAttributesCommand = commandClass('GetQueueAttributes');
export const GetQueueUrlCommand = commandClass('GetQueueUrl');
