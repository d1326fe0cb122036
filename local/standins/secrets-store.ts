import { randomInt, randomUUID } from 'node:crypto';

/**
 * The state and rules of AWS Secrets Manager that the platform and its tests lean on: secrets
 * addressed by name or ARN, immutable versions, and staging labels that move between versions
 * (AWSCURRENT / AWSPREVIOUS / AWSPENDING, the basis of rotation). The HTTP protocol lives in
 * secrets-manager.ts.
 */
export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';
export const AWSPENDING = 'AWSPENDING';

/** An error AWS reports with this `__type`; the SDK turns it into an exception of that name. */
export class SecretsManagerError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

export interface SecretValue {
  readonly secretString?: string;
  /** Base64, as the JSON protocol carries blobs. */
  readonly secretBinary?: string;
}

export interface SecretVersion extends SecretValue {
  readonly versionId: string;
  readonly createdDate: Date;
  readonly stages: readonly string[];
}

export interface SecretMetadata {
  readonly arn: string;
  readonly name: string;
  readonly description?: string;
  readonly kmsKeyId?: string;
  readonly tags: readonly { Key: string; Value: string }[];
  readonly createdDate: Date;
  readonly lastChangedDate: Date;
  readonly lastAccessedDate?: Date;
  readonly deletedDate?: Date;
  /** Only versions that carry a staging label: the others are deprecated, as AWS reports them. */
  readonly versionIdsToStages: Readonly<Record<string, string[]>>;
}

export interface ListFilter {
  readonly key: string;
  readonly values: readonly string[];
}

export interface ListSecretsInput {
  readonly filters?: readonly ListFilter[];
  readonly maxResults?: number;
  readonly nextToken?: string;
  readonly includePlannedDeletion?: boolean;
  readonly sortOrder?: 'asc' | 'desc';
}

interface StoredVersion extends SecretValue {
  readonly versionId: string;
  readonly createdDate: Date;
}

interface Secret {
  readonly arn: string;
  readonly name: string;
  readonly sequence: number;
  description?: string;
  kmsKeyId?: string;
  readonly tags: Map<string, string>;
  readonly createdDate: Date;
  lastChangedDate: Date;
  lastAccessedDate?: Date;
  deletedDate?: Date;
  deletionDate?: Date;
  readonly versions: Map<string, StoredVersion>;
  /** Staging label -> version id; a label is on at most one version. */
  readonly labels: Map<string, string>;
}

const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const ARN_SUFFIX_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const DAY_MS = 24 * 60 * 60 * 1000;

function notFound(): SecretsManagerError {
  return new SecretsManagerError(
    'ResourceNotFoundException',
    "Secrets Manager can't find the specified secret.",
  );
}

function markedForDeletion(): SecretsManagerError {
  return new SecretsManagerError(
    'InvalidRequestException',
    "You can't perform this operation on the secret because it was marked for deletion.",
  );
}

function invalidParameter(message: string): SecretsManagerError {
  return new SecretsManagerError('InvalidParameterException', message);
}

function arnSuffix(): string {
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += ARN_SUFFIX_CHARS[randomInt(ARN_SUFFIX_CHARS.length)];
  return suffix;
}

