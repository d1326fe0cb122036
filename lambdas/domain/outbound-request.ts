import { createHash } from 'node:crypto';
import { mediaUrlsProblem } from './outbound-media';
import { LOCAL_URL_POLICY } from './outbound-url-policy';
import { isE164 } from './phone';

/**
 * A business-initiated send, as the conversations API (`POST /v1/tenants/{tenantId}/conversations`)
 * and `smsctl send` take it: either a workflow conversation started with prefilled variables, or
 * one message. Pure validation: the same reasons reach API callers (400) and CLI users.
 *
 * Either may carry pictures (`mediaUrls`, sent as one MMS): a message's own, or the first prompt's
 * of a workflow. Here they are checked against what any stage allows; the start checks its stage's
 * outbound URL policy and whether the number can send MMS (start-outbound.ts).
 */
export type OutboundStart =
  | {
      readonly kind: 'workflow';
      readonly from: string;
      readonly to: string;
      readonly workflowId: string;
      /** Extension: which route of a workflow with several to start in (default: the only one). */
      readonly routeId?: string;
      readonly variables: Readonly<Record<string, string>>;
      /** Extension: pictures sent with the first message, after the workflow's own. Absent: none. */
      readonly mediaUrls?: readonly string[];
    }
  | {
      readonly kind: 'message';
      readonly from: string;
      readonly to: string;
      /** Empty for a message of pictures only. */
      readonly body: string;
      /** Extension: pictures sent with the body as one MMS. Absent: none (an SMS). */
      readonly mediaUrls?: readonly string[];
    };

export type ParsedOutboundStart = { ok: true; start: OutboundStart } | { ok: false; reason: string };

/** Twilio refuses longer bodies; a workflow's own replies are split, an operator's text is not. */
export const MAX_BODY_CHARS = 1600;
const MAX_VARIABLES = 50;
const MAX_VARIABLE_CHARS = 500;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const WORKFLOW_ID = /^[a-z0-9-]{1,64}$/;
const FIELDS = new Set(['from', 'to', 'workflowId', 'routeId', 'variables', 'body', 'mediaUrls']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseVariables(input: unknown): Record<string, string> | string {
  if (input === undefined) return {};
  if (!isRecord(input)) return 'variables must be an object of strings';
  const entries = Object.entries(input);
  if (entries.length > MAX_VARIABLES) return `at most ${MAX_VARIABLES} variables`;
  const variables: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (!VARIABLE_NAME.test(name)) return `variable name "${name}" must be letters, digits and underscores`;
    if (typeof value !== 'string') return `variable ${name} must be a string`;
    if (value.length > MAX_VARIABLE_CHARS) return `variable ${name} is over ${MAX_VARIABLE_CHARS} characters`;
    variables[name] = value;
  }
  return variables;
}

/**
 * A list of picture URLs as any stage may take it (the stage-agnostic outbound URL policy, as the
 * workflow schema checks media); present only when it names at least one picture.
 */
function parseMediaUrls(input: unknown): { mediaUrls?: readonly string[] } | string {
  if (input === undefined) return {};
  if (!Array.isArray(input) || !input.every((url): url is string => typeof url === 'string'))
    return 'mediaUrls must be a list of URLs (strings)';
  const problem = mediaUrlsProblem(input, LOCAL_URL_POLICY, 'mediaUrls');
  if (problem) return problem;
  return input.length > 0 ? { mediaUrls: input } : {};
}

/** Validates a request body (already JSON-parsed). Unknown fields are refused so typos do not pass silently. */
export function parseOutboundStart(input: unknown): ParsedOutboundStart {
  if (!isRecord(input)) return { ok: false, reason: 'the body must be a JSON object' };
  const unknown = Object.keys(input).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) return { ok: false, reason: `unknown field(s): ${unknown.join(', ')}` };
  const { from, to, workflowId, routeId, variables, body } = input;
  const media = parseMediaUrls(input.mediaUrls);
  if (typeof media === 'string') return { ok: false, reason: media };
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (typeof value !== 'string' || !isE164(value))
      return { ok: false, reason: `${name} must be an E.164 number such as +15005550006` };
  }
  const fromNumber = from as string;
  const toNumber = to as string;
  if (fromNumber === toNumber) return { ok: false, reason: 'from and to must differ' };
  // A message of pictures only needs no body.
  const message = body !== undefined || (workflowId === undefined && media.mediaUrls !== undefined);
  if ((workflowId === undefined) === !message)
    return { ok: false, reason: 'give exactly one of workflowId and body' };
  if (message) {
    if (variables !== undefined || routeId !== undefined)
      return { ok: false, reason: 'variables and routeId go with workflowId, not with body' };
    if (body !== undefined && typeof body !== 'string') return { ok: false, reason: 'body must be a string' };
    const text = typeof body === 'string' && body.trim() !== '' ? body : '';
    if (text === '' && media.mediaUrls === undefined)
      return { ok: false, reason: 'body must be a non-empty string (or give mediaUrls)' };
    if (text.length > MAX_BODY_CHARS)
      return { ok: false, reason: `body is over ${MAX_BODY_CHARS} characters` };
    return { ok: true, start: { kind: 'message', from: fromNumber, to: toNumber, body: text, ...media } };
  }
  if (typeof workflowId !== 'string' || !WORKFLOW_ID.test(workflowId))
    return { ok: false, reason: 'workflowId must be lowercase letters, digits and dashes' };
  if (routeId !== undefined && (typeof routeId !== 'string' || routeId === ''))
    return { ok: false, reason: 'routeId must be a non-empty string' };
  const parsedVariables = parseVariables(variables);
  if (typeof parsedVariables === 'string') return { ok: false, reason: parsedVariables };
  return {
    ok: true,
    start: {
      kind: 'workflow',
      from: fromNumber,
      to: toNumber,
      workflowId,
      ...(routeId !== undefined ? { routeId: routeId as string } : {}),
      variables: parsedVariables,
      ...media,
    },
  };
}

/** Printable ASCII, as Stripe-style clients send (UUIDs, order ids); bounded so it fits a key. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function isValidIdempotencyKey(key: string): boolean {
  return IDEMPOTENCY_KEY.test(key);
}

/** How long an Idempotency-Key is remembered (Stripe's choice: a day covers any client's retries). */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;

function canonical(value: unknown): unknown {
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical(value[key])]),
  );
}

/** Same request, same fingerprint, whatever the key order: what a repeated Idempotency-Key is checked against. */
export function fingerprintOf(start: OutboundStart): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(start)))
    .digest('hex');
}

/**
 * The id of a start: derived from the tenant and the Idempotency-Key when there is one, so every
 * retry names the same conversation and sends, and the sender's claim on a send id stops a
 * second SMS however late the retry comes.
 */
export function startIdFor(
  tenantId: string,
  idempotencyKey: string | undefined,
  random: () => string,
): string {
  if (idempotencyKey === undefined) return `op-${random()}`;
  return `op-${createHash('sha256').update(`${tenantId}\n${idempotencyKey}`).digest('hex').slice(0, 32)}`;
}
