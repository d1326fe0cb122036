import type { IncomingMessage, ServerResponse } from 'node:http';
import { isCampaignAction } from '../../lambdas/conversations-api/campaigns/control';
import type { CampaignOutcome } from '../../lambdas/conversations-api/campaigns/refusal';
import {
  type HandoffDeps,
  type HandoffResult,
  listHandoffs,
  releaseFromHandoff,
  replyToHandoff,
} from '../../lambdas/conversations-api/handoffs';
import type { MetricRecorder } from '../emf';
import { readBody } from '../runtime/http-body';
import type { CampaignControlRequest, DeliveryView, PhoneMessageRequest, TrafficRequest } from './api-types';
import { loadConsoleAssets } from './assets';
import type { ConsoleCampaigns } from './campaigns';
import { deliveryReport } from './delivery-report';
import type { ConsoleQueries } from './queries';

/**
 * Serves the local console under `/console` on the local API's port: static files and a small JSON
 * API. Reads come from DynamoDB Local, the SQS emulator and the functions' EMF records; every
 * write goes through the Twilio simulator (the phone, fault injection) or, for a campaign's pause,
 * resume and cancel, through the campaign use cases smsctl runs; never straight to the store.
 */
export interface ConsoleOptions {
  readonly queries: ConsoleQueries;
  readonly campaigns: ConsoleCampaigns;
  /** The inbox answers and releases handed-off conversations through the hand-off use cases. */
  readonly handoffs: HandoffDeps;
  readonly metrics: MetricRecorder;
  readonly twilioSimUrl: string;
}

export type ConsoleHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

export const CONSOLE_PATH = '/console';
const MAX_BODY_BYTES = 64 * 1024;
const MAX_TRAFFIC = 50;
/** The periods the delivery chart offers: 10 s and 1 min to watch live, 5 min as on the dashboard. */
const PERIODS_SECONDS = [10, 60, 300];
const WINDOW_PERIODS = 30;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: Buffer | string): void {
  response.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    // Everything the page needs comes from this origin; pictures from elsewhere show as links.
    'Content-Security-Policy':
      "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'",
  });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  // A JSON content type cannot be sent cross-site without a CORS preflight, which this server
  // never grants: another web page open in the same browser cannot drive the simulator.
  if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
    throw new HttpError(415, 'send application/json');
  }
  try {
    return JSON.parse((await readBody(request, MAX_BODY_BYTES)).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'body must be JSON');
  }
}

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function requiredString(input: Record<string, unknown>, key: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value === '') throw new HttpError(400, `${key} is required`);
  return value;
}

function requiredParam(url: URL, key: string): string {
  const value = url.searchParams.get(key);
  if (!value) throw new HttpError(400, `query parameter ${key} is required`);
  return value;
}

function phoneMessage(input: Record<string, unknown>): PhoneMessageRequest {
  const mediaUrls = input.mediaUrls;
  if (
    mediaUrls !== undefined &&
    !(Array.isArray(mediaUrls) && mediaUrls.every((url) => typeof url === 'string'))
  ) {
    throw new HttpError(400, 'mediaUrls must be an array of strings');
  }
  return {
    tenantId: requiredString(input, 'tenantId'),
    from: requiredString(input, 'from'),
    to: requiredString(input, 'to'),
    body: typeof input.body === 'string' ? input.body : '',
    ...(mediaUrls ? { mediaUrls: mediaUrls as string[] } : {}),
  };
}

function trafficRequest(input: Record<string, unknown>): TrafficRequest {
  const count = input.count;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_TRAFFIC) {
    throw new HttpError(400, `count must be an integer from 1 to ${MAX_TRAFFIC}`);
  }
  return { tenantId: requiredString(input, 'tenantId'), to: requiredString(input, 'to'), count };
}

function campaignControl(input: Record<string, unknown>): CampaignControlRequest {
  const action = requiredString(input, 'action');
  if (!isCampaignAction(action)) throw new HttpError(400, 'action must be pause, resume or cancel');
  return {
    tenantId: requiredString(input, 'tenantId'),
    campaignId: requiredString(input, 'campaignId'),
    action,
  };
}

/** A use case's answer, its refusal with the status the campaigns API would give it. */
function outcome<T>(result: CampaignOutcome<T>): { status: number; body: T } {
  if (!result.ok) throw new HttpError(result.refusal.status, result.refusal.message);
  return { status: 200, body: result.value };
}

/** A hand-off use case's answer; its refusal with the status the hand-off API would give it. */
function handoffOutcome<T>(result: HandoffResult<T>): { status: number; body: T } {
  if (!result.ok) throw new HttpError(result.refusal.status, result.refusal.message);
  return { status: result.status, body: result.value };
}

/** The conversation an inbox request names: tenant, customer and business number. */
function inboxTarget(input: Record<string, unknown>) {
  return {
    tenantId: requiredString(input, 'tenantId'),
    customer: requiredString(input, 'customer'),
    to: requiredString(input, 'businessNumber'),
  };
}

