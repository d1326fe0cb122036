import { z } from 'zod';
import { DATE_DIRECTIONS } from './extract/types';
import { webhookUrlProblem } from '../completion-webhook/url';
import { MAX_MEDIA_PER_MESSAGE, mediaUrlProblem } from '../outbound-media';
import { LOCAL_URL_POLICY, MAX_OUTBOUND_URL_LENGTH } from '../outbound-url-policy';
import {
  DEFAULT_EXPIRES_AFTER_HOURS,
  DEFAULT_MAX_ATTEMPTS,
  EXPIRES_AFTER_HOURS_BOUNDS,
  isReservedVariableName,
  MAX_ATTEMPTS_BOUNDS,
} from './stored';
import { REMINDER_BOUNDS } from './reminders';
import { compileTenantRegex, matchesEmptyString } from './tenant-regex';
import {
  UNDERSTANDING_DEADLINE_BOUNDS,
  UNDERSTANDING_PROVIDERS,
  UNDERSTANDING_USES,
} from '../understanding/request';
import {
  checkLocalizedMaps,
  describeLocalizedIssue,
  languagesSchema,
  localized,
  localizedList,
} from './localized-schema';

/** What the fallback does to the conversation (`fallback.action`); `end` when absent. */
export const FALLBACK_ACTIONS = ['end', 'restart', 'handoff'] as const;
export type FallbackAction = (typeof FALLBACK_ACTIONS)[number];

/**
 * Workflow definitions (DESIGN.md section 3: these field names are a contract). Strict: a
 * misspelt field is an error naming its path, not silently ignored, and every text, list and
 * number is bounded, so no definition `workflow put` accepts can hurt the functions that run it.
 * The field table of docs/workflows.md documents this schema; a test compares the two.
 */
export const WORKFLOW_LIMITS = {
  /** Twilio's message body limit: any text a customer can be sent. */
  text: 1600,
  /** Route ids and variable names (workflow ids: their pattern). */
  name: 64,
  keyword: 40,
  keywordsPerRoute: 50,
  handoffKeywords: 20,
  patternsPerRoute: 20,
  variablesPerRoute: 50,
  routes: 20,
  options: 20,
  option: 100,
  expiresAfterHours: EXPIRES_AFTER_HOURS_BOUNDS,
  maxAttempts: MAX_ATTEMPTS_BOUNDS,
  /** Date bounds in days either side of today (about ten years). */
  days: 3660,
} as const;

/**
 * Any text a customer can be sent: one string for every language of the workflow, or a map by
 * language (`{"en": "...", "es": "..."}`: localized-schema.ts, docs/workflows.md "Languages").
 */
const customerText = (whenEmpty?: string) =>
  localized(
    z
      .string()
      .min(1, whenEmpty)
      .max(WORKFLOW_LIMITS.text, `at most ${WORKFLOW_LIMITS.text} characters (one Twilio message body)`),
  );

/**
 * Extension (optional), beside any text a customer can be sent: pictures sent with that text as
 * one MMS (Twilio `MediaUrl`), every time the text is sent. Named `media` beside a `reply` and
 * `<text>Media` beside any other text (`promptMedia`, `greetingMedia`, ...). A message made of
 * several texts (a greeting and a prompt) carries the pictures of each, each once. Checked here
 * for what any stage allows (loopback only for the local stack); `workflow put` checks the target
 * stage's policy and that every number routed to the workflow can send MMS.
 */
const media = z
  .array(
    z
      .string()
      .max(MAX_OUTBOUND_URL_LENGTH)
      .superRefine((url, context) => {
        const problem = mediaUrlProblem(url, LOCAL_URL_POLICY);
        if (problem) context.addIssue({ code: 'custom', message: `media URL ${problem}` });
      }),
  )
  .max(MAX_MEDIA_PER_MESSAGE, `at most ${MAX_MEDIA_PER_MESSAGE} pictures per message (Twilio's limit)`)
  .optional();

const variableName = z
  .string()
  .max(WORKFLOW_LIMITS.name)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names are letters, digits and underscores')
  .superRefine((name, context) => {
    if (isReservedVariableName(name)) {
      context.addIssue({
        code: 'custom',
        message: `"${name}" is reserved (a property of every JavaScript object); choose another name`,
      });
    }
  });

