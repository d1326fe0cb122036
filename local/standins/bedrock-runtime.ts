import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyTooLargeError, readBody } from '../runtime/http-body';
import { closeServer, httpOrigin } from '../runtime/net';
import { type LocalPrincipal, verifySigV4 } from '../runtime/sigv4-verifier';
import {
  LOCAL_MODEL_CATALOG,
  listFoundationModels,
  listInferenceProfiles,
  type LocalModelCatalog,
} from './bedrock-catalog';

/**
 * A local Amazon Bedrock Runtime endpoint speaking the Converse wire protocol (REST JSON,
 * `POST /model/{modelId}/converse`, SigV4 for service `bedrock`), deterministic, so the
 * understanding port's adapter runs unchanged against it (AWS_ENDPOINT_URL_BEDROCK_RUNTIME).
 * It answers every call with a `toolUse` of the tool the request forces (`toolChoice.tool`):
 *
 * - scripted answers first (`POST /_bedrock/script`): a queue consumed in order, then rules whose
 *   `contains` is found in the customer's message; an answer may be a tool input, an error
 *   (`ThrottlingException`, ...) and a delay (to test deadlines);
 * - otherwise the recorded answers (`recorded`: message text -> tool input, exact after trimming
 *   and lower-casing), and otherwise an empty input: the model proposes nothing.
 *
 * Tokens are counted deterministically: a quarter of the request's and the answer's JSON length.
 * Everything received is kept for tests: `GET /_bedrock/requests` (`DELETE` forgets it).
 * `GET /_bedrock/models` lists the models it serves (`models`), as ListFoundationModels would.
 *
 * It also answers the control plane's model listings on their wire paths, signed like Converse:
 * ListFoundationModels (`GET /foundation-models`, with its `by…` filters) and ListInferenceProfiles
 * (`GET /inference-profiles`), from a fixed catalog (local/standins/bedrock-catalog.ts), for
 * `smsctl workflow lint|put --local` (AWS_ENDPOINT_URL_BEDROCK in AWS terms).
 */
export interface ScriptedAnswer {
  /** The tool input the "model" returns. */
  readonly input?: Record<string, unknown>;
  /** An AWS error name to answer with instead (ThrottlingException, ValidationException, ...). */
  readonly error?: string;
  /** Wait this long before answering. */
  readonly delayMs?: number;
  /** Reply with text instead of calling the tool. */
  readonly text?: string;
}

export interface BedrockScript {
  readonly queue?: readonly ScriptedAnswer[];
  readonly rules?: readonly { readonly contains: string; readonly answer: ScriptedAnswer }[];
}

export interface RecordedAnswer {
  readonly text: string;
  readonly input: Record<string, unknown>;
}

export interface ReceivedConverse {
  readonly modelId: string;
  readonly body: Record<string, unknown>;
  /** The raw body as received: what a test searches for anything that must never be sent. */
  readonly raw: string;
  readonly signed: boolean;
}

export interface BedrockRuntimeOptions {
  readonly port: number;
  readonly host?: string;
  /** Callers whose SigV4 signature is checked (service `bedrock`); unset: any signature-shaped header. */
  readonly principals?: readonly LocalPrincipal[];
  readonly recorded?: readonly RecordedAnswer[];
  /** Model ids it serves; any other gets ResourceNotFoundException. Default: any. */
  readonly models?: readonly string[];
  /** What ListFoundationModels and ListInferenceProfiles list (another Region's offer, in tests). */
  readonly catalog?: LocalModelCatalog;
}

export interface LocalBedrockRuntime {
  readonly endpoint: string;
  script(script: BedrockScript): void;
  reset(): void;
  requests(): readonly ReceivedConverse[];
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 1024 * 1024;
const CONVERSE_PATH = /^\/model\/([^/]+)\/converse$/;
/** HTTP status of each error Converse documents. */
const ERROR_STATUS: Readonly<Record<string, number>> = {
  ThrottlingException: 429,
  ServiceQuotaExceededException: 429,
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelNotReadyException: 429,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
};

/** Recorded answers from a JSON Lines file (`{"text": "...", "input": {...}}` per line). */
export function loadRecordedAnswers(file: string): RecordedAnswer[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as RecordedAnswer);
}

function normalized(text: string): string {
  return text.trim().toLowerCase();
}

function tokensOf(json: string): number {
  return Math.max(1, Math.ceil(json.length / 4));
}

/** The customer's message: the text blocks of the last user message. */
function customerText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as Record<string, unknown>[]) : [];
  const last = messages.filter((message) => message.role === 'user').at(-1);
  const content = Array.isArray(last?.content) ? (last.content as Record<string, unknown>[]) : [];
  return content.map((block) => (typeof block.text === 'string' ? block.text : '')).join('\n');
}

function forcedTool(body: Record<string, unknown>): string | undefined {
  const config = body.toolConfig as { toolChoice?: { tool?: { name?: unknown } } } | undefined;
  const name = config?.toolChoice?.tool?.name;
  return typeof name === 'string' ? name : undefined;
}

