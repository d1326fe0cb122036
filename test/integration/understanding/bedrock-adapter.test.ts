import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BedrockUnderstanding, bedrockRuntimeClient } from '../../../lambdas/adapters/bedrock-understanding';
import {
  turnWithUnderstanding,
  type UnderstandingOutcome,
} from '../../../lambdas/conversation/understanding';
import type { UnderstandingRequest } from '../../../lambdas/domain/understanding/request';
import { ROUTE_FIELD } from '../../../lambdas/domain/understanding/tool-schema';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import { runTurn, type SlotState } from '../../../lambdas/domain/workflow/engine';
import type { UnderstandingBudget } from '../../../lambdas/ports/understanding';
import { type LocalBedrockRuntime, startBedrockRuntime } from '../../../local/standins/bedrock-runtime';

/**
 * The Bedrock adapter over the wire, against the Converse stand-in: the real SDK, SigV4 checked
 * (service `bedrock`), the generated tool schema as the stand-in received it.
 */
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
let bedrock: LocalBedrockRuntime;
let adapter: BedrockUnderstanding;

const workflow: Workflow = (() => {
  const parsed = parseWorkflow({
    id: 'bookings',
    understanding: { provider: 'bedrock', modelId: MODEL, use: 'fallback', deadlineMs: 800 },
    routes: [
      {
        id: 'book-table',
        match: { keywords: ['book', 'table', 'reservation'] },
        mandatoryVariables: [
          { name: 'day', type: 'date', direction: 'future', prompt: 'Which day would you like to come?' },
          { name: 'party_size', type: 'number', prompt: 'For how many people?' },
          {
            name: 'seating',
            type: 'choice',
            options: ['inside', 'terrace'],
            prompt: 'Inside or on the terrace?',
          },
        ],
        onComplete: { reply: 'Booked {{party_size}} on {{day}}, {{seating}}.' },
      },
      {
        id: 'opening-hours',
        match: { keywords: ['hours', 'open'] },
        onComplete: { reply: 'We are open 12-11 every day.' },
      },
    ],
    fallback: { reply: 'Sorry, I did not get that.', maxAttempts: 3 },
    failureMessage: 'Something went wrong.',
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.workflow;
})();

const NOW = new Date('2026-12-03T17:00:00Z');

beforeAll(async () => {
  bedrock = await startBedrockRuntime({
    port: 0,
    principals: [{ ...CREDENTIALS, region: 'us-east-1', userArn: 'arn:aws:iam::000000000000:user/local' }],
  });
  // The function's own client: endpoint from the SDK's standard setting, credentials from the environment.
  process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = bedrock.endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
  adapter = new BedrockUnderstanding(bedrockRuntimeClient());
});
afterAll(async () => bedrock?.close());
beforeEach(() => bedrock.reset());

function request(overrides: Partial<UnderstandingRequest> = {}): UnderstandingRequest {
  const route = workflow.routes[0];
  return {
    workflowId: workflow.id,
    modelId: MODEL,
    routes: [],
    variables: route?.mandatoryVariables ?? [],
    awaiting: 'day',
    text: 'the day after tomorrow, 4 of us, outside please',
    deadlineMs: 2000,
    ...overrides,
  };
}

/** A budget in memory: what the turn would count in DynamoDB. */
function memoryBudget(limit: number): UnderstandingBudget & { used: number } {
  return {
    used: 0,
    async remaining() {
      return limit - this.used;
    },
    async record(_tenant, _now, usage) {
      this.used += usage.inputTokens + usage.outputTokens;
    },
  };
}

describe('BedrockUnderstanding against the Converse stand-in', () => {
  it('sends the generated tool schema, forces the tool, and reads its input as a proposal', async () => {
    bedrock.script({
      queue: [{ input: { day: 'the day after tomorrow', party_size: '4', seating: 'terrace', stray: 'x' } }],
    });
    const answer = await adapter.propose(request());
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(answer.proposal.values).toEqual({
      day: 'the day after tomorrow',
      party_size: '4',
      seating: 'terrace',
    });
    expect(answer.usage.inputTokens).toBeGreaterThan(0);
    const [received] = bedrock.requests();
    expect(received?.modelId).toBe(MODEL);
    const toolConfig = received?.body.toolConfig as {
      tools: {
        toolSpec: {
          name: string;
          inputSchema: { json: { properties: Record<string, { enum?: string[] }> } };
        };
      }[];
      toolChoice: { tool: { name: string } };
    };
    const spec = toolConfig.tools[0]?.toolSpec;
    expect(toolConfig.toolChoice.tool.name).toBe(spec?.name);
    expect(Object.keys(spec?.inputSchema.json.properties ?? {})).toEqual(['day', 'party_size', 'seating']);
    expect(spec?.inputSchema.json.properties.seating?.enum).toEqual(['inside', 'terrace']);
    expect(received?.body.inferenceConfig).toMatchObject({ temperature: 0 });
  });

  it('answers `timeout` at the deadline when the model is slower', async () => {
    bedrock.script({ queue: [{ delayMs: 1500, input: { day: 'friday' } }] });
    const answer = await adapter.propose(request({ deadlineMs: 500 }));
    expect(answer).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('answers `throttled` on a ThrottlingException, and never throws', async () => {
    bedrock.script({ queue: [{ error: 'ThrottlingException' }] });
    expect(await adapter.propose(request())).toMatchObject({
      ok: false,
      reason: 'throttled',
      detail: 'ThrottlingException',
    });
  });

  it('answers `no-proposal` (with the billed tokens) when the model writes text instead', async () => {
    bedrock.script({ queue: [{ text: 'I think they mean Friday.' }] });
    const answer = await adapter.propose(request());
    expect(answer).toMatchObject({ ok: false, reason: 'no-proposal' });
    expect(answer.usage?.outputTokens).toBeGreaterThan(0);
  });
});

describe('a turn with understanding, through the stand-in', () => {
  /** `'new'`: the customer's first message (no conversation yet). */
  const turn = (
    text: string,
    budget: UnderstandingBudget,
    outcomes: UnderstandingOutcome[],
    state: SlotState | 'new' = bookingState(),
    settings: Workflow = workflow,
  ) =>
    turnWithUnderstanding(
      {
        tenantId: 'acme',
        workflow: settings,
        state: state === 'new' ? undefined : state,
        text,
        now: NOW,
        customer: '+14155550123',
      },
      { port: async () => adapter, budget },
      runTurn,
      (outcome) => outcomes.push(outcome),
    );

  function bookingState() {
    return { status: 'collecting' as const, routeId: 'book-table', variables: {}, attempts: {} };
  }

  it('a wrong proposal is rejected by the types: the rules’ re-prompt stands', async () => {
    bedrock.script({ queue: [{ input: { day: 'next blursday' } }] });
    const outcomes: UnderstandingOutcome[] = [];
    const result = await turn('whenever the blursday is', memoryBudget(10_000), outcomes);
    expect(result.state.variables).toEqual({});
    expect(result.missed).toBe('answer');
    expect(outcomes).toEqual([expect.objectContaining({ outcome: 'proposed', accepted: 0, rejected: 1 })]);
  });

  it('an accepted proposal is stored as the extractor reads it, never as the model wrote it', async () => {
    bedrock.script({ queue: [{ input: { day: 'sat. dec 5th', party_size: 'four' } }] });
    const outcomes: UnderstandingOutcome[] = [];
    const result = await turn('hmm idk, whatever works for the gang', memoryBudget(10_000), outcomes);
    expect(result.state.variables.day).toBe('2026-12-05');
    expect(result.state.variables.party_size).toBe('4');
    expect(outcomes[0]).toMatchObject({ outcome: 'proposed', accepted: 2, rejected: 0 });
  });

  it('picks the proposed route when no keyword matched, only if it is one of the workflow’s', async () => {
    bedrock.script({ queue: [{ input: { [ROUTE_FIELD]: 'opening-hours' } }] });
    const outcomes: UnderstandingOutcome[] = [];
    const result = await turn('when can i come by', memoryBudget(10_000), outcomes, 'new');
    expect(result.completed).toBe(true);
    expect(result.replies[0]).toContain('We are open');

    bedrock.script({ queue: [{ input: { [ROUTE_FIELD]: 'refunds' } }] });
    const refused = await turn('when can i come by', memoryBudget(10_000), [], 'new');
    expect(refused.missed).toBe('route');
  });

  it('past the deadline the rules’ answer stands', async () => {
    bedrock.script({ queue: [{ delayMs: 2500, input: { day: 'friday' } }] });
    const outcomes: UnderstandingOutcome[] = [];
    const result = await turn('hmm', memoryBudget(10_000), outcomes);
    expect(result.missed).toBe('answer');
    expect(result.state.variables).toEqual({});
    expect(outcomes).toEqual([expect.objectContaining({ outcome: 'failed', reason: 'timeout' })]);
  });

  it('an exhausted budget stops the calls: rules only, no error', async () => {
    const budget = memoryBudget(1);
    bedrock.script({ rules: [{ contains: 'hmm', answer: { input: {} } }] });
    await turn('hmm', budget, []);
    expect(bedrock.requests()).toHaveLength(1);
    const outcomes: UnderstandingOutcome[] = [];
    const result = await turn('hmm', budget, outcomes);
    expect(bedrock.requests()).toHaveLength(1);
    expect(outcomes).toEqual([{ outcome: 'budgetExhausted' }]);
    expect(result.replies[0]).toContain('Which day');
  });

  it('never sends the customer’s number nor any number they typed', async () => {
    bedrock.script({ queue: [{ input: {} }] });
    const always = { ...workflow, understanding: { ...workflow.understanding, use: 'always' } } as Workflow;
    await turn(
      'call me on +1 (415) 555-0123 or 415.555.0199 about it',
      memoryBudget(10_000),
      [],
      bookingState(),
      always,
    );
    const [received] = bedrock.requests();
    expect(received?.raw).not.toMatch(/555.?0123|4155550123|555.?0199/);
    expect(received?.raw).toContain('[number removed]');
  });
});
