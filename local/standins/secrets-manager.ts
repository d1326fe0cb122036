import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyTooLargeError, readBody } from '../runtime/http-body';
import { closeServer, httpOrigin } from '../runtime/net';
import {
  type ListFilter,
  type SecretMetadata,
  SecretsManagerError,
  SecretsStore,
  type SecretValue,
} from './secrets-store';

/**
 * A local Secrets Manager endpoint speaking the AWS JSON 1.1 protocol (`X-Amz-Target:
 * secretsmanager.<Operation>`), enough for SDK v3 clients and Powertools Parameters pointed at it
 * with `endpoint` or AWS_ENDPOINT_URL_SECRETS_MANAGER. No emulator for it exists on npm.
 */
export interface SecretsManagerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Region in the ARNs, default us-east-1. */
  readonly region?: string;
}

export interface LocalSecretsManager {
  readonly endpoint: string;
  readonly port: number;
  /** Requests per operation since start, e.g. `{ GetSecretValue: 3 }`. */
  calls(): Record<string, number>;
  close(): Promise<void>;
}

const ACCOUNT_ID = '000000000000';
const TARGET_PREFIX = 'secretsmanager.';
/** Secrets are at most 64 KB; a request carrying more is not a Secrets Manager request. */
const MAX_REQUEST_BYTES = 1024 * 1024;

type JsonObject = Record<string, unknown>;
type Operation = (input: RequestFields) => JsonObject;

/** Reads the request's top-level members, rejecting wrong types the way AWS's validation does. */
class RequestFields {
  constructor(private readonly body: JsonObject) {}

  string(name: string): string | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw serialization(`${name} must be a string`);
    return value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw invalidParameter(`${name} is required`);
    return value;
  }

  number(name: string): number | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number') throw serialization(`${name} must be a number`);
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw serialization(`${name} must be a boolean`);
    return value;
  }

  strings(name: string): string[] | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw serialization(`${name} must be a list of strings`);
    }
    return value;
  }

  tags(name: string): { Key: string; Value: string }[] | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw serialization(`${name} must be a list`);
    return value.map((tag: unknown) => {
      const { Key, Value } = (tag ?? {}) as JsonObject;
      if (typeof Key !== 'string' || typeof Value !== 'string')
        throw serialization('Tag needs Key and Value');
      return { Key, Value };
    });
  }

  filters(): ListFilter[] | undefined {
    const value = this.body.Filters;
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw serialization('Filters must be a list');
    return value.map((filter: unknown) => {
      const { Key, Values } = (filter ?? {}) as JsonObject;
      if (typeof Key !== 'string' || !Array.isArray(Values))
        throw serialization('Filter needs Key and Values');
      return { key: Key, values: Values.map(String) };
    });
  }

  secretValue(): SecretValue {
    const secretString = this.string('SecretString');
    const secretBinary = this.string('SecretBinary');
    return {
      ...(secretString !== undefined ? { secretString } : {}),
      ...(secretBinary !== undefined ? { secretBinary } : {}),
    };
  }
}

function serialization(message: string): SecretsManagerError {
  return new SecretsManagerError('SerializationException', message);
}

function invalidParameter(message: string): SecretsManagerError {
  return new SecretsManagerError('InvalidParameterException', message);
}

/** The JSON protocols carry timestamps as epoch seconds. */
function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

