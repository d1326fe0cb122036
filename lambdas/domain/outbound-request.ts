import { createHash } from 'node:crypto';
import { isE164 } from './phone';

/**
 * A business-initiated send, as the conversations API (`POST /v1/tenants/{tenantId}/conversations`)
 * and `smsctl send` take it: either a workflow conversation started with prefilled variables, or
 * one message. Pure validation: the same reasons reach API callers (400) and CLI users.
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
    }
  | { readonly kind: 'message'; readonly from: string; readonly to: string; readonly body: string };

export type ParsedOutboundStart = { ok: true; start: OutboundStart } | { ok: false; reason: string };

/** Twilio refuses longer bodies; a workflow's own replies are split, an operator's text is not. */
export const MAX_BODY_CHARS = 1600;
const MAX_VARIABLES = 50;
const MAX_VARIABLE_CHARS = 500;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const WORKFLOW_ID = /^[a-z0-9-]{1,64}$/;
const FIELDS = new Set(['from', 'to', 'workflowId', 'routeId', 'variables', 'body']);

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

/** Validates a request body (already JSON-parsed). Unknown fields are refused so typos do not pass silently. */
export function parseOutboundStart(input: unknown): ParsedOutboundStart {
  if (!isRecord(input)) return { ok: false, reason: 'the body must be a JSON object' };
  const unknown = Object.keys(input).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) return { ok: false, reason: `unknown field(s): ${unknown.join(', ')}` };
  const { from, to, workflowId, routeId, variables, body } = input;
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
  if ((workflowId === undefined) === (body === undefined))
    return { ok: false, reason: 'give exactly one of workflowId and body' };
  if (body !== undefined) {
    if (variables !== undefined || routeId !== undefined)
      return { ok: false, reason: 'variables and routeId go with workflowId, not with body' };
    if (typeof body !== 'string' || body.trim() === '')
      return { ok: false, reason: 'body must be a non-empty string' };
    if (body.length > MAX_BODY_CHARS)
      return { ok: false, reason: `body is over ${MAX_BODY_CHARS} characters` };
    return { ok: true, start: { kind: 'message', from: fromNumber, to: toNumber, body } };
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
