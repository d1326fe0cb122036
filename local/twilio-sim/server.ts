import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { handleApiRequest } from './api-routes';
import type { SimulatorContext } from './context';
import { twilioErrors } from './errors';
import { BodyTooLargeError, type JsonReply, readBody, simError, writeJson } from './http-io';
import { handleSimRequest } from './sim-routes';

const MAX_BODY_BYTES = 1024 * 1024;

async function route(context: SimulatorContext, request: IncomingMessage): Promise<JsonReply> {
  const url = new URL(request.url ?? '/', 'http://twilio-sim.invalid');
  const method = request.method ?? 'GET';
  const body = await readBody(request, MAX_BODY_BYTES);
  if (url.pathname === '/_sim' || url.pathname.startsWith('/_sim/')) {
    return handleSimRequest(context, method, url.pathname, body);
  }
  // Everything else is the Twilio REST API surface, answered with Twilio's error shape.
  return handleApiRequest(context, request, url, body);
}

async function handle(
  context: SimulatorContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  let reply: JsonReply;
  try {
    reply = await route(context, request);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      reply = simError(413, error.message);
    } else {
      // A simulator bug must be loud in test output, and the client still gets Twilio's 500 shape.
      console.error('twilio-sim: unexpected error', error);
      reply = { status: 500, body: twilioErrors.internalServerError().toJSON() };
    }
  }
  if (!response.destroyed && !response.writableEnded) writeJson(response, reply);
}

export function createSimulatorServer(context: SimulatorContext): Server {
  return createServer((request, response) => {
    void handle(context, request, response);
  });
}
