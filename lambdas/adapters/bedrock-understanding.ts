import {
  BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import type { DocumentType } from '@smithy/types';
import { proposalFromToolInput } from '../domain/understanding/proposals';
import type { UnderstandingRequest } from '../domain/understanding/request';
import { proposalTool, systemPrompt } from '../domain/understanding/tool-schema';
import type { UnderstandingAnswer, UnderstandingPort } from '../ports/understanding';
import { awsClientConfig } from '../shared/clients';
import { tracer } from '../shared/observability';
import { UNDERSTANDING_DEADLINE_BOUNDS } from '../domain/understanding/request';

/** A proposal is a few short strings: more output than this is not one. */
const MAX_OUTPUT_TOKENS = 400;

/**
 * The Bedrock Runtime client the conversation function uses: endpoint only through the SDK's
 * standard setting (AWS_ENDPOINT_URL_BEDROCK_RUNTIME, the local stack's stand-in), one attempt
 * (a retry would not end before the deadline, after which the rules answer anyway), and a request
 * timeout no longer than the longest deadline a workflow may set.
 */
export function bedrockRuntimeClient(): BedrockRuntimeClient {
  return tracer.captureAWSv3Client(
    new BedrockRuntimeClient(
      awsClientConfig({ maxAttempts: 1, requestTimeoutMs: UNDERSTANDING_DEADLINE_BOUNDS.max }),
    ),
  );
}

/**
 * The understanding port on Amazon Bedrock's Converse API: one call with one tool whose input
 * schema is generated from the request (domain/understanding/tool-schema.ts), the model made to
 * call it (`toolChoice: { tool }`), temperature 0. The deadline aborts the call (the SDK's
 * `abortSignal`); no failure is thrown: the rules' answer stands.
 */
export class BedrockUnderstanding implements UnderstandingPort {
  constructor(
    private readonly client: BedrockRuntimeClient,
    private readonly now: () => number = Date.now,
  ) {}

  async propose(request: UnderstandingRequest): Promise<UnderstandingAnswer> {
    const started = this.now();
    const tool = proposalTool(request);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), request.deadlineMs);
    try {
      const output: ConverseCommandOutput = await this.client.send(
        new ConverseCommand({
          modelId: request.modelId,
          system: [{ text: systemPrompt(request) }],
          messages: [{ role: 'user', content: [{ text: request.text }] }],
          toolConfig: {
            tools: [
              {
                toolSpec: {
                  name: tool.name,
                  description: tool.description,
                  // A plain JSON object is a Smithy document.
                  inputSchema: { json: tool.inputSchema as unknown as DocumentType },
                },
              },
            ],
            toolChoice: { tool: { name: tool.name } },
          },
          inferenceConfig: { temperature: 0, maxTokens: MAX_OUTPUT_TOKENS },
        }),
        { abortSignal: abort.signal },
      );
      const latencyMs = this.now() - started;
      const usage = {
        inputTokens: output.usage?.inputTokens ?? 0,
        outputTokens: output.usage?.outputTokens ?? 0,
      };
      const toolUse = output.output?.message?.content?.find(
        (block) => block.toolUse !== undefined && block.toolUse.name === tool.name,
      )?.toolUse;
      if (!toolUse)
        return { ok: false, reason: 'no-proposal', detail: String(output.stopReason), latencyMs, usage };
      return { ok: true, proposal: proposalFromToolInput(toolUse.input, request), usage, latencyMs };
    } catch (error) {
      const latencyMs = this.now() - started;
      const name = (error as { name?: unknown }).name;
      if (abort.signal.aborted) return { ok: false, reason: 'timeout', detail: 'deadline', latencyMs };
      const detail = typeof name === 'string' ? name : 'Error';
      return {
        ok: false,
        reason:
          detail === 'ThrottlingException' || detail === 'ServiceQuotaExceededException'
            ? 'throttled'
            : 'error',
        detail,
        latencyMs,
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
