import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, type marshallOptions, unmarshall, type unmarshallOptions } from '@aws-sdk/util-dynamodb';
import type { DynamoDBClient } from './client-dynamodb';
import type { Output } from './json-protocol-client';

/**
 * Stands in for `@aws-sdk/lib-dynamodb` in Lambda bundles (lib/bundling.ts `SDK_ALIASES`): the
 * document client and its commands, marshalling with the SDK's own `@aws-sdk/util-dynamodb` at the
 * same places lib-dynamodb does (keys, items, expression values; errors are left raw, as there).
 */
type Json = Record<string, unknown>;
type AttributeMap = Record<string, AttributeValue>;

interface TranslateConfig {
  readonly marshallOptions?: marshallOptions;
  readonly unmarshallOptions?: unmarshallOptions;
}

interface Translation {
  readonly toWire: (value: Json) => AttributeMap;
  readonly fromWire: (value: AttributeMap) => Json;
}

interface DocumentCommand {
  readonly operation: string;
  readonly input: Json;
  marshallInput(input: Json, translate: Translation): Json;
  unmarshallOutput(output: Output, translate: Translation): Output;
}

/** Applies `convert` to the named members of `value` that are present. */
function mapMembers(value: Json, names: readonly string[], convert: (member: Json) => unknown): Json {
  const copy: Json = { ...value };
  for (const name of names) if (copy[name] !== undefined) copy[name] = convert(copy[name] as Json);
  return copy;
}

/** Key, Item, ExpressionAttributeValues, ExclusiveStartKey: every map lib-dynamodb marshalls. */
const INPUT_MAPS = ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const;
const OUTPUT_MAPS = ['Item', 'Attributes', 'LastEvaluatedKey'] as const;

function marshallMaps(input: Json, translate: Translation): Json {
  return mapMembers(input, INPUT_MAPS, translate.toWire);
}

function unmarshallMaps(output: Output, translate: Translation): Output {
  const converted = mapMembers(output, OUTPUT_MAPS, (map) =>
    translate.fromWire(map as AttributeMap),
  ) as Output;
  if (Array.isArray(converted.Items)) {
    converted.Items = (converted.Items as AttributeMap[]).map((item) => translate.fromWire(item));
  }
  return converted;
}

function documentCommand(
  operation: string,
  marshallInput: DocumentCommand['marshallInput'] = marshallMaps,
  unmarshallOutput: DocumentCommand['unmarshallOutput'] = unmarshallMaps,
) {
  return class implements DocumentCommand {
    readonly operation = operation;
    readonly marshallInput = marshallInput;
    readonly unmarshallOutput = unmarshallOutput;
    constructor(readonly input: Json) {}
  };
}

const TRANSACT_WRITE_KINDS = ['Put', 'Update', 'Delete', 'ConditionCheck'] as const;

function marshallTransactWrite(input: Json, translate: Translation): Json {
  const items = (input.TransactItems as Json[] | undefined)?.map((item) =>
    mapMembers(item, TRANSACT_WRITE_KINDS, (action) => marshallMaps(action, translate)),
  );
  return { ...input, TransactItems: items };
}

function marshallTransactGet(input: Json, translate: Translation): Json {
  const items = (input.TransactItems as Json[] | undefined)?.map((item) =>
    mapMembers(item, ['Get'], (get) => marshallMaps(get, translate)),
  );
  return { ...input, TransactItems: items };
}

function unmarshallTransactGet(output: Output, translate: Translation): Output {
  const responses = (output.Responses as Json[] | undefined)?.map((response) =>
    unmarshallMaps(response as Output, translate),
  );
  return responses ? { ...output, Responses: responses } : output;
}

function mapTables(tables: unknown, convert: (entry: unknown) => unknown): Json | undefined {
  if (tables === undefined) return undefined;
  return Object.fromEntries(Object.entries(tables as Json).map(([table, entry]) => [table, convert(entry)]));
}

function marshallBatchGet(input: Json, translate: Translation): Json {
  return {
    ...input,
    RequestItems: mapTables(input.RequestItems, (request) =>
      mapMembers(request as Json, ['Keys'], (keys) => (keys as unknown as Json[]).map(translate.toWire)),
    ),
  };
}

function unmarshallBatchGet(output: Output, translate: Translation): Output {
  return {
    ...output,
    Responses: mapTables(output.Responses, (items) => (items as AttributeMap[]).map(translate.fromWire)),
    UnprocessedKeys: mapTables(output.UnprocessedKeys, (request) =>
      mapMembers(request as Json, ['Keys'], (keys) =>
        (keys as unknown as AttributeMap[]).map(translate.fromWire),
      ),
    ),
  };
}

function convertWriteRequests(requests: unknown, convert: (map: Json) => unknown): unknown {
  return (requests as Json[]).map((request) => ({
    ...request,
    ...(request.PutRequest ? { PutRequest: mapMembers(request.PutRequest as Json, ['Item'], convert) } : {}),
    ...(request.DeleteRequest
      ? { DeleteRequest: mapMembers(request.DeleteRequest as Json, ['Key'], convert) }
      : {}),
  }));
}

function marshallBatchWrite(input: Json, translate: Translation): Json {
  return {
    ...input,
    RequestItems: mapTables(input.RequestItems, (requests) =>
      convertWriteRequests(requests, translate.toWire),
    ),
  };
}

function unmarshallBatchWrite(output: Output, translate: Translation): Output {
  return {
    ...output,
    UnprocessedItems: mapTables(output.UnprocessedItems, (requests) =>
      convertWriteRequests(requests, (map) => translate.fromWire(map as AttributeMap)),
    ),
  };
}

const unchanged = (output: Output) => output;

export const GetCommand = documentCommand('GetItem');
export const PutCommand = documentCommand('PutItem');
export const UpdateCommand = documentCommand('UpdateItem');
export const DeleteCommand = documentCommand('DeleteItem');
export const QueryCommand = documentCommand('Query');
export const ScanCommand = documentCommand('Scan');
export const TransactWriteCommand = documentCommand('TransactWriteItems', marshallTransactWrite, unchanged);
export const TransactGetCommand = documentCommand(
  'TransactGetItems',
  marshallTransactGet,
  unmarshallTransactGet,
);
export const BatchGetCommand = documentCommand('BatchGetItem', marshallBatchGet, unmarshallBatchGet);
export const BatchWriteCommand = documentCommand('BatchWriteItem', marshallBatchWrite, unmarshallBatchWrite);

export class DynamoDBDocumentClient {
  private readonly translate: Translation;

  private constructor(
    private readonly client: DynamoDBClient,
    config: TranslateConfig = {},
  ) {
    this.translate = {
      toWire: (value) => marshall(value, config.marshallOptions) as AttributeMap,
      fromWire: (value) => unmarshall(value, config.unmarshallOptions) as Json,
    };
  }

  static from(client: DynamoDBClient, config?: TranslateConfig): DynamoDBDocumentClient {
    return new DynamoDBDocumentClient(client, config);
  }

  async send(command: DocumentCommand): Promise<Output> {
    const output = await this.client.send({
      operation: command.operation,
      input: command.marshallInput(command.input, this.translate),
    });
    return command.unmarshallOutput(output, this.translate);
  }

  destroy(): void {
    this.client.destroy();
  }
}