/**
 * A tenant's regular expression: it must compile for RE2 (linear time), and must not match the
 * empty string (it fills a slot or picks a route, so it would do so from any message).
 */
const tenantPattern = (emptyMatchHarm: string) =>
  z
    .string()
    .min(1)
    .superRefine((source, context) => {
      const compiled = compileTenantRegex(source);
      if (!compiled.ok) context.addIssue({ code: 'custom', message: compiled.reason });
      else if (matchesEmptyString(compiled.regex)) {
        context.addIssue({
          code: 'custom',
          message: `pattern can match the empty string, so it would ${emptyMatchHarm} (for example \\d+ rather than \\d*)`,
        });
      }
    });

const variableBase = {
  name: variableName,
  prompt: customerText('every variable needs a prompt to ask for it'),
  /** Extension (optional): pictures sent with the prompt, whenever it is asked. */
  promptMedia: media,
  /**
   * Extension (optional): sent instead of the type's default reason when an answer to this
   * variable cannot be read, followed by the prompt (e.g. "Order numbers have 6 digits."). A
   * value that was read but refused (a date on the wrong side of today for its `direction`) keeps
   * its precise reason ("That day has already passed.").
   */
  invalidMessage: customerText().optional(),
  /** Extension (optional): pictures sent with `invalidMessage`. */
  invalidMessageMedia: media,
};

const dayBound = z.number().int().min(-WORKFLOW_LIMITS.days).max(WORKFLOW_LIMITS.days);

export const variableSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...variableBase, type: z.literal('text') }),
  z.strictObject({
    ...variableBase,
    type: z.literal('pattern'),
    pattern: tenantPattern('fill the variable from any message'),
  }),
  z.strictObject({ ...variableBase, type: z.literal('number') }),
  z
    .strictObject({
      ...variableBase,
      type: z.literal('date'),
      /**
       * Extension (optional): which side of today (in the workflow's `timeZone`) valid dates lie on.
       * `any` (default): a date without a year or a bare weekday is the nearest such day, nothing
       * refused. `past` (e.g. when an order was placed): the latest such day not after today, and a
       * later date is refused ("That date is still to come."). `future` (e.g. an appointment): the
       * earliest such day not before today, an earlier date is refused ("That day has already
       * passed."). Stored as ISO `YYYY-MM-DD` either way.
       */
      direction: z.enum(DATE_DIRECTIONS).optional(),
      /**
       * Extension (optional): bounds in whole days relative to today in the workflow's `timeZone`
       * (0 = today, 60 = sixty days from today, -30 = thirty days ago). A date outside them is
       * refused with a reason naming the bound ("Please pick a day within the next 60 days.").
       */
      min: dayBound.optional(),
      max: dayBound.optional(),
    })
    .refine((date) => date.min === undefined || date.max === undefined || date.min <= date.max, {
      path: ['max'],
      message: 'max must not be before min',
    }),
  /** Extension: a time of day ("3pm", "3:30 pm", "15:30", "noon", "half past two"), stored as 24h `HH:MM`. */
  z.strictObject({ ...variableBase, type: z.literal('time') }),
  z.strictObject({ ...variableBase, type: z.literal('email') }),
  z.strictObject({ ...variableBase, type: z.literal('phone') }),
  z.strictObject({
    ...variableBase,
    type: z.literal('yesno'),
    /**
     * Extension (optional), typically on a final confirmation: when the customer answers NO, send
     * `reply` followed by the prompt of the first variable to ask again, after forgetting the
     * answers named in `clear` (variables before this one in the same route) and this one. Without
     * `onNo`, NO is an answer like YES.
     */
    onNo: z
      .strictObject({
        reply: customerText(),
        media,
        clear: z
          .array(z.string().min(1).max(WORKFLOW_LIMITS.name))
          .min(1, 'onNo.clear names at least one variable to ask again')
          .max(WORKFLOW_LIMITS.variablesPerRoute),
      })
      .optional(),
  }),
  z.strictObject({
    ...variableBase,
    type: z.literal('choice'),
    options: z.array(z.string().min(1).max(WORKFLOW_LIMITS.option)).min(2).max(WORKFLOW_LIMITS.options),
  }),
]);

