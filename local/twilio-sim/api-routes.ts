import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AuthPrincipal, authenticate, parseBasicAuth } from './auth';
import type { SimulatorContext } from './context';
import { TwilioApiError, twilioErrors } from './errors';
import { type FormParams, parseForm } from './form';
import type { JsonReply } from './http-io';
import { listMessagesPage } from './message-list';
import { parseCreateMessageRequest } from './message-request';
import { API_VERSION } from './messages';
import type { ApiRequestRecord } from './state';

type ApiRoute =
  { resource: 'messages'; accountSid: string } | { resource: 'message'; accountSid: string; sid: string };

const MESSAGES_PATH = new RegExp(`^/${API_VERSION}/Accounts/([^/]+)/Messages\\.json$`);
const MESSAGE_PATH = new RegExp(`^/${API_VERSION}/Accounts/([^/]+)/Messages/([^/]+)\\.json$`);

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // malformed percent-encoding: no such resource
  }
}

function matchRoute(rawPath: string): ApiRoute | undefined {
  const path = decodeSegment(rawPath);
  if (path === undefined) return undefined;
  const list = MESSAGES_PATH.exec(path);
  if (list?.[1]) return { resource: 'messages', accountSid: list[1] };
  const instance = MESSAGE_PATH.exec(path);
  if (instance?.[1] && instance[2]) {
    return {
      resource: 'message',
      accountSid: instance[1],
      sid: instance[2],
    };
  }
  return undefined;
}

function errorReply(error: TwilioApiError): JsonReply {
  return { status: error.status, body: error.toJSON() };
}

function queryParams(search: URLSearchParams): FormParams {
  return parseForm(search.toString());
}

interface ApiCall {
  context: SimulatorContext;
  route: ApiRoute;
  method: string;
  url: URL;
  form: FormParams;
  principal: AuthPrincipal;
  authToken: string;
}

function handleRoute(call: ApiCall): JsonReply {
  const { context, route, method, url } = call;
  if (route.resource === 'messages' && method === 'POST') {
    const request = parseCreateMessageRequest(call.form);
    const message = context.state.messages.create(route.accountSid, request, call.form, call.principal);
    context.lifecycles.start(message, call.authToken);
    return { status: 201, body: structuredClone(message.resource) };
  }
  if (route.resource === 'messages' && method === 'GET') {
    const newestFirst = context.state.messages.forAccount(route.accountSid);
    return {
      status: 200,
      body: structuredClone(listMessagesPage(route.accountSid, newestFirst, url.searchParams)),
    };
  }
  if (route.resource === 'message' && method === 'GET') {
    const message = context.state.messages.get(route.sid);
    if (!message || message.accountSid !== route.accountSid) throw twilioErrors.notFound(url.pathname);
    return { status: 200, body: structuredClone(message.resource) };
  }
  throw twilioErrors.methodNotAllowed(method);
}

/**
 * Twilio REST API v2010 Messages: authenticates (HTTP Basic, account SID + auth token or one of
 * its API keys), injects configured faults, serves the request and records it.
 */
export async function handleApiRequest(
  context: SimulatorContext,
  request: IncomingMessage,
  url: URL,
  rawBody: string,
): Promise<JsonReply> {
  const method = request.method ?? 'GET';
  const form = method === 'POST' ? parseForm(rawBody) : {};
  const credentials = parseBasicAuth(request.headers.authorization);
  const record: ApiRequestRecord = {
    at: new Date().toISOString(),
    method,
    path: url.pathname,
    query: queryParams(url.searchParams),
    params: form,
    principal: null,
    authUsername: credentials?.username ?? null,
    responseStatus: null,
    fault: null,
    slowedMs: 0,
  };
  context.state.apiRequests.push(record);

  const reply = await answer(context, record, method, url, form, credentials);
  record.responseStatus = reply.status;
  return reply;
}

async function answer(
  context: SimulatorContext,
  record: ApiRequestRecord,
  method: string,
  url: URL,
  form: FormParams,
  credentials: ReturnType<typeof parseBasicAuth>,
): Promise<JsonReply> {
  const route = matchRoute(url.pathname);
  if (!route) return errorReply(twilioErrors.notFound(url.pathname));

  const account = await context.directory.accountBySid(route.accountSid);
  const principal = authenticate(account, credentials);
  if (!account || !principal) {
    return {
      ...errorReply(twilioErrors.authenticate()),
      headers: { 'WWW-Authenticate': 'Basic realm="Twilio API"' },
    };
  }
  record.principal = principal;

  const faults = context.state.faults;
  if (context.dice.roll(faults.api500)) {
    record.fault = 'api500';
    return errorReply(twilioErrors.internalServerError());
  }
  if (context.dice.roll(faults.api429)) {
    record.fault = 'api429';
    return errorReply(twilioErrors.tooManyRequests());
  }

  let reply: JsonReply;
  try {
    reply = handleRoute({ context, route, method, url, form, principal, authToken: account.authToken });
  } catch (error) {
    if (!(error instanceof TwilioApiError)) throw error;
    reply = errorReply(error);
  }
  // A slow Twilio has done the work already: the message exists even if the client gives up.
  if (faults.apiSlowMs > 0 && context.dice.roll(faults.apiSlowRate)) {
    record.slowedMs = faults.apiSlowMs;
    await sleep(faults.apiSlowMs, undefined, { signal: context.signal }).catch(() => undefined);
  }
  return reply;
}
