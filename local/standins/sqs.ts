import type { AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { httpOrigin } from '../runtime/net';

/**
 * fauxqs 1.9.2 in this process: SQS's JSON protocol with FIFO ordering and group locking, dedup
 * ids, visibility timeouts, long polling and redrive to a DLQ. (2.x needs node:sqlite, Node 22.)
 *
 * Its queue URLs name `sqs.<region>.localhost:<port>`, which does not resolve here, so clients must
 * send to the endpoint rather than to the queue URL's host: use sqsClientFor().
 */
export interface SqsOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
}

export interface LocalSqs {
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startSqs(options: SqsOptions): Promise<LocalSqs> {
  const host = options.host ?? '127.0.0.1';
  // buildApp rather than startFauxqs: startFauxqs always listens on 0.0.0.0, and this stays on loopback.
  const app = buildApp({ logger: false });
  await app.listen({ port: options.port, host });
  const { port } = app.server.address() as AddressInfo;
  return {
    endpoint: httpOrigin(host, port),
    port,
    close: async () => {
      await app.close();
    },
  };
}

/** An SQS client that always talks to `endpoint`, whatever host the queue URLs name. */
export function sqsClientFor(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    useQueueUrlAsEndpoint: false,
  });
}