/**
 * Extension (optional) of `onComplete` (DESIGN.md section 3: "may also name an HTTPS endpoint of
 * the tenant"): when the route completes, the collected variables are POSTed there as JSON, signed
 * with HMAC-SHA256 by the tenant's signing key (secret `{prefix}/tenants/{tenantId}/webhook`; the
 * workflow names no secret, so a workflow can never sign with another tenant's key). Delivered by
 * the notifier, retried, never twice (docs/workflows.md "Completion webhooks").
 */
export const completionWebhookSchema = z.strictObject({
  url: z.string().superRefine((url, context) => {
    const problem = webhookUrlProblem(url);
    if (problem) context.addIssue({ code: 'custom', message: `url ${problem}` });
  }),
});

const routeSchema = z
  .strictObject({
    id: z.string().min(1).max(WORKFLOW_LIMITS.name),
    match: z
      .strictObject({
        /** A list, or (extension) a list per language: every language's keywords pick the route. */
        keywords: localizedList(
          z.array(z.string().min(1).max(WORKFLOW_LIMITS.keyword)).max(WORKFLOW_LIMITS.keywordsPerRoute),
        ).default([]),
        /** Extension (optional): regular expressions (linear-time engine) that pick this route; a list or a list per language. */
        patterns: localizedList(
          z.array(tenantPattern('pick this route for any message')).max(WORKFLOW_LIMITS.patternsPerRoute),
        ).optional(),
      })
      .default({ keywords: [] }),
    mandatoryVariables: z.array(variableSchema).max(WORKFLOW_LIMITS.variablesPerRoute).default([]),
    onComplete: z.strictObject({
      reply: customerText(),
      media,
      webhook: completionWebhookSchema.optional(),
    }),
    /**
     * Extension (optional): when the customer has not answered the prompt being awaited after
     * `afterSeconds` (from the last message either way), `reply` is sent followed by that prompt;
     * each reminder at most once per silence, any message from the customer cancels the rest
     * (reminders.ts; docs/workflows.md "Reminders").
     */
    reminders: z
      .array(
        z.strictObject({
          afterSeconds: z
            .number()
            .int('afterSeconds is a whole number of seconds')
            .min(REMINDER_BOUNDS.minAfterSeconds, `at least ${REMINDER_BOUNDS.minAfterSeconds} seconds`)
            .max(REMINDER_BOUNDS.maxAfterSeconds, 'at most 2592000 seconds (30 days)'),
          reply: customerText(),
          media,
        }),
      )
      .max(REMINDER_BOUNDS.perRoute, `at most ${REMINDER_BOUNDS.perRoute} reminders per route`)
      .optional(),
  })
  .superRefine((route, context) => {
    if (route.reminders?.length && route.mandatoryVariables.length === 0)
      context.addIssue({
        code: 'custom',
        path: ['reminders'],
        message: 'reminders need a prompt to remind about: this route has no mandatoryVariables',
      });
    const seen = new Map<string, number>();
    route.mandatoryVariables.forEach((variable, index) => {
      const key = variable.name.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) {
        context.addIssue({
          code: 'custom',
          path: ['mandatoryVariables', index, 'name'],
          message: `duplicate variable name "${variable.name}" (also mandatoryVariables.${first})`,
        });
      } else seen.set(key, index);
      if (variable.type !== 'yesno' || !variable.onNo) return;
      const before = new Set(route.mandatoryVariables.slice(0, index).map((earlier) => earlier.name));
      variable.onNo.clear.forEach((name, position) => {
        if (!before.has(name)) {
          context.addIssue({
            code: 'custom',
            path: ['mandatoryVariables', index, 'onNo', 'clear', position],
            message: `"${name}" is not a variable asked before ${variable.name} in this route`,
          });
        }
      });
    });
  });

