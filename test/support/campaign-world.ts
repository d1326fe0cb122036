import { readFileSync } from 'node:fs';
import { MemoryCampaignStore } from '../../lambdas/adapters/memory/campaign-store';
import { MemoryMessageQueue } from '../../lambdas/adapters/memory/message-queue';
import { MemoryNumberPools } from '../../lambdas/adapters/memory/number-pools';
import { MemoryTenantDirectory } from '../../lambdas/adapters/memory/tenant-directory';
import type { CampaignDeps } from '../../lambdas/conversations-api/campaigns/deps';
import {
  type CampaignCreateRequest,
  parseCampaignCreate,
} from '../../lambdas/conversations-api/campaigns/request';
import type { CampaignTickMessage } from '../../lambdas/domain/queue-messages';
import { parseWorkflow, type Workflow } from '../../lambdas/domain/workflow/definition';

/** The order-status example: order_number (6 digits) and order_date (a past date), then a reply with both. */
export function orderStatusWorkflow(): Workflow {
  const parsed = parseWorkflow(JSON.parse(readFileSync('examples/workflows/order-status.json', 'utf8')));
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.workflow;
}

export const ACME = {
  tenantId: 'acme',
  number: '+15005550101',
  second: '+15005550102',
  /** May not send MMS (its explicit setting). */
  noMms: '+15005550103',
  pool: 'main',
} as const;
export const OTHER = { tenantId: 'other', number: '+15005550201', pool: 'theirs' } as const;
export const NOW = Date.parse('2026-03-10T12:00:00.000Z');

/**
 * The campaign use cases over in-memory ports: tenant `acme` (two numbers in pool `main`, a third
 * that may not send MMS, the order-status workflow, a Messaging Service) and tenant `other` (its own
 * number, pool and workflow, no Messaging Service). The clock stands still until `advance`.
 */
export async function campaignWorld() {
  let clock = NOW;
  let ids = 0;
  const directory = new MemoryTenantDirectory();
  const workflow = orderStatusWorkflow();
  for (const number of [ACME.number, ACME.second])
    directory.putNumber({
      tenantId: ACME.tenantId,
      number,
      workflowId: workflow.id,
      allowInboundStart: true,
    });
  directory.putNumber({
    tenantId: ACME.tenantId,
    number: ACME.noMms,
    workflowId: workflow.id,
    allowInboundStart: true,
    mms: false,
  });
  directory.putNumber({
    tenantId: OTHER.tenantId,
    number: OTHER.number,
    workflowId: workflow.id,
    allowInboundStart: true,
  });
  directory.putWorkflow(ACME.tenantId, workflow).putWorkflow(OTHER.tenantId, { ...workflow, id: 'theirs' });
  const pools = new MemoryNumberPools(directory);
  await pools.putPool(ACME.tenantId, ACME.pool, [ACME.number, ACME.second]);
  await pools.putPool(OTHER.tenantId, OTHER.pool, [OTHER.number]);
  const campaigns = new MemoryCampaignStore(() => new Date(clock));
  const ticks = new MemoryMessageQueue<CampaignTickMessage>();
  const tenants = new Set<string>([ACME.tenantId, OTHER.tenantId]);
  const deps: CampaignDeps = {
    campaigns,
    tenants: {
      tenantExists: async (tenantId) => tenants.has(tenantId),
      getNumber: (tenantId, number) => directory.getNumber(tenantId, number),
      getWorkflow: (tenantId, workflowId) => directory.getWorkflow(tenantId, workflowId),
    },
    profiles: {
      messagingServiceSid: async (tenantId) =>
        tenantId === ACME.tenantId ? 'MG00000000000000000000000000000000' : undefined,
    },
    pools,
    ticks,
    now: () => new Date(clock),
    randomId: () => (++ids).toString(16).padStart(32, '0'),
  };
  return {
    deps,
    campaigns,
    ticks,
    advance: (ms: number) => {
      clock += ms;
    },
    nowMs: () => clock,
  };
}

/** A create request from its API body (throws on a body the parser refuses). */
export function createRequest(body: Record<string, unknown>): CampaignCreateRequest {
  const parsed = parseCampaignCreate(body);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}
