import { formatQuietHours, parseQuietHours } from '../../domain/campaign/quiet-hours';
import { phoneCountry } from '../../domain/campaign/recipient-phone';
import { isValidTimeZone } from '../../domain/campaign/wall-clock';
import { isValidPoolName } from '../../domain/number-pool';
import { mediaUrlsProblem } from '../../domain/outbound-media';
import { MAX_BODY_CHARS } from '../../domain/outbound-request';
import { LOCAL_URL_POLICY } from '../../domain/outbound-url-policy';
import { isE164 } from '../../domain/phone';
import type { CampaignContent } from '../../ports/campaign-store';

/**
 * The bodies of `POST /v1/tenants/{tenantId}/campaigns` and `.../campaigns/{campaignId}/recipients`
 * (and the same flags of `smsctl campaign create`), validated without looking anything up: the
 * reasons reach API callers as 400s. Unknown fields are refused so typos do not pass silently.
 */

/** Who sends, as asked: the use case looks the number or pool up (campaign-store.ts CampaignSender). */
export type RequestedSender =
  | { readonly kind: 'number'; readonly from: string }
  | { readonly kind: 'pool'; readonly pool: string }
  /** Twilio sends through the tenant's Messaging Service; `from` is the number the conversations are kept on. */
  | { readonly kind: 'messaging-service'; readonly from: string };

export interface CampaignCreateRequest {
  readonly name?: string;
  readonly sender: RequestedSender;
  readonly content: CampaignContent;
  readonly mediaUrls?: readonly string[];
  /** `HH:MM-HH:MM`, as formatQuietHours writes it. */
  readonly quietHours?: string;
  /** As given: checked against the clock (parseStartAt) when the campaign is created, not on a replay. */
  readonly startAt?: string;
  /** The IANA time zone of recipients whose own is not known. */
  readonly timeZone: string;
  /** ISO 3166 alpha-2, upper case. */
  readonly defaultCountry: string;
}

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export const DEFAULT_CAMPAIGN_TIME_ZONE = 'UTC';
export const DEFAULT_CAMPAIGN_COUNTRY = 'US';
const MAX_NAME_CHARS = 200;
const WORKFLOW_ID = /^[a-z0-9-]{1,64}$/;
const ROUTE_ID_MAX_CHARS = 64;

