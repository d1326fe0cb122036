import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../runtime/http-body';
import { forwardRequest } from '../runtime/http-forward';
import { closeServer, httpOrigin } from '../runtime/net';

/**
 * IAM's `dynamodb:LeadingKeys` condition, locally: a proxy in front of DynamoDB Local for one
 * function that refuses, as AWS does (400 AccessDeniedException), any item request whose partition
 * keys do not all start with one of the function's prefixes (for reads, or one of its read-only ones) (lib/topology.ts tableItemPrefixes,
 * the same list the CDK stack writes into the function's policy). So every test that runs the
 * local stack also checks that the functions stay inside their grants.
 */
export interface LeadingKeysGuard {
  readonly endpoint: string;
  /** Requests refused so far, e.g. `PutItem SEND#demo#SM1-0`. */
  refusals(): string[];
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
type AttributeMap = Record<string, { S?: string } | undefined>;

const PARTITION_KEY = 'pk';
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

function partitionKeyOf(map: unknown): string | undefined {
  return (map as AttributeMap | undefined)?.[PARTITION_KEY]?.S;
}

/** The value a Query's key condition binds to the table's partition key. */
function queriedPartitionKey(input: Json): string | undefined {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, { S?: string }>;
  for (const match of String(input.KeyConditionExpression ?? '').matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    const [, name = '', value = ''] = match;
    if ((names[name] ?? name) === PARTITION_KEY) return values[value]?.S;
  }
  return undefined;
}

/**
 * Every partition key an item request touches; undefined for a request without one (a Scan, which
 * a LeadingKeys condition denies). Index queries are granted apart (QueryOpenMessages): not ours.
 */
export function leadingKeysOf(operation: string, input: Json): string[] | undefined | 'not-an-item-request' {
  const keys = (values: unknown[]) =>
    values.map(partitionKeyOf).filter((key): key is string => key !== undefined);
  switch (operation) {
    case 'GetItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return keys([input.Key]);
    case 'PutItem':
      return keys([input.Item]);
    case 'Query':
      if (input.IndexName !== undefined) return 'not-an-item-request';
      return [queriedPartitionKey(input)].filter((key): key is string => key !== undefined);
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return keys(
        ((input.TransactItems ?? []) as Json[]).flatMap((item) =>
          Object.values(item).map((action) => (action as Json).Key ?? (action as Json).Item),
        ),
      );
    case 'BatchGetItem':
      return keys(
        Object.values((input.RequestItems ?? {}) as Record<string, Json>).flatMap(
          (table) => table.Keys as unknown[],
        ),
      );
    case 'BatchWriteItem':
      return keys(
        Object.values((input.RequestItems ?? {}) as Record<string, Json[]>).flatMap((requests) =>
          requests.map(
            (request) =>
              (request.PutRequest as Json | undefined)?.Item ??
              (request.DeleteRequest as Json | undefined)?.Key,
          ),
        ),
      );
    case 'Scan':
      return undefined;
    default:
      return 'not-an-item-request';
  }
}

/** The item operations IAM counts as reads (lib/function-with-log-group.ts TABLE_READ_ACTIONS). */
const READ_OPERATIONS: ReadonlySet<string> = new Set([
  'GetItem',
  'BatchGetItem',
  'Query',
  'TransactGetItems',
]);

export async function startLeadingKeysGuard(options: {
  readonly upstream: string;
  /** Prefixes the function may read and write. */
  readonly prefixes: readonly string[];
  /** Prefixes the function may only read (lib/topology.ts tableReadOnlyPrefixes). */
  readonly readOnlyPrefixes?: readonly string[];
  readonly functionName: string;
  readonly onRefusal?: (refusal: string) => void;
}): Promise<LeadingKeysGuard> {
  const refused: string[] = [];
  const readable = [...options.prefixes, ...(options.readOnlyPrefixes ?? [])];
  const allowedFor = (operation: string) => {
    const prefixes = READ_OPERATIONS.has(operation) ? readable : options.prefixes;
    return (key: string) => prefixes.some((prefix) => key.startsWith(prefix));
  };
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request, MAX_REQUEST_BYTES);
      const operation =
        String(request.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      const leading = leadingKeysOf(operation, JSON.parse(body.toString('utf8') || '{}') as Json);
      if (
        leading !== 'not-an-item-request' &&
        (!leading || leading.length === 0 || !leading.every(allowedFor(operation)))
      ) {
        const what = `${operation} ${leading?.join(' ') ?? '(no partition key)'}`;
        refused.push(what);
        options.onRefusal?.(`${options.functionName} refused by dynamodb:LeadingKeys: ${what}`);
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(
          JSON.stringify({
            __type: 'com.amazon.coral.service#AccessDeniedException',
            message: `${options.functionName} is not authorized to perform dynamodb:${operation} (dynamodb:LeadingKeys): ${what}`,
          }),
        );
        return;
      }
      const answer = await forwardRequest(options.upstream, request, body);
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    })().catch((error: unknown) => {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: httpOrigin('127.0.0.1', (server.address() as AddressInfo).port),
    refusals: () => [...refused],
    close: () => closeServer(server),
  };
}