const understandingSchema = z.strictObject({
  provider: z.enum(UNDERSTANDING_PROVIDERS),
  modelId: z
    .string()
    .min(1)
    .max(2048)
    .regex(/^[A-Za-z0-9.:/_-]+$/, 'modelId is a Bedrock model id, inference profile id or ARN'),
  use: z.enum(UNDERSTANDING_USES),
  deadlineMs: z
    .number()
    .int()
    .min(UNDERSTANDING_DEADLINE_BOUNDS.min)
    .max(UNDERSTANDING_DEADLINE_BOUNDS.max)
    .optional(),
});

export const workflowSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9-]{1,64}$/, 'workflow ids are lowercase letters, digits and dashes'),
    greeting: localized(z.string().max(WORKFLOW_LIMITS.text)).optional(),
    /** Extension (optional): pictures sent with the greeting (in the first reply of a conversation). */
    greetingMedia: media,
    routes: z.array(routeSchema).min(1, 'a workflow needs at least one route').max(WORKFLOW_LIMITS.routes),
    fallback: z.strictObject({
      reply: customerText(),
      media,
      maxAttempts: z
        .number()
        .int()
        .min(WORKFLOW_LIMITS.maxAttempts.min)
        .max(WORKFLOW_LIMITS.maxAttempts.max)
        .default(DEFAULT_MAX_ATTEMPTS),
      /**
       * Extension (optional): what the fallback does to the conversation. `end` (default): it ends
       * there, and the customer's next message starts over (greeted). `restart`: the conversation
       * goes on from the start (no route, nothing collected), not greeted again. `handoff`: a person
       * takes over (handoff.ts): `handoff.reply` is sent instead of `reply`, and the bot stays silent.
       */
      action: z.enum(FALLBACK_ACTIONS).optional(),
    }),
    /**
     * Extension (optional): whole messages (or short requests naming one: "I want a human") that
     * hand the conversation to a person at any point. Default AGENT, HUMAN; `[]` turns them off.
     */
    handoffKeywords: localizedList(
      z.array(z.string().trim().min(1).max(WORKFLOW_LIMITS.keyword)).max(WORKFLOW_LIMITS.handoffKeywords),
    ).optional(),
    /** Extension (optional): the one acknowledgement sent when a person takes over. */
    handoff: z.strictObject({ reply: customerText(), media }).optional(),
    failureMessage: customerText(),
    /** Extension (optional): pictures sent with `failureMessage`. */
    failureMessageMedia: media,
    /** Answer to HELP/INFO (carrier requirement); a generic text when absent. */
    help: customerText().optional(),
    /** Extension (optional): pictures sent with `help`. */
    helpMedia: media,
    /**
     * Extension (optional): the confirmations of an opt-out or opt-in keyword Twilio does not
     * confirm itself (PARAR without Advanced Opt-Out: opt-out-confirmation.ts); built-in texts
     * when absent.
     */
    optOutConfirmation: customerText().optional(),
    optInConfirmation: customerText().optional(),
    expiresAfterHours: z
      .number()
      .min(WORKFLOW_LIMITS.expiresAfterHours.min, 'at least 1 hour')
      .max(WORKFLOW_LIMITS.expiresAfterHours.max, 'at most 720 hours (30 days)')
      .default(DEFAULT_EXPIRES_AFTER_HOURS),
    /**
     * Extension (optional): IANA time zone of the tenant's customers; relative dates ("yesterday",
     * "next Friday") and dates without a year are read against the date there. Default UTC.
     */
    timeZone: z
      .string()
      .max(64)
      .refine(isValidTimeZone, 'timeZone must be an IANA time zone such as America/New_York')
      .optional(),
    /**
     * Extension (optional): the languages the workflow speaks, BCP 47 tags, the first the default
     * (issue 19). Default `["en"]`. Every text may then be a map by language (localized-schema.ts);
     * a conversation's language is decided per customer (lambdas/conversation/language.ts).
     */
    languages: languagesSchema,
    /**
     * Extension (optional): BCP 47 locale that dates and times are rendered in for customers
     * ("Friday, December 4", "3:00 PM"), or a map by language. Default `en-US` for English, each
     * other language's own tag; a single locale applies to the default language and to others of
     * its language (language/locale.ts).
     */
    locale: localized(
      z
        .string()
        .max(35)
        .refine(
          isSupportedLocale,
          'locale must be a BCP 47 locale this runtime knows, such as en-US or fr-FR',
        ),
    ).optional(),
    /**
     * Extension (optional): ISO 3166 country (e.g. `GB`) a `phone` answer without `+` and country
     * code is read in. Default `US`.
     */
    defaultCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, 'defaultCountry is a two-letter ISO 3166 country code in capitals, such as GB')
      .optional(),
    /**
     * Extension (optional): the understanding port beside the rules (docs/workflows.md
     * "Understanding"): a language model proposes the route and answers the rules could not read,
     * and the typed extractors decide. `use`: `fallback` asks only when the rules would re-prompt or
     * fall back; `always` on every turn the rules leave something unanswered. `workflow put` also
     * checks `modelId` against the stage's `understandingModelIds` (what IAM allows).
     */
    understanding: understandingSchema.optional(),
  })
  .superRefine((workflow, context) => {
    checkLocalizedMaps(workflow, context);
    const seen = new Map<string, number>();
    workflow.routes.forEach((route, index) => {
      const first = seen.get(route.id);
      if (first === undefined) seen.set(route.id, index);
      else {
        context.addIssue({
          code: 'custom',
          path: ['routes', index, 'id'],
          message: `duplicate route id "${route.id}" (also routes.${first})`,
        });
      }
    });
  });

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isSupportedLocale(locale: string): boolean {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale]).length === 1;
  } catch {
    return false;
  }
}

