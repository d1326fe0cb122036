import { DEMO_TENANT, seedDemoTenant } from '../local/seed';
import type { LocalStack } from '../local/stack';
import type { OutboundMessageCounts } from './cost';
import { startInstrumentedStack, waitForQuiet, waitUntil, type WindowFigures } from './instrumented-stack';

/**
 * Drives order-status conversations through the local stack the way customers would (each
 * message after the reply to the previous one) and counts what they cost: invocations, the
 * functions' AWS requests (bench/aws-requests.ts), the event source mappings' SQS receives and
 * deletes, log bytes, Secrets Manager calls per execution environment.
 */
const CONVERSATION = ['Where is my package?', '123456', 'December 10th'];

export interface PipelineFigures extends WindowFigures {
  /** The unit the cost is counted in: conversation turns here, campaign messages in bench/campaign.ts. */
  readonly turns: number;
  readonly customers: number;
  readonly seconds: number;
  readonly turnsPerSecond: number;
  /** Replies that reached `delivered` in the simulator. */
  readonly delivered: number;
  /** The replies as Twilio bills them (the simulator's message resources): SMS segments, MMS messages. */
  readonly outbound: OutboundMessageCounts;
}

async function text(stack: LocalStack, from: string, body: string): Promise<void> {
  const response = await fetch(`${stack.twilioSimUrl}/_sim/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenantId: DEMO_TENANT.tenantId, from, to: DEMO_TENANT.number, body }),
  });
  if (!response.ok) throw new Error(`bench: inbound answered ${response.status}`);
}

const repliesTo = (stack: LocalStack, customer: string) =>
  stack.simulator.messages().filter((message) => message.resource.to === customer);

async function converse(stack: LocalStack, customer: string): Promise<void> {
  for (const [index, body] of CONVERSATION.entries()) {
    await text(stack, customer, body);
    await waitUntil(`reply ${index + 1} to a customer`, () => repliesTo(stack, customer).length > index);
  }
}

/** Everything the turns set off has finished: replies delivered, callbacks applied, queues empty, no invocation running. */
async function settle(stack: LocalStack, customers: readonly string[]): Promise<void> {
  const replies = () => customers.flatMap((customer) => repliesTo(stack, customer));
  await waitUntil('every reply delivered', () =>
    replies().every((reply) => reply.resource.status === 'delivered'),
  );
  await waitForQuiet(stack);
}

export async function measurePipeline(options: { customers: number }): Promise<PipelineFigures> {
  const instrumented = await startInstrumentedStack();
  const { stack } = instrumented;
  try {
    await seedDemoTenant(stack);
    // Warm-up: one conversation brings up an environment of each function on the path.
    const warmUp = ['+15550100000'];
    await converse(stack, warmUp[0] as string);
    await settle(stack, warmUp);
    instrumented.startWindow();

    const customers = Array.from(
      { length: options.customers },
      (_, index) => `+1555011${String(index).padStart(4, '0')}`,
    );
    const started = performance.now();
    await Promise.all(customers.map((customer) => converse(stack, customer)));
    await waitUntil('every reply delivered', () =>
      customers.every((customer) =>
        repliesTo(stack, customer).every((reply) => reply.resource.status === 'delivered'),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    await settle(stack, customers);

    const turns = customers.length * CONVERSATION.length;
    const replies = customers.flatMap((customer) => repliesTo(stack, customer));
    return {
      turns,
      customers: customers.length,
      seconds,
      turnsPerSecond: turns / seconds,
      delivered: replies.length,
      ...instrumented.windowFigures(),
      outbound: outboundCounts(replies),
    };
  } finally {
    await instrumented.stop();
  }
}

/** Replies as Twilio bills them (the simulator's message resources): SMS segments, MMS messages. */
export function outboundCounts(
  replies: readonly { resource: { num_media: string; num_segments: string } }[],
): OutboundMessageCounts {
  return {
    smsSegments: replies
      .filter((reply) => Number(reply.resource.num_media) === 0)
      .reduce((sum, reply) => sum + Number(reply.resource.num_segments), 0),
    mmsMessages: replies.filter((reply) => Number(reply.resource.num_media) > 0).length,
  };
}