function checkOneValue(value: SecretValue, required: boolean): void {
  if (value.secretString !== undefined && value.secretBinary !== undefined) {
    throw invalidParameter(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (required && value.secretString === undefined && value.secretBinary === undefined) {
    throw invalidParameter('You must provide either SecretString or SecretBinary.');
  }
}

function checkVersionId(versionId: string): void {
  if (versionId.length < 32 || versionId.length > 64) {
    throw invalidParameter('ClientRequestToken must be between 32 and 64 characters long.');
  }
}

function hasValue(value: SecretValue): boolean {
  return value.secretString !== undefined || value.secretBinary !== undefined;
}

export class SecretsStore {
  private readonly secrets = new Map<string, Secret>();
  private sequence = 0;

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  create(input: {
    name: string;
    clientRequestToken?: string;
    description?: string;
    kmsKeyId?: string;
    tags?: readonly { Key: string; Value: string }[];
    value: SecretValue;
  }): { arn: string; name: string; versionId?: string } {
    if (!NAME_PATTERN.test(input.name)) throw invalidParameter(`Invalid name: ${input.name}`);
    checkOneValue(input.value, false);
    this.purgeExpiredDeletions();
    const existing = this.secrets.get(input.name);
    if (existing?.deletedDate) {
      throw new SecretsManagerError(
        'InvalidRequestException',
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
      );
    }
    if (existing) {
      throw new SecretsManagerError(
        'ResourceExistsException',
        `The operation failed because the secret ${input.name} already exists.`,
      );
    }
    const now = this.now();
    const secret: Secret = {
      arn: `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${input.name}-${arnSuffix()}`,
      name: input.name,
      sequence: this.sequence++,
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.kmsKeyId !== undefined ? { kmsKeyId: input.kmsKeyId } : {}),
      tags: new Map((input.tags ?? []).map((tag) => [tag.Key, tag.Value])),
      createdDate: now,
      lastChangedDate: now,
      versions: new Map(),
      labels: new Map(),
    };
    this.secrets.set(secret.name, secret);
    if (!hasValue(input.value)) return { arn: secret.arn, name: secret.name };
    const versionId = this.addVersion(secret, input.clientRequestToken, input.value, [AWSCURRENT]);
    return { arn: secret.arn, name: secret.name, versionId };
  }

  getValue(input: { secretId: string; versionId?: string; versionStage?: string }): SecretVersion & {
    arn: string;
    name: string;
  } {
    const secret = this.live(input.secretId);
    const stage = input.versionStage ?? (input.versionId === undefined ? AWSCURRENT : undefined);
    const versionId = input.versionId ?? (stage !== undefined ? secret.labels.get(stage) : undefined);
    const version = versionId !== undefined ? secret.versions.get(versionId) : undefined;
    const stageMatches = stage === undefined || secret.labels.get(stage) === versionId;
    if (!version || !stageMatches) {
      const what =
        input.versionId !== undefined ? `VersionId: ${input.versionId}` : `staging label: ${stage}`;
      throw new SecretsManagerError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for ${what}`,
      );
    }
    secret.lastAccessedDate = this.now();
    return { arn: secret.arn, name: secret.name, ...this.describeVersion(secret, version) };
  }

  /** New version; its labels (default AWSCURRENT) move to it, and a displaced AWSCURRENT becomes AWSPREVIOUS. */
  putValue(input: {
    secretId: string;
    clientRequestToken?: string;
    value: SecretValue;
    versionStages?: readonly string[];
  }): { arn: string; name: string; versionId: string; versionStages: string[] } {
    checkOneValue(input.value, true);
    const secret = this.live(input.secretId);
    const versionId = this.addVersion(
      secret,
      input.clientRequestToken,
      input.value,
      input.versionStages ?? [AWSCURRENT],
    );
    return { arn: secret.arn, name: secret.name, versionId, versionStages: this.stagesOf(secret, versionId) };
  }

  update(input: {
    secretId: string;
    clientRequestToken?: string;
    description?: string;
    kmsKeyId?: string;
    value: SecretValue;
  }): { arn: string; name: string; versionId?: string } {
    checkOneValue(input.value, false);
    const secret = this.live(input.secretId);
    if (input.description !== undefined) secret.description = input.description;
    if (input.kmsKeyId !== undefined) secret.kmsKeyId = input.kmsKeyId;
    secret.lastChangedDate = this.now();
    if (!hasValue(input.value)) return { arn: secret.arn, name: secret.name };
    const versionId = this.addVersion(secret, input.clientRequestToken, input.value, [AWSCURRENT]);
    return { arn: secret.arn, name: secret.name, versionId };
  }

  /** What rotation does to finish: moves a label; moving AWSCURRENT leaves AWSPREVIOUS on the old version. */
  updateVersionStage(input: {
    secretId: string;
    versionStage: string;
    moveToVersionId?: string;
    removeFromVersionId?: string;
  }): { arn: string; name: string } {
    const secret = this.live(input.secretId);
    const holder = secret.labels.get(input.versionStage);
    if (holder !== undefined && holder !== input.removeFromVersionId && holder !== input.moveToVersionId) {
      throw invalidParameter(
        `The staging label ${input.versionStage} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.`,
      );
    }
    if (input.moveToVersionId !== undefined) {
      if (!secret.versions.has(input.moveToVersionId)) throw notFound();
      this.attachLabels(secret, input.moveToVersionId, [input.versionStage]);
    } else if (holder !== undefined) {
      secret.labels.delete(input.versionStage);
    }
    secret.lastChangedDate = this.now();
    return { arn: secret.arn, name: secret.name };
  }

  describe(secretId: string): SecretMetadata {
    return this.metadata(this.resolve(secretId));
  }

  listVersionIds(secretId: string): { arn: string; name: string; versions: SecretVersion[] } {
    const secret = this.resolve(secretId);
    const versions = [...secret.versions.values()].map((version) => this.describeVersion(secret, version));
    return { arn: secret.arn, name: secret.name, versions };
  }

  list(input: ListSecretsInput): { secrets: SecretMetadata[]; nextToken?: string } {
    this.purgeExpiredDeletions();
    const maxResults = input.maxResults ?? 100;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
      throw invalidParameter('MaxResults must be between 1 and 100.');
    }
    const start = input.nextToken === undefined ? 0 : Number.parseInt(input.nextToken, 10);
    if (!Number.isInteger(start) || start < 0) {
      throw new SecretsManagerError('InvalidNextTokenException', 'The NextToken value is invalid.');
    }
    const matching = [...this.secrets.values()]
      .filter((secret) => input.includePlannedDeletion || !secret.deletedDate)
      .filter((secret) => (input.filters ?? []).every((filter) => this.matches(secret, filter)))
      .sort((a, b) => (input.sortOrder === 'desc' ? b.sequence - a.sequence : a.sequence - b.sequence));
    const page = matching.slice(start, start + maxResults).map((secret) => this.metadata(secret));
    const next = start + maxResults;
    return next < matching.length ? { secrets: page, nextToken: String(next) } : { secrets: page };
  }

  delete(input: { secretId: string; recoveryWindowInDays?: number; forceDeleteWithoutRecovery?: boolean }): {
    arn: string;
    name: string;
    deletionDate: Date;
  } {
    if (input.forceDeleteWithoutRecovery && input.recoveryWindowInDays !== undefined) {
      throw invalidParameter(
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      );
    }
    const secret = this.resolve(input.secretId);
    const now = this.now();
    if (input.forceDeleteWithoutRecovery) {
      this.secrets.delete(secret.name);
      return { arn: secret.arn, name: secret.name, deletionDate: now };
    }
    if (secret.deletedDate) throw markedForDeletion();
    const days = input.recoveryWindowInDays ?? 30;
    if (!Number.isInteger(days) || days < 7 || days > 30) {
      throw invalidParameter('RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
    secret.deletedDate = now;
    secret.deletionDate = new Date(now.getTime() + days * DAY_MS);
    return { arn: secret.arn, name: secret.name, deletionDate: secret.deletionDate };
  }

  restore(secretId: string): { arn: string; name: string } {
    const secret = this.resolve(secretId);
    delete secret.deletedDate;
    delete secret.deletionDate;
    return { arn: secret.arn, name: secret.name };
  }

  tag(secretId: string, tags: readonly { Key: string; Value: string }[]): void {
    const secret = this.resolve(secretId);
    for (const tag of tags) secret.tags.set(tag.Key, tag.Value);
  }

  untag(secretId: string, keys: readonly string[]): void {
    const secret = this.resolve(secretId);
    for (const key of keys) secret.tags.delete(key);
  }

  /** By name, full ARN, or partial ARN (without the random suffix), as AWS accepts SecretId. */
  private resolve(secretId: string): Secret {
    this.purgeExpiredDeletions();
    const byName = this.secrets.get(secretId);
    if (byName) return byName;
    if (secretId.startsWith('arn:')) {
      for (const secret of this.secrets.values()) {
        if (secret.arn === secretId || secret.arn.slice(0, -7) === secretId) return secret;
      }
    }
    throw notFound();
  }

  private live(secretId: string): Secret {
    const secret = this.resolve(secretId);
    if (secret.deletedDate) throw markedForDeletion();
    return secret;
  }

  private addVersion(
    secret: Secret,
    clientRequestToken: string | undefined,
    value: SecretValue,
    stages: readonly string[],
  ): string {
    const versionId = clientRequestToken ?? randomUUID();
    checkVersionId(versionId);
    const existing = secret.versions.get(versionId);
    if (existing) {
      // A retried request with the same token is a no-op; a different value under it is refused.
      if (existing.secretString === value.secretString && existing.secretBinary === value.secretBinary) {
        return versionId;
      }
      throw new SecretsManagerError(
        'ResourceExistsException',
        "You can't modify an existing version, you can only create a new version.",
      );
    }
    const now = this.now();
    secret.versions.set(versionId, {
      versionId,
      createdDate: now,
      ...(value.secretString !== undefined ? { secretString: value.secretString } : {}),
      ...(value.secretBinary !== undefined ? { secretBinary: value.secretBinary } : {}),
    });
    this.attachLabels(secret, versionId, stages);
    secret.lastChangedDate = now;
    return versionId;
  }

  private attachLabels(secret: Secret, versionId: string, stages: readonly string[]): void {
    const previousCurrent = secret.labels.get(AWSCURRENT);
    for (const stage of stages) secret.labels.set(stage, versionId);
    if (stages.includes(AWSCURRENT) && previousCurrent !== undefined && previousCurrent !== versionId) {
      secret.labels.set(AWSPREVIOUS, previousCurrent);
    }
  }

  private stagesOf(secret: Secret, versionId: string): string[] {
    return [...secret.labels].filter(([, id]) => id === versionId).map(([stage]) => stage);
  }

  private describeVersion(secret: Secret, version: StoredVersion): SecretVersion {
    return { ...version, stages: this.stagesOf(secret, version.versionId) };
  }

  private metadata(secret: Secret): SecretMetadata {
    const versionIdsToStages: Record<string, string[]> = {};
    for (const [stage, versionId] of secret.labels) {
      versionIdsToStages[versionId] = [...(versionIdsToStages[versionId] ?? []), stage];
    }
    return {
      arn: secret.arn,
      name: secret.name,
      ...(secret.description !== undefined ? { description: secret.description } : {}),
      ...(secret.kmsKeyId !== undefined ? { kmsKeyId: secret.kmsKeyId } : {}),
      tags: [...secret.tags].map(([Key, Value]) => ({ Key, Value })),
      createdDate: secret.createdDate,
      lastChangedDate: secret.lastChangedDate,
      ...(secret.lastAccessedDate ? { lastAccessedDate: secret.lastAccessedDate } : {}),
      ...(secret.deletedDate ? { deletedDate: secret.deletedDate } : {}),
      versionIdsToStages,
    };
  }

  /** Values of one filter are OR'ed, filters AND'ed; a leading `!` negates a value. */
  private matches(secret: Secret, filter: ListFilter): boolean {
    const positive = filter.values.filter((value) => !value.startsWith('!'));
    const negative = filter.values.filter((value) => value.startsWith('!')).map((value) => value.slice(1));
    const hit = (value: string) => this.attributeMatches(secret, filter.key, value);
    return (positive.length === 0 || positive.some(hit)) && !negative.some(hit);
  }

  private attributeMatches(secret: Secret, key: string, value: string): boolean {
    const lower = value.toLowerCase();
    switch (key) {
      case 'name':
        return secret.name.startsWith(value);
      case 'description':
        return (secret.description ?? '').toLowerCase().startsWith(lower);
      case 'tag-key':
        return [...secret.tags.keys()].some((tagKey) => tagKey.startsWith(value));
      case 'tag-value':
        return [...secret.tags.values()].some((tagValue) => tagValue.startsWith(value));
      case 'primary-region':
        return this.region.startsWith(value);
      case 'owning-service':
        return false;
      case 'all': {
        const haystack = [
          secret.name,
          secret.description ?? '',
          ...secret.tags.keys(),
          ...secret.tags.values(),
        ]
          .join(' ')
          .toLowerCase();
        return lower.split(/\s+/).every((word) => haystack.includes(word));
      }
      default:
        throw invalidParameter(`Invalid filter key: ${key}`);
    }
  }

  private purgeExpiredDeletions(): void {
    const now = this.now().getTime();
    for (const [name, secret] of this.secrets) {
      if (secret.deletionDate && secret.deletionDate.getTime() <= now) this.secrets.delete(name);
    }
  }
}
