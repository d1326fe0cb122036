/** What the SDK puts on every output and error: handlers and logs may read it. */
export interface ResponseMetadata {
  readonly httpStatusCode?: number;
  readonly requestId?: string;
  readonly attempts: number;
  readonly totalRetryDelay: number;
}

export interface ServiceExceptionOptions {
  readonly name: string;
  readonly message: string;
  readonly $fault: 'client' | 'server';
  readonly $metadata: ResponseMetadata;
  /** The error's modelled members (e.g. `CancellationReasons`, `Item`), copied onto the error. */
  readonly members?: Record<string, unknown>;
}

/**
 * Shaped like the SDK's `ServiceException`: `name` is the service's error code, `$fault` and
 * `$metadata` as in SDK v3, the modelled members as properties. Services export subclasses so that
 * `instanceof ConditionalCheckFailedException` keeps working in bundled code.
 */
export class ServiceException extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: ResponseMetadata;

  constructor(options: ServiceExceptionOptions) {
    super(options.message);
    Object.assign(this, options.members);
    this.name = options.name;
    this.$fault = options.$fault;
    this.$metadata = options.$metadata;
  }
}

export type ServiceExceptionClass = new (options: ServiceExceptionOptions) => ServiceException;

/** Subclasses named after the service's error codes, for `instanceof` checks. */
export function exceptionClasses<const Names extends readonly string[]>(
  base: ServiceExceptionClass,
  names: Names,
): Record<Names[number], ServiceExceptionClass> {
  const classes = {} as Record<string, ServiceExceptionClass>;
  for (const name of names) {
    // A named class expression per code: the class's own `name` matches the error code.
    classes[name] = { [name]: class extends base {} }[name] as ServiceExceptionClass;
  }
  return classes as Record<Names[number], ServiceExceptionClass>;
}