export type Workflow = z.infer<typeof workflowSchema>;
export type WorkflowRoute = Workflow['routes'][number];
export type WorkflowVariable = z.infer<typeof variableSchema>;

export type WorkflowParseResult = { ok: true; workflow: Workflow } | { ok: false; errors: string[] };

export function parseWorkflow(input: unknown): WorkflowParseResult {
  const parsed = workflowSchema.safeParse(input);
  if (parsed.success) return { ok: true, workflow: parsed.data };
  return { ok: false, errors: parsed.error.issues.flatMap((issue) => describeIssue(issue, input)) };
}

type Issue = z.core.$ZodIssue;

function where(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || '(root)';
}

/** One line per problem, starting with the field's path; an unknown field gets the nearest known one. */
function describeIssue(issue: Issue, input: unknown): string[] {
  const localized = describeLocalizedIssue(issue, (inner) => describeIssue(inner, input));
  if (localized) return localized;
  if (issue.code !== 'unrecognized_keys') return [`${where(issue.path)}: ${issue.message}`];
  const known = knownKeysAt(workflowSchema, issue.path);
  const holder = issue.path.reduce<unknown>(
    (value, key) => (value as Record<PropertyKey, unknown> | undefined)?.[key],
    input,
  ) as { type?: unknown } | undefined;
  const type = typeof holder?.type === 'string' ? `${holder.type} variables` : 'this variable type';
  return issue.keys.map((key) => {
    const near = nearest(key, known);
    // A field of another variable type (`options` on a `pattern` variable), or a misspelling.
    const hint = known.includes(key) ? `not a field of ${type}` : near && `did you mean ${near}?`;
    return `${where([...issue.path, key])}: unrecognized key${hint ? ` (${hint})` : ''}`;
  });
}

/** The fields the object at `path` may have (of every variable type, for a variable). */
function knownKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  switch (def.type) {
    case 'optional':
    case 'default':
      return knownKeysAt(def.innerType as z.core.$ZodType, path);
    case 'union':
      return (def.options as z.core.$ZodType[]).flatMap((option) => knownKeysAt(option, path));
    case 'array':
      return typeof path[0] === 'number' ? knownKeysAt(def.element as z.core.$ZodType, path.slice(1)) : [];
    case 'object': {
      const shape = def.shape as Record<string, z.core.$ZodType>;
      if (path.length === 0) return Object.keys(shape);
      const field = shape[String(path[0])];
      return field ? knownKeysAt(field, path.slice(1)) : [];
    }
    default:
      return [];
  }
}

/** The known key within two edits (or differing only in case) of `key`. */
function nearest(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of new Set(known)) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
