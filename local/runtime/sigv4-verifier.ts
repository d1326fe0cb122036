import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * What API Gateway does for a method with `AuthorizationType.IAM`, for the few principals the local
 * stack has: the request must carry a SigV4 `Authorization` header for service `execute-api`, made
 * with one principal's static credentials, over exactly this method, path, query, signed headers
 * and body, dated within five minutes. There is no IAM locally: "allowed to invoke" means "holds
 * the credentials of a principal whose `tenants` include the path's tenant", the local stand-in for
 * the RestApi's resource policy (lib/webhook-api.ts `tenantBindingPolicy`, docs/api.md).
 */
export interface LocalPrincipal {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /** Shown to the function as `requestContext.identity.userArn`, as API Gateway does. */
  readonly userArn: string;
  /**
   * The tenants whose `{tenantId}` paths it may invoke: its `smsTenant` tag in AWS. `'*'` (the
   * default): every tenant, the local operator; no such principal exists under the AWS resource
   * policy, where every caller is bound to its one tagged tenant.
   */
  readonly tenants?: readonly string[] | '*';
}

/** Does the principal's tenant list let it invoke `{tenantId}` = `tenantId`? Exact, case-sensitive, as IAM matches ARNs. */
export function allowsTenant(tenants: readonly string[] | '*', tenantId: string): boolean {
  return tenants === '*' || tenants.includes(tenantId);
}

export interface SignedRequest {
  readonly method: string;
  /** Path as received (percent-encoded), without the query. */
  readonly path: string;
  readonly rawQuery: string;
  /** Node's rawHeaders: name, value, name, value... */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

export type Verification =
  | { ok: true; accessKey: string; userArn: string; region: string; tenants: readonly string[] | '*' }
  | { ok: false; errorType: string; message: string };

const MAX_SKEW_MS = 5 * 60_000;
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** node:crypto as the Checksum SignatureV4 hashes and HMACs with (no @aws-crypto dependency). */
export class NodeSha256 {
  private hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }
  private fresh() {
    if (this.secret === undefined) return createHash('sha256');
    const key =
      typeof this.secret === 'string'
        ? this.secret
        : ArrayBuffer.isView(this.secret)
          ? Buffer.from(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength)
          : Buffer.from(this.secret);
    return createHmac('sha256', key);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(
      typeof data === 'string'
        ? data
        : ArrayBuffer.isView(data)
          ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
          : Buffer.from(data),
    );
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

function headerMap(rawHeaders: readonly string[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const value = rawHeaders[i + 1] ?? '';
    headers.set(name, headers.has(name) ? `${headers.get(name)},${value}` : value);
  }
  return headers;
}

/** `20240101T120000Z` as a Date. */
function amzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
}

function query(rawQuery: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    const existing = result[name];
    result[name] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return result;
}

function refuse(errorType: string, message: string): Verification {
  return { ok: false, errorType, message };
}

/** Checks the signature against the principal whose access key the request names (one or several known). */
export async function verifySigV4(
  request: SignedRequest,
  principals: LocalPrincipal | readonly LocalPrincipal[],
  now: Date = new Date(),
  /** The signing name the credential must be scoped to: `execute-api`, or another stand-in's (`bedrock`). */
  service = 'execute-api',
): Promise<Verification> {
  const headers = headerMap(request.rawHeaders);
  const authorization = headers.get('authorization');
  if (!authorization) return refuse('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const parts = AUTHORIZATION.exec(authorization);
  if (!parts) return refuse('IncompleteSignatureException', 'Authorization header is not a SigV4 signature');
  const [, accessKeyId, day, region, scopeService, signedList, signature] = parts as unknown as string[];
  const known: readonly LocalPrincipal[] = Array.isArray(principals) ? principals : [principals];
  const principal = known.find((candidate) => candidate.accessKeyId === accessKeyId);
  if (!principal)
    return refuse('UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (scopeService !== service || region !== principal.region)
    return refuse(
      'InvalidSignatureException',
      `Credential should be scoped to ${principal.region}/${service}`,
    );
  const signedNames = (signedList as string).split(';');
  if (!signedNames.includes('host'))
    return refuse('InvalidSignatureException', "'Host' must be a signed header");
  const dateHeader = headers.get('x-amz-date');
  const signingDate = dateHeader ? amzDate(dateHeader) : undefined;
  if (!signingDate || !dateHeader?.startsWith(day as string))
    return refuse('IncompleteSignatureException', 'X-Amz-Date must be signed and match the credential scope');
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_SKEW_MS)
    return refuse(
      'InvalidSignatureException',
      'Signature expired: the request is dated more than 5 minutes away',
    );
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  const claimedHash = headers.get('x-amz-content-sha256');
  if (claimedHash !== undefined && claimedHash !== bodyHash)
    return refuse('InvalidSignatureException', 'x-amz-content-sha256 does not match the body');

  const signedHeaders: Record<string, string> = {};
  for (const name of signedNames) {
    const value = headers.get(name);
    if (value === undefined) return refuse('InvalidSignatureException', `signed header ${name} is missing`);
    signedHeaders[name] = value;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey },
    region: principal.region,
    service,
    sha256: NodeSha256,
    // Hash exactly the headers the caller signed; never add x-amz-content-sha256 of our own.
    applyChecksum: false,
  });
  const expected = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: signedHeaders.host ?? '',
      // The path exactly as received: the signer URI-encodes it once more, as SigV4 wants for every
      // service but S3 ("each path segment must be URI-encoded twice") and as clients do when they
      // sign. Decoding it first would make `%2F` inside a segment a separator, so a signed
      // `/v1/tenants/demo%2F..%2Fother/…` would be checked as `/v1/tenants/other/…`.
      path: request.path,
      query: query(request.rawQuery),
      headers: signedHeaders,
      body: request.body,
    },
    { signingDate, signableHeaders: new Set(signedNames) },
  );
  const expectedSignature =
    /Signature=([0-9a-f]{64})$/.exec(String(expected.headers.authorization))?.[1] ?? '';
  const matches =
    expectedSignature.length === (signature as string).length &&
    timingSafeEqual(Buffer.from(expectedSignature), Buffer.from(signature as string));
  if (!matches)
    return refuse(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided.',
    );
  return {
    ok: true,
    accessKey: principal.accessKeyId,
    userArn: principal.userArn,
    region: principal.region,
    tenants: principal.tenants ?? '*',
  };
}
