import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { forwardRequest } from '../local/runtime/http-forward';
import type { AwsEndpoints } from '../local/stack';

export type AwsService = keyof AwsEndpoints;

/** DynamoDB operations whose capacity DynamoDB reports when asked (ReturnConsumedCapacity). */
const DYNAMODB_ITEM_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);

interface ConsumedCapacity {
  readonly ReadCapacityUnits?: number;
  readonly WriteCapacityUnits?: number;
  readonly CapacityUnits?: number;
}

export function isFifoQueueRequest(body: Buffer | string): boolean {
  try {
    const queueUrl = (JSON.parse(body.toString()) as { QueueUrl?: unknown }).QueueUrl;
    return typeof queueUrl === 'string' && queueUrl.endsWith('.fifo');
  } catch {
    return false;
  }
}

export interface AwsRequestCounts {
  /** `service.Operation` (e.g. `sqs.SendMessageBatch`) -> requests, failed ones included. */
  readonly requests: Record<string, number>;
  /** Requests answered with an error (e.g. a failed condition): AWS bills them too. */
  readonly failed: Record<string, number>;
  readonly dynamoDb: { readonly readUnits: number; readonly writeUnits: number };
  /**
   * Write units by operation and item kind (`TransactWriteItems:C/R+C/DUE`: the items' key shapes,
   * ids stripped): where the writes go.
   */
  readonly dynamoDbWritesByKind: Record<string, number>;
  /** SQS requests to FIFO queues (priced higher than standard ones). */
  readonly sqsFifoRequests: number;
}

/**
 * Counts what the functions ask of AWS by standing between them and the stand-ins: one HTTP proxy
 * per service, so nothing is added to the handlers. DynamoDB item requests are forwarded with
 * `ReturnConsumedCapacity: TOTAL` so DynamoDB Local reports the capacity units they cost; a failed
 * conditional write reports none, but costs its item's write units in AWS, so it is counted as one
 * write unit per item (our items are far below 1 KB).
 */
export class AwsRequestCounter {
  private requests = new Map<string, number>();
  private failed = new Map<string, number>();
  private readUnits = 0;
  private writeUnits = 0;
  private writesByKind = new Map<string, number>();
  private sqsFifoRequests = 0;
  private readonly servers: http.Server[] = [];

  /** Starts one proxy per stand-in; give the result to `startLocalStack({ functionAwsEndpoints })`. */
  async proxyAll(standIns: AwsEndpoints): Promise<AwsEndpoints> {
    const [dynamodb, sqs, secretsManager] = await Promise.all([
      this.proxy('dynamodb', standIns.dynamodb),
      this.proxy('sqs', standIns.sqs),
      this.proxy('secretsManager', standIns.secretsManager),
    ]);
    return { dynamodb, sqs, secretsManager };
  }

  reset(): void {
    this.requests = new Map();
    this.failed = new Map();
    this.readUnits = 0;
    this.writeUnits = 0;
    this.writesByKind = new Map();
    this.sqsFifoRequests = 0;
  }

  snapshot(): AwsRequestCounts {
    return {
      requests: Object.fromEntries([...this.requests].sort()),
      failed: Object.fromEntries([...this.failed].sort()),
      dynamoDb: { readUnits: this.readUnits, writeUnits: this.writeUnits },
      dynamoDbWritesByKind: Object.fromEntries([...this.writesByKind].sort(([, a], [, b]) => b - a)),
      sqsFifoRequests: this.sqsFifoRequests,
    };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  }

  private async proxy(service: AwsService, target: string): Promise<string> {
    const upstream = new URL(target);
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        void this.forward(service, upstream, request, Buffer.concat(chunks))
          .then(({ status, headers, body }) => {
            response.writeHead(status, headers);
            response.end(body);
          })
          .catch((error: unknown) => {
            response.writeHead(502, { 'content-type': 'text/plain' });
            response.end(String(error));
          });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private async forward(service: AwsService, upstream: URL, request: http.IncomingMessage, body: Buffer) {
    const operation =
      String(request.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() || 'unknown';
    const key = `${service}.${operation}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);

    if (service === 'sqs' && isFifoQueueRequest(body)) this.sqsFifoRequests++;
    let sent = body;
    const askCapacity = service === 'dynamodb' && DYNAMODB_ITEM_OPERATIONS.has(operation);
    let itemCount = 1;
    let kind = operation;
    if (askCapacity) {
      const input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      if (Array.isArray(input.TransactItems)) itemCount = input.TransactItems.length;
      kind = `${operation}:${itemKinds(input)}`;
      // DynamoDB Local checks no signatures, so the body may change after signing.
      sent = Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'TOTAL' }));
    }
    const answer = await forwardRequest(upstream, request, sent);
    const text = answer.body.toString('utf8');
    if (answer.status >= 400) this.failed.set(key, (this.failed.get(key) ?? 0) + 1);
    if (askCapacity) {
      const before = this.writeUnits;
      this.addCapacity(operation, answer.status, text, itemCount);
      const written = this.writeUnits - before;
      if (written > 0) this.writesByKind.set(kind, (this.writesByKind.get(kind) ?? 0) + written);
    }
    return answer;
  }

  private addCapacity(operation: string, status: number, text: string, itemCount: number): void {
    const isWrite = /Put|Update|Delete|Write/.test(operation);
    if (status >= 400) {
      // A failed condition still costs the write (a cancelled transaction: every item's, twice).
      if (isWrite) this.writeUnits += operation === 'TransactWriteItems' ? 2 * itemCount : 1;
      return;
    }
    const consumed = (JSON.parse(text) as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
      .ConsumedCapacity;
    if (operation === 'TransactWriteItems') {
      // DynamoDB Local under-reports transactions (an item that updates an existing item often
      // reports nothing); AWS bills two write units per item and KB, so count at least that.
      const reported = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce(
        (sum, entry) => sum + (entry.WriteCapacityUnits ?? entry.CapacityUnits ?? 0),
        0,
      );
      this.writeUnits += Math.max(reported, 2 * itemCount);
      return;
    }
    for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      const read = entry.ReadCapacityUnits ?? 0;
      const write = entry.WriteCapacityUnits ?? 0;
      if (read === 0 && write === 0) {
        if (isWrite) this.writeUnits += entry.CapacityUnits ?? 0;
        else this.readUnits += entry.CapacityUnits ?? 0;
      } else {
        this.readUnits += read;
        this.writeUnits += write;
      }
    }
  }
}

/** `C/R`, `MESSAGE/META`: an item key's shape, its ids stripped (the text before each `#`). */
function keyShape(key: unknown): string {
  const attributes = (key ?? {}) as Record<string, { S?: string } | undefined>;
  return ['pk', 'sk'].map((name) => (attributes[name]?.S ?? '?').split('#')[0]).join('/');
}

/** The kinds of item a DynamoDB request writes or reads, joined by `+`. */
function itemKinds(input: Record<string, unknown>): string {
  if (Array.isArray(input.TransactItems)) {
    return (input.TransactItems as Record<string, { Key?: unknown; Item?: unknown } | undefined>[])
      .map((item) => {
        const [action, request] = Object.entries(item)[0] ?? ['?', undefined];
        return `${action}(${keyShape(request?.Key ?? request?.Item)})`;
      })
      .join('+');
  }
  return keyShape(input.Key ?? input.Item);
}
