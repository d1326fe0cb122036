/**
 * Contract checks against Twilio's own OpenAPI description of the Messages API
 * (test/fixtures/twilio-oai/messages-openapi.json, extracted from twilio/twilio-oai).
 *
 *   assertValidCreateMessageRequest(form)  a CreateMessage request the platform sends
 *   assertValidMessageResource(json)       a Message resource (create / fetch response)
 *   assertValidMessageList(json)           a page of GET .../Messages.json
 *
 * Each throws a TwilioContractError listing every violation, or returns normally.
 *
 * Where the spec is looser or different from what Twilio actually sends, the checks follow
 * Twilio's behaviour, and say so:
 * - every property of a Message resource / list page is required (Twilio always sends all of
 *   them, null when empty; the spec marks none required);
 * - `uri` fields of responses may be relative (`/2010-04-01/...`), as Twilio returns them;
 * - `format`s Twilio invented are defined here: `phone-number` (E.164, short code, alphanumeric
 *   sender ID or channel address such as `whatsapp:+1…`), `date-time-rfc-2822`, `currency`;
 * - a create request must not carry parameters the spec does not define (Twilio silently ignores
 *   them, so a misspelt `StatusCallBack` would otherwise go unnoticed), must name `From` or
 *   `MessagingServiceSid`, and one of `Body`, `MediaUrl`, `ContentSid` (Twilio's documented rules).
 */
import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const FIXTURE_URL = new URL('../fixtures/twilio-oai/messages-openapi.json', import.meta.url);
const MESSAGES_PATH = '/2010-04-01/Accounts/{AccountSid}/Messages.json';
const MESSAGE_SCHEMA = 'api.v2010.account.message';

/** Twilio's Message resource, as the spec describes it (nullable everywhere). */
export interface TwilioMessageResource {
  account_sid: string | null;
  api_version: string | null;
  body: string | null;
  date_created: string | null;
  date_sent: string | null;
  date_updated: string | null;
  direction: 'inbound' | 'outbound-api' | 'outbound-call' | 'outbound-reply';
  error_code: number | null;
  error_message: string | null;
  from: string | null;
  messaging_service_sid: string | null;
  num_media: string | null;
  num_segments: string | null;
  price: string | null;
  price_unit: string | null;
  sid: string | null;
  status: string;
  subresource_uris: Record<string, string> | null;
  to: string | null;
  uri: string | null;
}

export interface TwilioMessageList {
  messages: TwilioMessageResource[];
  end: number;
  first_page_uri: string;
  next_page_uri: string | null;
  page: number;
  page_size: number;
  previous_page_uri: string | null;
  start: number;
  uri: string;
}

/** A form-encoded request: parsed parameters (repeated names as arrays) or the raw body. */
export type FormInput = string | Readonly<Record<string, string | readonly string[]>>;

export interface CreateMessageRequestOptions {
  /** Accept parameters the spec does not define (default false). */
  allowUnknownParameters?: boolean;
}

export class TwilioContractError extends Error {
  constructor(
    subject: string,
    readonly problems: string[],
  ) {
    super(`${subject} violates the Twilio Messages contract:\n  - ${problems.join('\n  - ')}`);
    this.name = 'TwilioContractError';
  }
}

export function assertValidCreateMessageRequest(
  form: FormInput,
  options: CreateMessageRequestOptions = {},
): void {
  const params = typeof form === 'string' ? parseFormBody(form) : structuredClone(form);
  const validate = options.allowUnknownParameters
    ? validators().createRequestOpen
    : validators().createRequest;
  // Ajv coerces the (string) form values in place to the spec's types, hence the copy above.
  const problems = validate(params) ? [] : describeErrors(validate.errors);
  problems.push(...twilioCreateRules(params));
  if (problems.length > 0) throw new TwilioContractError('CreateMessage request', problems);
}

export function assertValidMessageResource(json: unknown): asserts json is TwilioMessageResource {
  check('Message resource', validators().message, json);
}

export function assertValidMessageList(json: unknown): asserts json is TwilioMessageList {
  check('Message list page', validators().messageList, json);
}

function check(subject: string, validate: ValidateFunction, json: unknown): void {
  if (!validate(json)) throw new TwilioContractError(subject, describeErrors(validate.errors));
}

function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const where = error.instancePath === '' ? '(root)' : error.instancePath;
    const extra =
      error.keyword === 'additionalProperties'
        ? ` (${String(error.params.additionalProperty)})`
        : error.keyword === 'enum'
          ? ` (${JSON.stringify(error.params.allowedValues)})`
          : '';
    return `${where} ${error.message ?? error.keyword}${extra}`;
  });
}

function parseFormBody(body: string): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const existing = params[name];
    if (existing === undefined) params[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[name] = [existing, value];
  }
  return params;
}

function present(params: Record<string, unknown>, name: string): boolean {
  const value = params[name];
  return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== '';
}

