import { readFile } from 'node:fs/promises';
import {
  errorCode,
  hostAddresses,
  type ResolveHost,
  systemResolve,
} from '../lambdas/adapters/pinned-webhook-transport';
import {
  DEPLOYED_URL_POLICY,
  LOCAL_URL_POLICY,
  type OutboundUrlPolicy,
  outboundProtocol,
  outboundUrlProblem,
  resolvedHostProblem,
} from '../lambdas/domain/outbound-url-policy';
import { parseWorkflow, type Workflow } from '../lambdas/domain/workflow/definition';
import { type LintReport, lintWorkflow } from '../lambdas/domain/workflow/lint';
import { skipUnderstandingModelCheck, type UnderstandingModelCheck } from './bedrock-model-listing';
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

/**
 * `smsctl workflow lint --file F`: schema, template and segment checks, the webhook endpoints
 * (checkWebhookEndpoints), and a warning when the Region's Bedrock does not list the
 * `understanding.modelId` (cli/bedrock-model-listing.ts; main passes the check). Exit 1 on errors.
 */
export async function lintCommand(
  file: string,
  endpoints: EndpointCheckOptions = {},
  checkUnderstandingModel: UnderstandingModelCheck = skipUnderstandingModelCheck,
): Promise<{ report: LintReport; ok: boolean }> {
  const workflow = await readWorkflowFile(file);
  const lint = lintWorkflow(workflow);
  const checked = await checkWebhookEndpoints(workflow, endpoints);
  const report: LintReport = {
    ...lint,
    errors: [...lint.errors, ...checked.errors],
    warnings: [...lint.warnings, ...checked.warnings, ...(await checkUnderstandingModel(workflow))],
  };
  return { report, ok: report.errors.length === 0 };
}

export interface EndpointCheckOptions {
  /**
   * The policy of the stage the workflow is for (`workflow put`: the target's). Undefined (`lint`,
   * which has no target): what any stage allows, with a warning for what only the local stack does.
   */
  readonly policy?: OutboundUrlPolicy;
  readonly resolve?: ResolveHost;
  readonly resolveTimeoutMs?: number;
}

/**
 * The outbound URL policy on each completion webhook URL, beyond the stage-agnostic schema: the
 * stage's own policy (loopback only for the local stack), and the host resolved now, so a name that
 * points at a private address is refused at `put`, not only dead-lettered at delivery. A name that
 * does not resolve now is a warning: DNS may not be set up yet, and the notifier checks every answer
 * again at every delivery anyway.
 */
export async function checkWebhookEndpoints(
  workflow: Workflow,
  { policy, resolve = systemResolve, resolveTimeoutMs = 5000 }: EndpointCheckOptions = {},
): Promise<{ errors: string[]; warnings: string[] }> {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const route of workflow.routes) {
    const raw = route.onComplete.webhook?.url;
    if (raw === undefined) continue;
    // Named like lintWorkflow's findings, which this report joins.
    const where = `routes.${route.id}.onComplete.webhook.url`;
    const judged = policy ?? LOCAL_URL_POLICY;
    const problem = outboundUrlProblem(raw, judged);
    if (problem) {
      errors.push(`${where}: url ${problem}`);
      continue;
    }
    const url = new URL(raw);
    const protocol = outboundProtocol(url);
    const addresses = await resolveWithin(url, resolve, resolveTimeoutMs);
    if (typeof addresses === 'string') {
      warnings.push(`${where}: host ${url.hostname} does not resolve now (${addresses})`);
      continue;
    }
    const refused = resolvedHostProblem(addresses, judged, protocol);
    if (refused) {
      errors.push(`${where}: url ${refused}`);
      continue;
    }
    // No stage given: say what only the local stack allows (plain http:// lintWorkflow warns about).
    const deployedRefuses =
      outboundUrlProblem(raw, DEPLOYED_URL_POLICY) ??
      resolvedHostProblem(addresses, DEPLOYED_URL_POLICY, protocol);
    if (policy === undefined && protocol === 'https:' && deployedRefuses) {
      warnings.push(
        `${where}: url reaches only the local stack; deployed stages refuse it (endpoint not allowed)`,
      );
    }
  }
  return { errors, warnings };
}

/** The host's addresses, or the error code when it does not resolve in time. */
async function resolveWithin(
  url: URL,
  resolve: ResolveHost,
  timeoutMs: number,
): Promise<readonly string[] | string> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((settle) => {
    timer = setTimeout(() => settle('ETIMEOUT'), timeoutMs);
  });
  try {
    const answer = await Promise.race([hostAddresses(url, resolve), timedOut]);
    return typeof answer === 'string' || answer.length > 0 ? answer : 'ENOTFOUND';
  } catch (error) {
    return errorCode(error, 'ENOTFOUND');
  } finally {
    clearTimeout(timer);
  }
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
