import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseWorkflow, type Workflow } from '../lambdas/domain/workflow/definition';
import { runTurn, type SlotState } from '../lambdas/domain/workflow/engine';
import { type LintReport, lintWorkflow } from '../lambdas/domain/workflow/lint';
import { CliError } from './cli-error';

export async function readWorkflowFile(file: string): Promise<Workflow> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new CliError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = parseWorkflow(json);
  if (!parsed.ok) throw new CliError(`${file} is not a valid workflow: ${parsed.errors.join('; ')}`);
  return parsed.workflow;
}

/** `smsctl workflow lint --file F`: schema, template and segment checks. Exit 1 on errors. */
export async function lintCommand(file: string): Promise<{ report: LintReport; ok: boolean }> {
  const workflow = await readWorkflowFile(file);
  const report = lintWorkflow(workflow);
  return { report, ok: report.errors.length === 0 };
}

/**
 * `smsctl workflow simulate --file F`: one customer message per stdin line, one JSON object per
 * line out, exactly as the conversation function would answer.
 */
export async function simulateCommand(
  file: string,
  input: NodeJS.ReadableStream,
  write: (line: string) => void,
  now: () => Date = () => new Date(),
): Promise<void> {
  const workflow = await readWorkflowFile(file);
  let state: SlotState | undefined;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const turn = runTurn({ workflow, state, text: line, now: now() });
    state = turn.state;
    write(
      JSON.stringify({
        replies: turn.replies,
        variables: turn.state.variables,
        route: turn.state.routeId ?? null,
        status: turn.state.status,
      }),
    );
  }
}
