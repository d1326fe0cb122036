import { DynamoTenantAdmin } from '../lambdas/adapters/dynamodb/tenant-admin';
import { poolRate } from '../lambdas/domain/number-pool';
import { DEMO_TENANT, loadWorkflowFile, seedDemoTenant } from '../local/seed';
import { LOCAL_API_PRINCIPAL } from '../local/stack';
import { signedFetch } from '../test/support/sigv4';
import type { PipelineFigures } from './pipeline';
import { outboundCounts } from './pipeline';
import { startInstrumentedStack, waitForQuiet, waitUntil } from './instrumented-stack';

/**
 * A campaign through the local stack as a tenant's system runs one (issue 17): a pool of numbers
 * at different rates, recipients added through the campaigns API, the dispatcher releasing them
 * and the sender pacing each number. Measures the pool's achieved rate against its configured rate
 * (the sum of its numbers') and what each campaign message asks of AWS, for the request fees per
 * 1,000 campaign messages (bench/cost.ts, with `turns` read as campaign messages). The pool's 6
 * segments/s stay well inside what the local stack sends on 2 cores (about 11 a second).
 */
export const CAMPAIGN_POOL = [
  { number: '+15005550501', segmentsPerSecond: 1 },
  { number: '+15005550502', segmentsPerSecond: 2 },
  { number: '+15005550503', segmentsPerSecond: 3 },
] as const;

export interface CampaignFigures {
  readonly recipients: number;
  readonly poolSegmentsPerSecond: number;
  /** Messages per second from the first to the last, over the pool's rate. */
  readonly achievedRatio: number;
  /**
   * The best `achievedRatio` the sticky assignment allows: the pool's time at its full rate over the
   * time of its most loaded number at that number's rate (a customer keeps its number, so a number
   * given more than its share of the recipients sets the campaign's length).
   */
  readonly stickyBoundRatio: number;
  /** Per number: its messages and its own achieved rate over its configured one. */
  readonly byNumber: Record<string, { readonly messages: number; readonly achievedRatio: number }>;
  readonly sent: number;
  readonly distinctRecipients: number;
  readonly state: string;
  /** The whole run in the shape bench/cost.ts prices, one `turn` per campaign message. */
  readonly cost: PipelineFigures;
}

function ratioOf(timesMs: readonly number[], perSecond: number): number {
  const sorted = [...timesMs].sort((a, b) => a - b);
  const span = (sorted.at(-1)! - sorted[0]!) / 1000;
  return span > 0 ? (sorted.length - 1) / span / perSecond : Number.NaN;
}

export async function measureCampaign(options: { recipients: number }): Promise<CampaignFigures> {
  const instrumented = await startInstrumentedStack();
  const { stack } = instrumented;
  try {
    const workflow = await seedDemoTenant(stack);
    const admin = new DynamoTenantAdmin(stack.clients.dynamo, stack.tableName);
    for (const member of CAMPAIGN_POOL)
      await admin.putNumber({
        tenantId: DEMO_TENANT.tenantId,
        number: member.number,
        workflowId: workflow.id,
        allowInboundStart: true,
        segmentsPerSecond: member.segmentsPerSecond,
      });
    await admin.putPool(
      DEMO_TENANT.tenantId,
      'bench',
      CAMPAIGN_POOL.map((member) => member.number),
      new Date().toISOString(),
    );
    const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const response = await signedFetch(
        `${stack.apiUrl}/v1/tenants/${DEMO_TENANT.tenantId}/${path}`,
        { method, body: body === undefined ? '' : JSON.stringify(body) },
        LOCAL_API_PRINCIPAL,
      );
      const answer = (await response.json()) as Record<string, unknown>;
      if (!response.ok)
        throw new Error(`bench: ${method} ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
      return answer;
    };
    // The demo workflow asks for the order number first: a campaign start is its greeting and prompt.
    await loadWorkflowFile(DEMO_TENANT.workflowFile);
    instrumented.startWindow();
    const started = performance.now();
    const created = await api('POST', 'campaigns', { name: 'bench', pool: 'bench', workflowId: workflow.id });
    const campaignId = String(created.campaignId);
    const phones = Array.from(
      { length: options.recipients },
      (_, index) => `+1201555${String(index).padStart(4, '0')}`,
    );
    for (let offset = 0; offset < phones.length; offset += 500) {
      const chunk = phones.slice(offset, offset + 500);
      const answer = await api('POST', `campaigns/${campaignId}/recipients`, {
        recipients: chunk.map((phone, index) => ({ phone, line: offset + index + 2 })),
        ...(offset + 500 >= phones.length ? { complete: true } : {}),
      });
      const invalid = answer.invalid as unknown[] | undefined;
      if (invalid && invalid.length > 0)
        throw new Error(`bench: recipients refused: ${JSON.stringify(invalid.slice(0, 3))}`);
    }
    const poolNumbers = new Set<string>(CAMPAIGN_POOL.map((member) => member.number));
    const campaignMessages = () =>
      stack.simulator.messages().filter((message) => poolNumbers.has(message.resource.from ?? ''));
    const expectedSeconds = options.recipients / poolRate(CAMPAIGN_POOL);
    try {
      await waitUntil(
        'every campaign message delivered',
        () =>
          campaignMessages().length >= options.recipients &&
          campaignMessages().every((message) => message.resource.status === 'delivered'),
        expectedSeconds * 1000 * 2 + 60_000,
      );
    } catch (error) {
      const progress = await api('GET', `campaigns/${campaignId}`).catch(() => undefined);
      throw new Error(
        `${(error as Error).message}: ${campaignMessages().length} of ${options.recipients} sent; campaign ${JSON.stringify(progress)}`,
        { cause: error },
      );
    }
    const seconds = (performance.now() - started) / 1000;
    await waitForQuiet(stack);
    const state = String((await api('GET', `campaigns/${campaignId}`)).state);

    const messages = campaignMessages();
    // When Twilio accepted each (the simulator's request log has milliseconds; date_created has seconds).
    const accepted = stack.simulator
      .apiRequests()
      .filter(
        (request) =>
          request.method === 'POST' &&
          request.responseStatus === 201 &&
          poolNumbers.has(String(request.params.From)),
      );
    const acceptedAt = (from?: string) =>
      accepted
        .filter((request) => from === undefined || request.params.From === from)
        .map((request) => Date.parse(request.at));
    const byNumber: CampaignFigures['byNumber'] = {};
    for (const member of CAMPAIGN_POOL) {
      byNumber[member.number] = {
        messages: acceptedAt(member.number).length,
        achievedRatio: ratioOf(acceptedAt(member.number), member.segmentsPerSecond),
      };
    }
    return {
      recipients: options.recipients,
      poolSegmentsPerSecond: poolRate(CAMPAIGN_POOL),
      achievedRatio: ratioOf(acceptedAt(), poolRate(CAMPAIGN_POOL)),
      stickyBoundRatio:
        messages.length /
        poolRate(CAMPAIGN_POOL) /
        Math.max(
          ...CAMPAIGN_POOL.map((member) => acceptedAt(member.number).length / member.segmentsPerSecond),
        ),
      byNumber,
      sent: messages.length,
      distinctRecipients: new Set(messages.map((message) => message.resource.to)).size,
      state,
      cost: {
        turns: messages.length,
        customers: options.recipients,
        seconds,
        turnsPerSecond: messages.length / seconds,
        delivered: messages.filter((message) => message.resource.status === 'delivered').length,
        ...instrumented.windowFigures(),
        outbound: outboundCounts(messages),
      },
    };
  } finally {
    await instrumented.stop();
  }
}
