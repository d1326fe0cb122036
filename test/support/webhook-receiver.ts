import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST as the tenant's endpoint received it, and what it answered. */
export interface ReceivedWebhook {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly answeredStatus: number;
}

/**
 * A tenant's webhook endpoint on 127.0.0.1 (over the wire, like the real one). Answers are
 * scripted per customer (the `customer` field of the body): the next scripted status, else 200.
 */
export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  script(customer: string, statuses: number[]): void;
  forCustomer(customer: string): ReceivedWebhook[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const scripts = new Map<string, number[]>();
  const customerOf = (body: string): string => {
    try {
      return String((JSON.parse(body) as { customer?: unknown }).customer ?? '');
    } catch {
      return '';
    }
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = scripts.get(customerOf(body))?.shift() ?? 200;
      received.push({ path: request.url ?? '', headers: request.headers, body, answeredStatus: status });
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/sms-completed`,
    received,
    script: (customer, statuses) => scripts.set(customer, [...statuses]),
    forCustomer: (customer) => received.filter((entry) => customerOf(entry.body) === customer),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
