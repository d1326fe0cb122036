import type { IncomingMessage, ServerResponse } from 'node:http';

/** A JSON answer; `body` undefined means no content. */
export interface JsonReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export class BodyTooLargeError extends Error {}

/** Reads the request body as UTF-8, refusing more than `limitBytes`. */
export async function readBody(request: IncomingMessage, limitBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > limitBytes) throw new BodyTooLargeError(`request body exceeds ${limitBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function writeJson(response: ServerResponse, reply: JsonReply): void {
  const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    ...(payload === '' ? {} : { 'Content-Type': 'application/json' }),
    'Content-Length': Buffer.byteLength(payload),
    ...reply.headers,
  });
  response.end(payload);
}

/** The simulator's own (non-Twilio) error shape for `/_sim/*`. */
export function simError(status: number, message: string): JsonReply {
  return { status, body: { error: message } };
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false };

export function parseJson(text: string): JsonParseResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