/** Rules Twilio documents for CreateMessage that the schema cannot express. */
function twilioCreateRules(params: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (!present(params, 'From') && !present(params, 'MessagingServiceSid')) {
    problems.push('one of From or MessagingServiceSid is required');
  }
  if (!['Body', 'MediaUrl', 'ContentSid'].some((name) => present(params, name))) {
    problems.push('one of Body, MediaUrl or ContentSid is required');
  }
  const media = params.MediaUrl;
  if (Array.isArray(media) && media.length > 10) problems.push(`at most 10 MediaUrl (got ${media.length})`);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Schema preparation

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(value: Json | undefined, ...path: string[]): JsonObject {
  let current = value;
  for (const key of path) current = isObject(current) ? current[key] : undefined;
  if (!isObject(current)) throw new Error(`messages-openapi.json: no object at ${path.join(' > ')}`);
  return current;
}

const SCHEMA_REF_PREFIX = '#/components/schemas/';
/** OpenAPI annotations that are not JSON Schema keywords (Ajv's strict mode refuses unknown ones). */
const ANNOTATIONS = new Set(['x-twilio', 'example', 'examples']);

interface Rewrite {
  /** $id of the schema document that holds the component schemas under `definitions`. */
  refBase: string;
  /** Responses carry relative URIs; requests must send absolute ones. */
  uriFormat: 'uri' | 'uri-reference';
}

/** Turns an OpenAPI 3.0 schema into a JSON Schema Ajv compiles. */
function toJsonSchema(node: Json, rewrite: Rewrite): Json {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item, rewrite));
  if (!isObject(node)) return node;
  const twilio = node['x-twilio'];
  const ignoreFormat = isObject(twilio) && twilio.ignoreFormat === true;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (ANNOTATIONS.has(key)) continue;
    if (key === 'format' && ignoreFormat) continue; // Twilio's marker: do not enforce this format
    if (key === '$ref' && typeof value === 'string' && value.startsWith(SCHEMA_REF_PREFIX)) {
      out.$ref = `${rewrite.refBase}#/definitions/${value.slice(SCHEMA_REF_PREFIX.length)}`;
    } else if (key === 'format' && value === 'uri') {
      out.format = rewrite.uriFormat;
    } else if (key === 'properties' && isObject(value)) {
      // Property names are data, not keywords: rewrite their schemas only.
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, schema]) => [name, toJsonSchema(schema, rewrite)]),
      );
    } else {
      out[key] = toJsonSchema(value, rewrite);
    }
  }
  return out;
}

function requireEveryProperty(schema: JsonObject): JsonObject {
  return { ...schema, required: Object.keys(objectAt(schema, 'properties')) };
}

const E164 = /^\+[1-9]\d{1,14}$/;
const SHORT_CODE = /^\d{3,8}$/;
const ALPHANUMERIC_SENDER_ID = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const CHANNEL_ADDRESS = /^[a-z][a-z0-9-]*:\S+$/;
const RFC_2822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;

function newAjv(coerceForm: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    // Twilio's spec puts `format` on an object (`subresource_uris`); harmless, not worth a warning.
    strictTypes: false,
    // Form values are strings: coerce them to the spec's integer/boolean/array types.
    coerceTypes: coerceForm ? 'array' : false,
  });
  addFormats(ajv);
  ajv.addFormat('phone-number', (value: string) =>
    [E164, SHORT_CODE, ALPHANUMERIC_SENDER_ID, CHANNEL_ADDRESS].some((pattern) => pattern.test(value)),
  );
  ajv.addFormat(
    'date-time-rfc-2822',
    (value: string) => RFC_2822.test(value) && !Number.isNaN(Date.parse(value)),
  );
  ajv.addFormat('currency', /^[A-Za-z]{3}$/);
  ajv.addFormat('uri-map', true); // applies to an object: nothing to check as a string format
  return ajv;
}

interface Validators {
  message: ValidateFunction;
  messageList: ValidateFunction;
  createRequest: ValidateFunction;
  createRequestOpen: ValidateFunction;
}

let cached: Validators | undefined;

function validators(): Validators {
  if (cached) return cached;
  const spec = JSON.parse(readFileSync(FIXTURE_URL, 'utf8')) as Json;
  const schemas = objectAt(spec, 'components', 'schemas');
  const listPath = objectAt(spec, 'paths', MESSAGES_PATH);

  const responses: Rewrite = { refBase: 'twilio-messages-responses', uriFormat: 'uri-reference' };
  const responseDefinitions = objectAt(toJsonSchema(schemas, responses));
  responseDefinitions[MESSAGE_SCHEMA] = requireEveryProperty(objectAt(responseDefinitions, MESSAGE_SCHEMA));
  const responseAjv = newAjv(false);
  responseAjv.addSchema({ $id: responses.refBase, definitions: responseDefinitions });
  const listSchema = objectAt(listPath, 'get', 'responses', '200', 'content', 'application/json', 'schema');

  const requests: Rewrite = { refBase: 'twilio-messages-requests', uriFormat: 'uri' };
  const requestAjv = newAjv(true);
  requestAjv.addSchema({ $id: requests.refBase, definitions: objectAt(toJsonSchema(schemas, requests)) });
  const createSchema = objectAt(
    toJsonSchema(
      objectAt(listPath, 'post', 'requestBody', 'content', 'application/x-www-form-urlencoded', 'schema'),
      requests,
    ),
  );

  cached = {
    message: responseAjv.compile({ $ref: `${responses.refBase}#/definitions/${MESSAGE_SCHEMA}` }),
    messageList: responseAjv.compile(requireEveryProperty(objectAt(toJsonSchema(listSchema, responses)))),
    createRequest: requestAjv.compile({ ...createSchema, additionalProperties: false }),
    createRequestOpen: requestAjv.compile(createSchema),
  };
  return cached;
}