/** A customer number for generated traffic, in the 555-01xx range no real customer has. */
function syntheticCustomer(): string {
  return `+1555010${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
}

export async function createConsoleHandler(options: ConsoleOptions): Promise<ConsoleHandler> {
  const assets = await loadConsoleAssets();
  const { queries, campaigns, handoffs, metrics, twilioSimUrl } = options;

  /** Forwards to the simulator and answers with its status and JSON body. */
  async function simulator(path: string, method: string, body?: unknown) {
    const response = await fetch(`${twilioSimUrl}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  }

  function deliveryView(url: URL, dlq: DeliveryView['dlq']): DeliveryView {
    const requested = Number(url.searchParams.get('period') ?? PERIODS_SECONDS[0]);
    const periodSeconds = PERIODS_SECONDS.includes(requested) ? requested : (PERIODS_SECONDS[0] ?? 10);
    const now = Date.now();
    const report = deliveryReport(metrics.all(), {
      now,
      periodSeconds,
      windowSeconds: periodSeconds * (WINDOW_PERIODS - 1),
    });
    return { generatedAt: now, periodSeconds, ...report, dlq };
  }

  async function api(
    method: string,
    url: URL,
    request: IncomingMessage,
  ): Promise<{ status: number; body: unknown }> {
    const route = `${method} ${url.pathname.slice(`${CONSOLE_PATH}/api`.length)}`;
    switch (route) {
      case 'GET /tenants':
        return { status: 200, body: await queries.tenants() };
      case 'GET /conversations':
        return { status: 200, body: await queries.conversations(requiredParam(url, 'tenant')) };
      case 'GET /conversation':
        return {
          status: 200,
          body: await queries.conversation(
            requiredParam(url, 'tenant'),
            requiredParam(url, 'customer'),
            url.searchParams.get('number') ?? undefined,
          ),
        };
      case 'GET /delivery':
        return { status: 200, body: deliveryView(url, await queries.dlqDepths()) };
      case 'GET /campaigns':
        return outcome(await campaigns.list(requiredParam(url, 'tenant')));
      case 'GET /campaign':
        return outcome(await campaigns.show(requiredParam(url, 'tenant'), requiredParam(url, 'campaign')));
      case 'POST /campaign': {
        const control = campaignControl(record(await readJson(request)));
        return outcome(await campaigns.control(control.tenantId, control.campaignId, control.action));
      }
      case 'GET /inbox': {
        const listed = handoffOutcome(await listHandoffs(requiredParam(url, 'tenant'), handoffs));
        return { status: 200, body: listed.body.conversations };
      }
      case 'POST /inbox/reply': {
        const input = record(await readJson(request));
        const body = requiredString(input, 'body');
        return handoffOutcome(await replyToHandoff({ ...inboxTarget(input), body }, handoffs));
      }
      case 'POST /inbox/release': {
        const input = record(await readJson(request));
        const mode = input.mode;
        if (mode !== 'resume' && mode !== 'restart')
          throw new HttpError(400, 'mode must be resume or restart');
        return handoffOutcome(await releaseFromHandoff({ ...inboxTarget(input), mode }, handoffs));
      }
      case 'GET /faults':
        return simulator('/_sim/faults', 'GET');
      case 'POST /faults':
        return simulator('/_sim/faults', 'POST', await readJson(request));
      case 'DELETE /faults':
        return simulator('/_sim/faults', 'DELETE');
      case 'POST /phone':
        return simulator('/_sim/inbound', 'POST', phoneMessage(record(await readJson(request))));
      case 'POST /traffic': {
        const traffic = trafficRequest(record(await readJson(request)));
        const results = await Promise.all(
          Array.from({ length: traffic.count }, () =>
            simulator('/_sim/inbound', 'POST', {
              tenantId: traffic.tenantId,
              from: syntheticCustomer(),
              to: traffic.to,
              body: 'Where is my order?',
            }),
          ),
        );
        return { status: 200, body: { sent: results.filter((result) => result.status === 200).length } };
      }
      default:
        throw new HttpError(404, `no console endpoint ${route}`);
    }
  }

  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://console.invalid');
    const method = request.method ?? 'GET';
    if (url.pathname !== CONSOLE_PATH && !url.pathname.startsWith(`${CONSOLE_PATH}/`)) return false;
    if (url.pathname === CONSOLE_PATH) {
      response.writeHead(308, { Location: `${CONSOLE_PATH}/` });
      response.end();
      return true;
    }
    if (url.pathname.startsWith(`${CONSOLE_PATH}/api/`)) {
      try {
        const reply = await api(method, url, request);
        sendJson(response, reply.status, reply.body);
      } catch (error) {
        if (error instanceof HttpError) sendJson(response, error.status, { message: error.message });
        else sendJson(response, 500, { message: `console: ${String(error)}` });
      }
      return true;
    }
    const asset = method === 'GET' ? assets.get(url.pathname) : undefined;
    if (asset) send(response, 200, asset.contentType, asset.body);
    else sendJson(response, 404, { message: `no console file ${url.pathname}` });
    return true;
  };
}