const CREATE_FIELDS = new Set([
  'name',
  'from',
  'pool',
  'messagingService',
  'workflowId',
  'routeId',
  'body',
  'mediaUrls',
  'quietHours',
  'startAt',
  'timeZone',
  'defaultCountry',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuse<T>(reason: string): Parsed<T> {
  return { ok: false, reason };
}

function unknownFields(input: Record<string, unknown>, allowed: ReadonlySet<string>): string | undefined {
  const unknown = Object.keys(input).filter((key) => !allowed.has(key));
  return unknown.length > 0 ? `unknown field(s): ${unknown.slice(0, 10).join(', ')}` : undefined;
}

function parseSender(input: Record<string, unknown>): Parsed<RequestedSender> {
  const { from, pool, messagingService } = input;
  if (messagingService !== undefined) {
    if (messagingService !== true) return refuse('messagingService must be true (or left out)');
    if (pool !== undefined) return refuse('give exactly one of from, pool and messagingService');
    // Replies come back to a business number, and the conversation is kept on it.
    if (typeof from !== 'string' || !isE164(from))
      return refuse(
        'a messagingService campaign needs from: the number of the service its conversations are kept on (E.164)',
      );
    return { ok: true, value: { kind: 'messaging-service', from } };
  }
  const given = [from, pool].filter((value) => value !== undefined).length;
  if (given !== 1) return refuse('give exactly one of from, pool and messagingService');
  if (from !== undefined) {
    if (typeof from !== 'string' || !isE164(from))
      return refuse('from must be an E.164 number such as +15005550006');
    return { ok: true, value: { kind: 'number', from } };
  }
  if (pool !== undefined) {
    if (typeof pool !== 'string' || !isValidPoolName(pool))
      return refuse('pool must be a pool name: lowercase letters, digits and dashes');
    return { ok: true, value: { kind: 'pool', pool } };
  }
  return refuse('give exactly one of from, pool and messagingService');
}

function parseMediaUrls(input: unknown): Parsed<readonly string[] | undefined> {
  if (input === undefined) return { ok: true, value: undefined };
  if (!Array.isArray(input) || !input.every((url): url is string => typeof url === 'string'))
    return refuse('mediaUrls must be a list of URLs (strings)');
  // What any stage may take; the stage's own policy is the use case's (as for a start).
  const problem = mediaUrlsProblem(input, LOCAL_URL_POLICY, 'mediaUrls');
  if (problem) return refuse(problem);
  return { ok: true, value: input.length > 0 ? input : undefined };
}

/** A workflow's opening or one text, as parseOutboundStart reads them. */
function parseContent(
  input: Record<string, unknown>,
  mediaUrls: readonly string[] | undefined,
): Parsed<CampaignContent> {
  const { workflowId, routeId, body } = input;
  // A message of pictures only needs no body.
  const message = body !== undefined || (workflowId === undefined && mediaUrls !== undefined);
  if ((workflowId === undefined) === !message) return refuse('give exactly one of workflowId and body');
  if (message) {
    if (routeId !== undefined) return refuse('routeId goes with workflowId, not with body');
    if (body !== undefined && typeof body !== 'string') return refuse('body must be a string');
    const text = typeof body === 'string' && body.trim() !== '' ? body : '';
    if (text === '' && mediaUrls === undefined)
      return refuse('body must be a non-empty string (or give mediaUrls)');
    if (text.length > MAX_BODY_CHARS) return refuse(`body is over ${MAX_BODY_CHARS} characters`);
    return { ok: true, value: { kind: 'message', body: text } };
  }
  if (typeof workflowId !== 'string' || !WORKFLOW_ID.test(workflowId))
    return refuse('workflowId must be lowercase letters, digits and dashes');
  if (
    routeId !== undefined &&
    (typeof routeId !== 'string' || routeId === '' || routeId.length > ROUTE_ID_MAX_CHARS)
  )
    return refuse(`routeId must be a non-empty string of at most ${ROUTE_ID_MAX_CHARS} characters`);
  return {
    ok: true,
    value: { kind: 'workflow', workflowId, ...(routeId !== undefined ? { routeId: routeId as string } : {}) },
  };
}

function parseCountry(input: unknown): Parsed<string> {
  if (input === undefined) return { ok: true, value: DEFAULT_CAMPAIGN_COUNTRY };
  if (typeof input !== 'string' || !/^[A-Za-z]{2}$/.test(input))
    return refuse('defaultCountry must be an ISO 3166 country code such as US or DE');
  try {
    return { ok: true, value: phoneCountry(input) };
  } catch {
    return refuse(`defaultCountry ${input} is not a country phone numbers can be read in`);
  }
}

/** The create body (already JSON-parsed). */
export function parseCampaignCreate(input: unknown): Parsed<CampaignCreateRequest> {
  if (!isRecord(input)) return refuse('the body must be a JSON object');
  const unknown = unknownFields(input, CREATE_FIELDS);
  if (unknown) return refuse(unknown);
  const { name, quietHours, startAt, timeZone } = input;
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME_CHARS))
    return refuse(`name must be a non-empty string of at most ${MAX_NAME_CHARS} characters`);
  const sender = parseSender(input);
  if (!sender.ok) return sender;
  const media = parseMediaUrls(input.mediaUrls);
  if (!media.ok) return media;
  const content = parseContent(input, media.value);
  if (!content.ok) return content;
  let quiet: string | undefined;
  if (quietHours !== undefined) {
    if (typeof quietHours !== 'string') return refuse('quietHours must be a string HH:MM-HH:MM');
    const parsed = parseQuietHours(quietHours);
    if (!parsed.ok) return refuse(parsed.reason);
    quiet = formatQuietHours(parsed.quietHours);
  }
  if (startAt !== undefined && typeof startAt !== 'string')
    return refuse('startAt must be an ISO 8601 time with a zone, such as 2026-12-01T09:00:00Z');
  if (timeZone !== undefined && (typeof timeZone !== 'string' || !isValidTimeZone(timeZone)))
    return refuse('timeZone must be an IANA time zone such as America/New_York');
  const country = parseCountry(input.defaultCountry);
  if (!country.ok) return country;
  return {
    ok: true,
    value: {
      ...(name !== undefined ? { name: (name as string).trim() } : {}),
      sender: sender.value,
      content: content.value,
      ...(media.value !== undefined ? { mediaUrls: media.value } : {}),
      ...(quiet !== undefined ? { quietHours: quiet } : {}),
      ...(startAt !== undefined ? { startAt: startAt as string } : {}),
      timeZone: (timeZone as string | undefined) ?? DEFAULT_CAMPAIGN_TIME_ZONE,
      defaultCountry: country.value,
    },
  };
}

