import { randomUUID } from 'node:crypto';
import {
  type ClientConfig,
  commandClass,
  type JsonCommand,
  JsonProtocolClient,
} from './json-protocol-client';
import { exceptionClasses, ServiceException } from './service-exception';

/**
 * Stands in for `@aws-sdk/client-secrets-manager` in Lambda bundles (lib/bundling.ts
 * `SDK_ALIASES`), over Secrets Manager's JSON 1.1 protocol.
 */
export class SecretsManagerServiceException extends ServiceException {}

export const {
  ResourceNotFoundException,
  ResourceExistsException,
  InvalidRequestException,
  InvalidParameterException,
  DecryptionFailure,
  InternalServiceError,
  LimitExceededException,
} = exceptionClasses(SecretsManagerServiceException, [
  'ResourceNotFoundException',
  'ResourceExistsException',
  'InvalidRequestException',
  'InvalidParameterException',
  'DecryptionFailure',
  'InternalServiceError',
  'LimitExceededException',
]);

/** Operations whose idempotency token the SDK generates when the caller gives none. */
const IDEMPOTENT_OPERATIONS = new Set(['CreateSecret', 'PutSecretValue', 'UpdateSecret', 'RotateSecret']);

const SECRETS_MANAGER = {
  signingName: 'secretsmanager',
  endpointEnvSuffix: 'SECRETS_MANAGER',
  targetPrefix: 'secretsmanager',
  jsonVersion: '1.1',
  exceptions: {
    ResourceNotFoundException,
    ResourceExistsException,
    InvalidRequestException,
    InvalidParameterException,
    DecryptionFailure,
    InternalServiceError,
    LimitExceededException,
  },
  baseException: SecretsManagerServiceException,
  reviver: (key: string, value: unknown) =>
    key === 'SecretBinary' && typeof value === 'string'
      ? Uint8Array.from(Buffer.from(value, 'base64'))
      : value,
  prepareInput: (operation: string, input: Record<string, unknown>) =>
    IDEMPOTENT_OPERATIONS.has(operation) && input.ClientRequestToken === undefined
      ? { ...input, ClientRequestToken: randomUUID() }
      : input,
} as const;

export class SecretsManagerClient {
  private readonly rpc: JsonProtocolClient;

  constructor(config: ClientConfig = {}) {
    this.rpc = new JsonProtocolClient(SECRETS_MANAGER, config);
  }

  send(command: JsonCommand) {
    return this.rpc.call(command.operation, command.input);
  }

  destroy(): void {
    this.rpc.destroy();
  }
}

export const GetSecretValueCommand = commandClass('GetSecretValue');
export const DescribeSecretCommand = commandClass('DescribeSecret');
export const CreateSecretCommand = commandClass('CreateSecret');
export const PutSecretValueCommand = commandClass('PutSecretValue');
export const UpdateSecretCommand = commandClass('UpdateSecret');
