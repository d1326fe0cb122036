import { readFile } from 'node:fs/promises';
import { parseWorkflow, type Workflow } from '../lambdas/domain/workflow/definition';
import { type LintReport, lintWorkflow } from '../lambdas/domain/workflow/lint';
import { CliError } from './cli-error';
import { simulateLines } from './workflow-simulate';

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
 * `smsctl workflow simulate --file F [--from E164] [--to E164]`: one customer message per stdin
 * line (or `:wait 25h`), one JSON object per line out, exactly as the conversation function would
 * answer: it runs that function's turn (see WorkflowSimulation).
 */
export async function simulateCommand(
  file: string,
  input: NodeJS.ReadableStream,
  write: (line: string) => void,
  now: () => Date = () => new Date(),
  numbers: { from?: string; to?: string } = {},
): Promise<void> {
  await simulateLines(await readWorkflowFile(file), input, write, { ...numbers, now });
}