/** One row of a recipients request, before the recipients reader checks it as a file's row. */
export interface RequestedRecipient {
  readonly phone: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly timezone?: string;
  /** The row's line in the caller's file, else its position in the request (from 1). */
  readonly line: number;
}

export interface RecipientsRequest {
  readonly recipients: readonly RequestedRecipient[];
  /** Rows the caller's own reading refused (bad numbers, values): counted as `skippedInvalid`. */
  readonly invalid: number;
  /** Rows the caller's own reading found repeated: counted as `skippedDuplicate`. */
  readonly duplicates: number;
  /** The last request of the file: the campaign may start once every recipient is in. */
  readonly complete: boolean;
}

/** At most this many recipients per request (a body stays far below API Gateway's 10 MB). */
export const MAX_RECIPIENTS_PER_REQUEST = 500;
const MAX_SKIPPED_PER_REQUEST = 1_000_000;
const RECIPIENTS_FIELDS = new Set(['recipients', 'invalid', 'duplicates', 'complete']);
const RECIPIENT_FIELDS = new Set(['phone', 'variables', 'timezone', 'line']);
const RESERVED_COLUMNS = new Set(['phone', 'timezone']);
const MAX_CELL_CHARS = 1000;

function count(value: unknown, name: string): Parsed<number> {
  if (value === undefined) return { ok: true, value: 0 };
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_SKIPPED_PER_REQUEST)
    return refuse(`${name} must be a whole number from 0 to ${MAX_SKIPPED_PER_REQUEST}`);
  return { ok: true, value };
}

function parseRecipient(input: unknown, position: number): Parsed<RequestedRecipient> {
  const where = `recipients[${position - 1}]`;
  if (!isRecord(input)) return refuse(`${where} must be an object`);
  const unknown = unknownFields(input, RECIPIENT_FIELDS);
  if (unknown) return refuse(`${where}: ${unknown}`);
  const { phone, variables = {}, timezone, line = position } = input;
  if (typeof phone !== 'string' || phone.length > MAX_CELL_CHARS)
    return refuse(`${where}.phone must be a string`);
  if (timezone !== undefined && (typeof timezone !== 'string' || timezone.length > MAX_CELL_CHARS))
    return refuse(`${where}.timezone must be a string`);
  if (typeof line !== 'number' || !Number.isSafeInteger(line) || line < 1)
    return refuse(`${where}.line must be a whole number from 1`);
  if (!isRecord(variables)) return refuse(`${where}.variables must be an object of strings`);
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (RESERVED_COLUMNS.has(name.toLowerCase()))
      return refuse(`${where}.variables: ${name} is a reserved column, not a variable`);
    if (typeof value !== 'string' || value.length > MAX_CELL_CHARS)
      return refuse(`${where}.variables.${name.slice(0, 64)} must be a string`);
    values[name] = value;
  }
  return {
    ok: true,
    value: {
      phone,
      variables: values,
      ...(timezone !== undefined ? { timezone: timezone as string } : {}),
      line,
    },
  };
}

/** The recipients body (already JSON-parsed). */
export function parseRecipientsRequest(input: unknown): Parsed<RecipientsRequest> {
  if (!isRecord(input)) return refuse('the body must be a JSON object');
  const unknown = unknownFields(input, RECIPIENTS_FIELDS);
  if (unknown) return refuse(unknown);
  const { recipients = [], complete = false } = input;
  if (!Array.isArray(recipients)) return refuse('recipients must be a list');
  if (recipients.length > MAX_RECIPIENTS_PER_REQUEST)
    return refuse(
      `at most ${MAX_RECIPIENTS_PER_REQUEST} recipients per request (${recipients.length} given)`,
    );
  if (typeof complete !== 'boolean') return refuse('complete must be true or false');
  const invalid = count(input.invalid, 'invalid');
  if (!invalid.ok) return invalid;
  const duplicates = count(input.duplicates, 'duplicates');
  if (!duplicates.ok) return duplicates;
  const rows: RequestedRecipient[] = [];
  for (const [index, row] of recipients.entries()) {
    const parsed = parseRecipient(row, index + 1);
    if (!parsed.ok) return parsed;
    rows.push(parsed.value);
  }
  if (rows.length === 0 && invalid.value === 0 && duplicates.value === 0 && !complete)
    return refuse('nothing to do: give recipients, or complete: true');
  return {
    ok: true,
    value: { recipients: rows, invalid: invalid.value, duplicates: duplicates.value, complete },
  };
}
