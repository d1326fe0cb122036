import { z } from 'zod';

/** Workflow definitions (DESIGN.md section 3: these field names are a contract). */
const variableBase = {
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names are letters, digits and underscores'),
  prompt: z.string().min(1, 'every variable needs a prompt to ask for it'),
};

export const variableSchema = z.discriminatedUnion('type', [
  z.object({ ...variableBase, type: z.literal('text') }),
  z.object({
    ...variableBase,
    type: z.literal('pattern'),
    pattern: z.string().refine(isValidRegExp, 'pattern must be a valid regular expression'),
  }),
  z.object({ ...variableBase, type: z.literal('number') }),
  z.object({ ...variableBase, type: z.literal('date') }),
  z.object({ ...variableBase, type: z.literal('email') }),
  z.object({ ...variableBase, type: z.literal('phone') }),
  z.object({ ...variableBase, type: z.literal('yesno') }),
  z.object({ ...variableBase, type: z.literal('choice'), options: z.array(z.string().min(1)).min(2) }),
]);

export const workflowSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,64}$/, 'workflow ids are lowercase letters, digits and dashes'),
  greeting: z.string().optional(),
  routes: z
    .array(
      z.object({
        id: z.string().min(1),
        match: z.object({ keywords: z.array(z.string().min(1)).default([]) }).default({ keywords: [] }),
        mandatoryVariables: z.array(variableSchema).default([]),
        onComplete: z.object({ reply: z.string().min(1) }),
      }),
    )
    .min(1, 'a workflow needs at least one route'),
  fallback: z.object({ reply: z.string().min(1), maxAttempts: z.number().int().min(1).default(3) }),
  failureMessage: z.string().min(1),
  /** Answer to HELP/INFO (carrier requirement); a generic text when absent. */
  help: z.string().min(1).optional(),
  expiresAfterHours: z.number().positive().default(24),
});

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
