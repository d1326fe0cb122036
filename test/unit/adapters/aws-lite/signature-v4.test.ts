import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signRequest } from '../../../../lambdas/adapters/aws-lite/signature-v4';

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** node:crypto as the Checksum the SDK's signer expects (HMAC when given a secret). */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

async function sdkAuthorization(input: {
  url: URL;
  body: string;
  target: string;
  service: string;
  sessionToken?: string;
  now: Date;
}) {
  const signer = new SignatureV4({
    service: input.service,
    region: 'us-east-1',
    sha256: NodeSha256,
    // x-amz-content-sha256 is optional outside S3; without it both sign the same header set.
    applyChecksum: false,
    credentials: {
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      ...(input.sessionToken ? { sessionToken: input.sessionToken } : {}),
    },
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: input.url.protocol,
      hostname: input.url.hostname,
      ...(input.url.port ? { port: Number(input.url.port) } : {}),
      path: input.url.pathname,
      query: {},
      headers: {
        host: input.url.host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': input.target,
      },
      body: input.body,
    },
    { signingDate: input.now },
  );
  return signed.headers.authorization;
}

describe('aws-lite SigV4', () => {
  it('signs exactly as the SDK signer does, with and without a session token', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('https://dynamodb.us-east-1.amazonaws.com/', 'http://127.0.0.1:4566/'),
        fc.string(),
        fc.option(
          fc.string({ minLength: 1 }).map((token) => token.replace(/\s/g, 'x')),
          { nil: undefined },
        ),
        fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
        async (endpoint, body, sessionToken, now) => {
          const url = new URL(endpoint);
          const ours = signRequest({
            method: 'POST',
            url,
            headers: {
              'content-type': 'application/x-amz-json-1.0',
              'x-amz-target': 'DynamoDB_20120810.GetItem',
            },
            body,
            service: 'dynamodb',
            region: 'us-east-1',
            credentials: {
              accessKeyId: 'AKIDEXAMPLE',
              secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
              ...(sessionToken ? { sessionToken } : {}),
            },
            now,
          });
          const sdk = await sdkAuthorization({
            url,
            body,
            target: 'DynamoDB_20120810.GetItem',
            service: 'dynamodb',
            now,
            ...(sessionToken ? { sessionToken } : {}),
          });
          expect(ours.authorization).toBe(sdk);
        },
      ),
      { numRuns: 50 },
    );
  });
});