export async function startBedrockRuntime(options: BedrockRuntimeOptions): Promise<LocalBedrockRuntime> {
  const host = options.host ?? '127.0.0.1';
  const recorded = new Map((options.recorded ?? []).map((answer) => [normalized(answer.text), answer.input]));
  let queue: ScriptedAnswer[] = [];
  let rules: { contains: string; answer: ScriptedAnswer }[] = [];
  const received: ReceivedConverse[] = [];
  const catalog = options.catalog ?? LOCAL_MODEL_CATALOG;

  const answerFor = (text: string): ScriptedAnswer => {
    const next = queue.shift();
    if (next) return next;
    const rule = rules.find((candidate) => text.toLowerCase().includes(candidate.contains.toLowerCase()));
    if (rule) return rule.answer;
    return { input: recorded.get(normalized(text)) ?? {} };
  };

  const sendJson = (response: ServerResponse, status: number, body: unknown, headers = {}) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
  const sendError = (response: ServerResponse, name: string, message: string) =>
    sendJson(
      response,
      ERROR_STATUS[name] ?? 400,
      { message },
      { 'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
    );

  /** Whether the request is signed for service `bedrock` (answered with a 403 when it is not). */
  const signed = async (request: IncomingMessage, response: ServerResponse, raw: Buffer) => {
    const [path, rawQuery = ''] = (request.url ?? '').split('?');
    const verification = options.principals
      ? await verifySigV4(
          {
            method: request.method ?? 'GET',
            path: path ?? '',
            rawQuery,
            rawHeaders: request.rawHeaders,
            body: raw,
          },
          options.principals,
          new Date(),
          'bedrock',
        )
      : /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[^/]+\/bedrock\/aws4_request/.test(
            request.headers.authorization ?? '',
          )
        ? { ok: true as const }
        : {
            ok: false as const,
            errorType: 'MissingAuthenticationTokenException',
            message: 'not signed for bedrock',
          };
    if (!verification.ok)
      sendJson(
        response,
        403,
        { message: verification.message },
        { 'x-amzn-errortype': verification.errorType },
      );
    return verification.ok;
  };

  /** The control plane's model listings (local/standins/bedrock-catalog.ts), signed like Converse. */
  const listing = async (
    request: IncomingMessage,
    response: ServerResponse,
    raw: Buffer,
    answer: (query: URLSearchParams) => unknown,
  ) => {
    if (!(await signed(request, response, raw))) return;
    sendJson(response, 200, answer(new URL(request.url ?? '/', 'http://local').searchParams));
  };

  const converse = async (
    request: IncomingMessage,
    response: ServerResponse,
    modelId: string,
    raw: Buffer,
  ) => {
    if (!(await signed(request, response, raw))) return;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      sendError(response, 'ValidationException', 'The request body is not JSON');
      return;
    }
    received.push({ modelId, body, raw: raw.toString('utf8'), signed: true });
    if (options.models && !options.models.includes(modelId)) {
      sendError(response, 'ResourceNotFoundException', `Model ${modelId} is not served here`);
      return;
    }
    const toolName = forcedTool(body);
    const answer = answerFor(customerText(body));
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    // The caller gave up (its deadline): nobody to answer.
    if (response.destroyed || !response.socket || response.socket.destroyed) return;
    if (answer.error) {
      sendError(response, answer.error, `${answer.error} (scripted)`);
      return;
    }
    const content =
      answer.text !== undefined || toolName === undefined
        ? [{ text: answer.text ?? '' }]
        : [
            {
              toolUse: {
                toolUseId: `tooluse_${randomUUID().replace(/-/g, '').slice(0, 22)}`,
                name: toolName,
                input: answer.input ?? {},
              },
            },
          ];
    const inputTokens = tokensOf(raw.toString('utf8'));
    const outputTokens = tokensOf(JSON.stringify(content));
    sendJson(response, 200, {
      output: { message: { role: 'assistant', content } },
      stopReason: answer.text !== undefined || toolName === undefined ? 'end_turn' : 'tool_use',
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      metrics: { latencyMs: answer.delayMs ?? 1 },
    });
  };

  const server = createServer((request, response) => {
    void (async () => {
      let raw: Buffer;
      try {
        raw = await readBody(request, MAX_REQUEST_BYTES);
      } catch (error) {
        if (error instanceof BodyTooLargeError) sendError(response, 'ValidationException', error.message);
        else response.destroy();
        return;
      }
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      const method = request.method ?? 'GET';
      const match = CONVERSE_PATH.exec(path);
      if (match && method === 'POST')
        return converse(request, response, decodeURIComponent(match[1] ?? ''), raw);
      if (path === '/_bedrock/script' && method === 'POST') {
        const script = JSON.parse(raw.toString('utf8') || '{}') as BedrockScript;
        queue = [...queue, ...(script.queue ?? [])];
        rules = [...rules, ...(script.rules ?? [])];
        return sendJson(response, 200, { queued: queue.length, rules: rules.length });
      }
      if (path === '/_bedrock/script' && method === 'DELETE') {
        queue = [];
        rules = [];
        return sendJson(response, 200, { ok: true });
      }
      if (path === '/_bedrock/requests' && method === 'GET')
        return sendJson(response, 200, { requests: received });
      if (path === '/_bedrock/requests' && method === 'DELETE') {
        received.length = 0;
        return sendJson(response, 200, { ok: true });
      }
      if (path === '/foundation-models' && method === 'GET')
        return listing(request, response, raw, (query) => ({
          modelSummaries: listFoundationModels(catalog, query),
        }));
      if (path === '/inference-profiles' && method === 'GET')
        return listing(request, response, raw, (query) => listInferenceProfiles(catalog, query));
      if (path === '/_bedrock/models' && method === 'GET')
        return sendJson(response, 200, {
          modelSummaries: (options.models ?? []).map((modelId) => ({ modelId })),
        });
      sendError(
        response,
        'UnknownOperationException',
        `${method} ${path} is not a Bedrock Runtime operation here`,
      );
    })().catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(options.port, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: httpOrigin(host, port),
    script: (script) => {
      queue = [...queue, ...(script.queue ?? [])];
      rules = [...rules, ...(script.rules ?? [])];
    },
    reset: () => {
      queue = [];
      rules = [];
      received.length = 0;
    },
    requests: () => [...received],
    close: () => closeServer(server),
  };
}
