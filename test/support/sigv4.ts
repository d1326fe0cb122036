import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../local/runtime/sigv4-verifier';

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

/** What any SigV4 client (the SDK, curl --aws-sigv4, awscurl) sends: signed for execute-api. */
export async function signedRequest(
  url: string,
  init: { method: string; body: string; headers?: Record<string, string> },
  credentials: SigningCredentials,
  signingDate = new Date(),
): Promise<{ url: string; method: string; headers: Record<string, string>; body: string }> {
  const target = new URL(url);
  const signer = new SignatureV4({
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    region: credentials.region,
    service: 'execute-api',
    sha256: NodeSha256,
  });
  const signed = await signer.sign(
    {
      method: init.method,
      protocol: target.protocol,
      hostname: target.hostname,
      ...(target.port ? { port: Number(target.port) } : {}),
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers: { host: target.host, 'content-type': 'application/json', ...init.headers },
      body: init.body,
    },
    { signingDate },
  );
  return { url, method: init.method, headers: signed.headers, body: init.body };
}

/** Signs and sends; the host header is fetch's own (the same value that was signed). */
export async function signedFetch(
  url: string,
  init: { method: string; body: string; headers?: Record<string, string> },
  credentials: SigningCredentials,
  signingDate?: Date,
): Promise<Response> {
  const request = await signedRequest(url, init, credentials, signingDate);
  const { host: _host, ...headers } = request.headers;
  // fetch refuses a body on GET, whose signed payload is the empty string.
  const body = init.method === 'GET' || init.method === 'HEAD' ? {} : { body: init.body };
  return fetch(url, { method: init.method, headers, ...body });
}
