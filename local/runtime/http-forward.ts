import type { IncomingMessage } from 'node:http';

/** An upstream's answer, with the headers a re-sent body must not carry left out. */
export interface ForwardedAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/**
 * Sends a request a proxy received on to `upstream` (same method, path and headers, `body` in
 * place of what was read) and returns the answer: the stand-ins' counting and guarding proxies.
 * Length, host and transfer headers are left to the HTTP stacks, which frame the bodies anew.
 */
export async function forwardRequest(
  upstream: string | URL,
  request: IncomingMessage,
  body: Buffer,
): Promise<ForwardedAnswer> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string' && name !== 'content-length' && name !== 'host') headers[name] = value;
  }
  const answer = await fetch(new URL(request.url ?? '/', upstream), {
    method: request.method ?? 'POST',
    headers,
    ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body }),
  });
  const answerHeaders: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (name !== 'content-length' && name !== 'content-encoding' && name !== 'transfer-encoding') {
      answerHeaders[name] = value;
    }
  });
  return { status: answer.status, headers: answerHeaders, body: Buffer.from(await answer.arrayBuffer()) };
}
