import { BedrockUnderstanding, bedrockRuntimeClient } from '../../lambdas/adapters/bedrock-understanding';
import { reviewProposal } from '../../lambdas/domain/understanding/proposals';
import { scrubForPrompt } from '../../lambdas/domain/understanding/scrub';
import type { Workflow, WorkflowVariable } from '../../lambdas/domain/workflow/definition';
import { extractVariable } from '../../lambdas/domain/workflow/extractors';
import { loadRecordedAnswers, startBedrockRuntime } from '../../local/standins/bedrock-runtime';
import { type CorpusCase, DEFAULT_NOW, DEFAULT_TIME_ZONE, type Reader } from './evaluate';

/**
 * The eval's second column: the rules with the understanding port behind them (`use: fallback`),
 * against the Bedrock Runtime stand-in answering from recorded answers
 * (`understanding-recorded.jsonl`: what a model proposed for an answer, literal text per variable).
 * The same adapter code as the conversation function: the real SDK over HTTP, the generated tool
 * schema, and every proposal reviewed by the typed readers. Asked only where the rules read
 * nothing; proposals are fetched up front, so the reader the eval calls stays synchronous.
 */
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const RECORDED = new URL('./understanding-recorded.jsonl', import.meta.url);

export async function understandingReader(
  corpus: readonly CorpusCase[],
  variables: Readonly<Record<string, WorkflowVariable>>,
): Promise<{ read: Reader; calls: number; accepted: number; rejected: number }> {
  const bedrock = await startBedrockRuntime({ port: 0, recorded: loadRecordedAnswers(RECORDED.pathname) });
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  const port = new BedrockUnderstanding(bedrockRuntimeClient());
  const proposals = new Map<string, string>();
  let calls = 0;
  let accepted = 0;
  let rejected = 0;
  const key = (variable: WorkflowVariable, text: string) => `${variable.name}\u0000${text}`;
  try {
    for (const item of corpus) {
      const variable = item.variable ?? (item.var === undefined ? undefined : variables[item.var]);
      if (!variable || variable.type === 'phone') continue;
      const now = new Date(item.now ?? DEFAULT_NOW);
      const options = {
        timeZone: item.timeZone ?? DEFAULT_TIME_ZONE,
        ...(item.language === undefined ? {} : { language: item.language }),
      };
      if (extractVariable(variable, item.text, now, options).found) continue;
      const text = scrubForPrompt(item.text);
      calls++;
      const answer = await port.propose({
        workflowId: 'eval',
        modelId: MODEL,
        routes: [],
        variables: [variable],
        awaiting: variable.name,
        text,
        deadlineMs: 2500,
      });
      if (!answer.ok) continue;
      const workflow = { routes: [], timeZone: options.timeZone } as unknown as Workflow;
      const reviewed = reviewProposal(answer.proposal, [variable], workflow, now);
      accepted += reviewed.accepted.length;
      rejected += reviewed.rejected.length;
      const proposed = reviewed.proposal.values[variable.name];
      if (proposed !== undefined) proposals.set(key(variable, item.text), proposed);
    }
  } finally {
    process.env = saved;
    await bedrock.close();
  }
  const read: Reader = (variable, text, now, options) => {
    const ruled = extractVariable(variable, text, now, options);
    const proposed = ruled.found ? undefined : proposals.get(key(variable, text));
    if (proposed === undefined) return ruled;
    const fromProposal = extractVariable(variable, proposed, now, { ...options, asked: true });
    return fromProposal.found ? fromProposal : ruled;
  };
  return { read, calls, accepted, rejected };
}