function withoutUndefined(object: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

function metadataShape(secret: SecretMetadata): JsonObject {
  return withoutUndefined({
    ARN: secret.arn,
    Name: secret.name,
    Description: secret.description,
    KmsKeyId: secret.kmsKeyId,
    RotationEnabled: false,
    LastChangedDate: epochSeconds(secret.lastChangedDate),
    LastAccessedDate: secret.lastAccessedDate ? epochSeconds(secret.lastAccessedDate) : undefined,
    DeletedDate: secret.deletedDate ? epochSeconds(secret.deletedDate) : undefined,
    Tags: secret.tags,
    CreatedDate: epochSeconds(secret.createdDate),
  });
}

function operations(store: SecretsStore): Record<string, Operation> {
  return {
    CreateSecret: (input) => {
      const created = store.create({
        name: input.requiredString('Name'),
        clientRequestToken: input.string('ClientRequestToken'),
        description: input.string('Description'),
        kmsKeyId: input.string('KmsKeyId'),
        tags: input.tags('Tags'),
        value: input.secretValue(),
      });
      return withoutUndefined({ ARN: created.arn, Name: created.name, VersionId: created.versionId });
    },
    GetSecretValue: (input) => {
      const version = store.getValue({
        secretId: input.requiredString('SecretId'),
        versionId: input.string('VersionId'),
        versionStage: input.string('VersionStage'),
      });
      return withoutUndefined({
        ARN: version.arn,
        Name: version.name,
        VersionId: version.versionId,
        SecretString: version.secretString,
        SecretBinary: version.secretBinary,
        VersionStages: version.stages,
        CreatedDate: epochSeconds(version.createdDate),
      });
    },
    PutSecretValue: (input) => {
      const put = store.putValue({
        secretId: input.requiredString('SecretId'),
        clientRequestToken: input.string('ClientRequestToken'),
        value: input.secretValue(),
        versionStages: input.strings('VersionStages'),
      });
      return { ARN: put.arn, Name: put.name, VersionId: put.versionId, VersionStages: put.versionStages };
    },
    UpdateSecret: (input) => {
      const updated = store.update({
        secretId: input.requiredString('SecretId'),
        clientRequestToken: input.string('ClientRequestToken'),
        description: input.string('Description'),
        kmsKeyId: input.string('KmsKeyId'),
        value: input.secretValue(),
      });
      return withoutUndefined({ ARN: updated.arn, Name: updated.name, VersionId: updated.versionId });
    },
    UpdateSecretVersionStage: (input) => {
      const moved = store.updateVersionStage({
        secretId: input.requiredString('SecretId'),
        versionStage: input.requiredString('VersionStage'),
        moveToVersionId: input.string('MoveToVersionId'),
        removeFromVersionId: input.string('RemoveFromVersionId'),
      });
      return { ARN: moved.arn, Name: moved.name };
    },
    DescribeSecret: (input) => {
      const secret = store.describe(input.requiredString('SecretId'));
      return { ...metadataShape(secret), VersionIdsToStages: secret.versionIdsToStages };
    },
    ListSecretVersionIds: (input) => {
      const listed = store.listVersionIds(input.requiredString('SecretId'));
      const includeDeprecated = input.boolean('IncludeDeprecated') ?? false;
      return {
        ARN: listed.arn,
        Name: listed.name,
        Versions: listed.versions
          .filter((version) => includeDeprecated || version.stages.length > 0)
          .map((version) => ({
            VersionId: version.versionId,
            VersionStages: version.stages,
            CreatedDate: epochSeconds(version.createdDate),
          })),
      };
    },
    ListSecrets: (input) => {
      const sortOrder = input.string('SortOrder');
      if (sortOrder !== undefined && sortOrder !== 'asc' && sortOrder !== 'desc') {
        throw invalidParameter('SortOrder must be asc or desc');
      }
      const listed = store.list({
        filters: input.filters(),
        maxResults: input.number('MaxResults'),
        nextToken: input.string('NextToken'),
        includePlannedDeletion: input.boolean('IncludePlannedDeletion'),
        sortOrder,
      });
      return withoutUndefined({
        SecretList: listed.secrets.map((secret) => ({
          ...metadataShape(secret),
          SecretVersionsToStages: secret.versionIdsToStages,
        })),
        NextToken: listed.nextToken,
      });
    },
    DeleteSecret: (input) => {
      const deleted = store.delete({
        secretId: input.requiredString('SecretId'),
        recoveryWindowInDays: input.number('RecoveryWindowInDays'),
        forceDeleteWithoutRecovery: input.boolean('ForceDeleteWithoutRecovery'),
      });
      return { ARN: deleted.arn, Name: deleted.name, DeletionDate: epochSeconds(deleted.deletionDate) };
    },
    RestoreSecret: (input) => {
      const restored = store.restore(input.requiredString('SecretId'));
      return { ARN: restored.arn, Name: restored.name };
    },
    TagResource: (input) => {
      store.tag(input.requiredString('SecretId'), input.tags('Tags') ?? []);
      return {};
    },
    UntagResource: (input) => {
      store.untag(input.requiredString('SecretId'), input.strings('TagKeys') ?? []);
      return {};
    },
  };
}

function reply(response: ServerResponse, status: number, body: JsonObject): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.1',
    'Content-Length': Buffer.byteLength(payload),
    'x-amzn-RequestId': randomUUID(),
  });
  response.end(payload);
}

/** AWS's error shape; SDK v3 names the thrown exception after `__type`. */
function replyError(response: ServerResponse, error: SecretsManagerError, status = 400): void {
  reply(response, status, { __type: error.type, message: error.message });
}

function parseBody(raw: Buffer): JsonObject {
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw serialization('Request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw serialization('Request body must be a JSON object');
  }
  return parsed as JsonObject;
}

export async function startSecretsManager(options: SecretsManagerOptions): Promise<LocalSecretsManager> {
  const host = options.host ?? '127.0.0.1';
  const store = new SecretsStore(options.region ?? 'us-east-1', ACCOUNT_ID);
  const handlers = operations(store);
  const counts = new Map<string, number>();

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = request.headers['x-amz-target'];
    const operation =
      typeof target === 'string' && target.startsWith(TARGET_PREFIX)
        ? target.slice(TARGET_PREFIX.length)
        : '';
    counts.set(operation || '(none)', (counts.get(operation || '(none)') ?? 0) + 1);
    const handler = handlers[operation];
    if (request.method !== 'POST' || !handler) {
      request.resume();
      replyError(
        response,
        new SecretsManagerError(
          'UnknownOperationException',
          `Unknown operation ${operation || String(target)}`,
        ),
      );
      return;
    }
    try {
      const body = parseBody(await readBody(request, MAX_REQUEST_BYTES));
      reply(response, 200, handler(new RequestFields(body)));
    } catch (error) {
      if (error instanceof SecretsManagerError) replyError(response, error);
      else if (error instanceof BodyTooLargeError) {
        replyError(response, new SecretsManagerError('InvalidRequestException', error.message), 413);
      } else {
        replyError(response, new SecretsManagerError('InternalServiceError', String(error)), 500);
      }
    }
  }

  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: httpOrigin(host, port),
    port,
    calls: () => Object.fromEntries(counts),
    close: () => closeServer(server),
  };
}
