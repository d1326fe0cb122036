import { z } from 'zod';
import { webhookUrlProblem } from '../completion-webhook/url';

/** Workflow definitions (DESIGN.md section 3: these field names are a contract). */
const variableBase = {
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names are letters, digits and underscores'),
  prompt: z.string().min(1, 'every variable needs a prompt to ask for it'),
  /**
   * Extension (optional): sent instead of the type's default reason when an answer to this
   * variable cannot be read, followed by the prompt (e.g. "Order numbers have 6 digits."). A
   * value that was read but refused (a date on the wrong side of today for its `direction`) keeps
   * its precise reason ("That day has already passed.").
   */
  invalidMessage: z.string().min(1).optional(),
};

export const variableSchema = z.discriminatedUnion('type', [
  z.object({ ...variableBase, type: z.literal('text') }),
  z.object({
    ...variableBase,
    type: z.literal('pattern'),
    pattern: z.string().refine(isValidRegExp, 'pattern must be a valid regular expression'),
  }),
  z.object({ ...variableBase, type: z.literal('number') }),
  z.object({
    ...variableBase,
    type: z.literal('date'),
    /**
     * Extension (optional): which side of today (in the workflow's `timeZone`) valid dates lie on.
     * `past` (default, e.g. when an order was placed; the behaviour before the field existed): a
     * date without a year or a bare weekday is the latest such day not after today, and a later
     * date is refused ("That date is still to come."). `future` (e.g. an appointment): the
     * earliest such day not before today, an earlier date is refused ("That day has already
     * passed."). `any`: the nearest reading, nothing refused. Stored as ISO `YYYY-MM-DD` either way.
     */
    direction: z.enum(['past', 'future', 'any']).optional(),
  }),
  /** Extension: a time of day ("3pm", "3:30 pm", "15:30", "noon", "half past two"), stored as 24h `HH:MM`. */
  z.object({ ...variableBase, type: z.literal('time') }),
  z.object({ ...variableBase, type: z.literal('email') }),
  z.object({ ...variableBase, type: z.literal('phone') }),
  z.object({
    ...variableBase,
    type: z.literal('yesno'),
    /**
     * Extension (optional), typically on a final confirmation: when the customer answers NO, send
     * `reply` followed by the prompt of the first variable to ask again, after forgetting the
     * answers named in `clear` (variables before this one in the same route) and this one. Without
     * `onNo`, NO is an answer like YES.
     */
    onNo: z
      .object({
        reply: z.string().min(1),
        clear: z.array(z.string().min(1)).min(1, 'onNo.clear names at least one variable to ask again'),
      })
      .optional(),
  }),
  z.object({ ...variableBase, type: z.literal('choice'), options: z.array(z.string().min(1)).min(2) }),
]);

/**
 * Extension (optional) of `onComplete` (DESIGN.md section 3: "may also name an HTTPS endpoint of
 * the tenant"): when the route completes, the collected variables are POSTed there as JSON, signed
 * with HMAC-SHA256 by the tenant's signing key (secret `{prefix}/tenants/{tenantId}/webhook`; the
 * workflow names no secret, so a workflow can never sign with another tenant's key). Delivered by
 * the notifier, retried, never twice (README "Completion webhooks"). Strict: a misspelt field is
 * an error, not silently ignored.
 */
export const completionWebhookSchema = z
  .object({
    url: z.string().superRefine((url, context) => {
      const problem = webhookUrlProblem(url);
      if (problem) context.addIssue({ code: 'custom', message: `url ${problem}` });
    }),
  })
  .strict();

export const workflowSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,64}$/, 'workflow ids are lowercase letters, digits and dashes'),
  greeting: z.string().optional(),
  routes: z
    .array(
      z.object({
        id: z.string().min(1),
        match: z.object({ keywords: z.array(z.string().min(1)).default([]) }).default({ keywords: [] }),
        mandatoryVariables: z.array(variableSchema).default([]),
        onComplete: z.object({ reply: z.string().min(1), webhook: completionWebhookSchema.optional() }),
      }),
    )
    .min(1, 'a workflow needs at least one route'),
  fallback: z.object({ reply: z.string().min(1), maxAttempts: z.number().int().min(1).default(3) }),
  failureMessage: z.string().min(1),
  /** Answer to HELP/INFO (carrier requirement); a generic text when absent. */
  help: z.string().min(1).optional(),
  expiresAfterHours: z.number().positive().default(24),
  /**
   * Extension (optional): IANA time zone of the tenant's customers; relative dates ("yesterday",
   * "next Friday") and dates without a year are read against the date there. Default UTC.
   */
  timeZone: z
    .string()
    .refine(isValidTimeZone, 'timeZone must be an IANA time zone such as America/New_York')
    .optional(),
});

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isValidRegExp(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
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
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
  };
}
