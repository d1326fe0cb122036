import { campaignIdFor, emptyCampaignCounters, parseStartAt } from '../../domain/campaign/campaign';
import { mediaUrlsProblem, mmsCapability } from '../../domain/outbound-media';
import { DEPLOYED_URL_POLICY } from '../../domain/outbound-url-policy';
import type { CampaignDefinition, CampaignRecord, CampaignSender } from '../../ports/campaign-store';
import type { TenantNumber } from '../../ports/tenant-directory';
import type { CampaignDeps } from './deps';
import { type CampaignOutcome, type CampaignRefusal, refused } from './refusal';
import type { CampaignCreateRequest } from './request';
import { DEFAULT_CAMPAIGN_COUNTRY } from './request';

/**
 * Creates a campaign (API `POST /v1/tenants/{tenantId}/campaigns`, `smsctl campaign create`): checks
 * that the tenant may send it (its number, its pool, its Messaging Service; its workflow) and stores
 * it `scheduled`, without recipients. Nothing is sent until the recipients are complete.
 *
 * With an Idempotency-Key the campaign's id derives from it (campaignIdFor): the same request again
 * answers with the campaign it created, whatever changed since (a pool emptied, the start time
 * passed); a different request with the same key is refused.
 */
export interface CreateCampaignCommand {
  readonly tenantId: string;
  readonly request: CampaignCreateRequest;
  readonly idempotencyKey?: string;
}

export interface CreatedCampaign {
  readonly campaign: CampaignRecord;
  /** The key named a campaign created before: it is answered as it is (200, not 201). */
  readonly replayed: boolean;
}

const KEY_REUSED: CampaignRefusal = {
  status: 422,
  error: 'idempotency-key-reused',
  message: 'this Idempotency-Key was already used for a different campaign',
};

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const left = a ?? [];
  const right = b ?? [];
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

/** Does `request` ask for the campaign that exists? (Its start time only when the request names one.) */
export function sameCampaignRequest(existing: CampaignRecord, request: CampaignCreateRequest): boolean {
  const { sender, content } = existing;
  const asked = request.sender;
  const sameSender =
    (asked.kind === 'number' && sender.kind === 'number' && sender.from === asked.from) ||
    (asked.kind === 'pool' && sender.kind === 'pool' && sender.pool === asked.pool) ||
    (asked.kind === 'messaging-service' && sender.kind === 'messaging-service' && sender.from === asked.from);
  const wanted = request.content;
  const sameContent =
    (wanted.kind === 'workflow' &&
      content.kind === 'workflow' &&
      content.workflowId === wanted.workflowId &&
      content.routeId === wanted.routeId) ||
    (wanted.kind === 'message' && content.kind === 'message' && content.body === wanted.body);
  return (
    sameSender &&
    sameContent &&
    existing.name === request.name &&
    sameList(existing.mediaUrls, request.mediaUrls) &&
    existing.quietHours === request.quietHours &&
    existing.defaultTimeZone === request.timeZone &&
    (existing.defaultCountry ?? DEFAULT_CAMPAIGN_COUNTRY) === request.defaultCountry &&
    (request.startAt === undefined || Date.parse(request.startAt) === Date.parse(existing.startAt))
  );
}

export type ExistingCampaign =
  | { readonly kind: 'none' }
  | { readonly kind: 'replay'; readonly campaign: CampaignRecord }
  | { readonly kind: 'conflict'; readonly refusal: CampaignRefusal };

/** The campaign an Idempotency-Key already names, if any (`smsctl campaign create` resumes it). */
export async function existingCampaignFor(
  command: CreateCampaignCommand,
  deps: Pick<CampaignDeps, 'campaigns'>,
): Promise<ExistingCampaign> {
  const { tenantId, idempotencyKey } = command;
  if (idempotencyKey === undefined) return { kind: 'none' };
  const campaignId = campaignIdFor(tenantId, idempotencyKey, () => '');
  const existing = await deps.campaigns.get(tenantId, campaignId);
  if (!existing) return { kind: 'none' };
  return sameCampaignRequest(existing, command.request)
    ? { kind: 'replay', campaign: existing }
    : { kind: 'conflict', refusal: KEY_REUSED };
}

function mmsRefusal(numbers: readonly TenantNumber[]): CampaignRefusal | undefined {
  for (const number of numbers) {
    const capability = mmsCapability(number.number, number.mms);
    if (!capability.canSend)
      return {
        status: 422,
        error: 'mms-not-supported',
        message: `${number.number} cannot send MMS: ${capability.reason}`,
      };
  }
  return undefined;
}

/** Who sends, looked up in the tenant's own configuration: another tenant's number or pool is not found. */
async function resolveSender(
  tenantId: string,
  request: CampaignCreateRequest,
  deps: CampaignDeps,
): Promise<CampaignOutcome<{ sender: CampaignSender; numbers: readonly TenantNumber[] }>> {
  const asked = request.sender;
  if (asked.kind === 'messaging-service' && (await deps.profiles.messagingServiceSid(tenantId)) === undefined)
    return refused({
      status: 422,
      error: 'messaging-service-not-configured',
      message: `tenant ${tenantId} has no Messaging Service (smsctl tenant put --messaging-service-sid MG…)`,
    });
  if (asked.kind === 'number' || asked.kind === 'messaging-service') {
    const number = await deps.tenants.getNumber(tenantId, asked.from);
    if (!number)
      return refused({
        status: 404,
        error: 'number-not-found',
        message: `from is not a number of tenant ${tenantId}`,
      });
    return {
      ok: true,
      value: {
        sender: {
          kind: asked.kind,
          from: number.number,
          ...(number.segmentsPerSecond !== undefined ? { segmentsPerSecond: number.segmentsPerSecond } : {}),
        },
        numbers: [number],
      },
    };
  }
  if (asked.kind === 'pool') {
    const pool = await deps.pools.getPool(tenantId, asked.pool);
    if (!pool)
      return refused({
        status: 404,
        error: 'pool-not-found',
        message: `pool ${asked.pool} not found for tenant ${tenantId}`,
      });
    if (pool.numbers.length === 0)
      return refused({
        status: 422,
        error: 'pool-empty',
        message: `pool ${asked.pool} has no number still registered to tenant ${tenantId}`,
      });
    return {
      ok: true,
      value: {
        // Copied: the campaign keeps its senders (and each customer's sticky one) if the pool changes.
        sender: {
          kind: 'pool',
          pool: pool.name,
          members: pool.numbers.map((number) => ({
            number: number.number,
            ...(number.segmentsPerSecond !== undefined
              ? { segmentsPerSecond: number.segmentsPerSecond }
              : {}),
          })),
        },
        numbers: pool.numbers,
      },
    };
  }
  throw new Error('unreachable: every sender kind is handled above');
}

/**
 * Everything a create checks, without writing: the definition to store, or why not. `smsctl
 * campaign create` runs it before reading the recipients file, so a refused campaign costs no read.
 */
export async function prepareCampaign(
  command: CreateCampaignCommand,
  deps: CampaignDeps,
): Promise<CampaignOutcome<CampaignDefinition>> {
  const { tenantId, request, idempotencyKey } = command;
  const now = deps.now();
  if (!(await deps.tenants.tenantExists(tenantId)))
    return refused({ status: 404, error: 'tenant-not-found', message: `tenant ${tenantId} not found` });
  const startAt = parseStartAt(request.startAt, now);
  if (!startAt.ok) return refused({ status: 400, error: 'invalid-request', message: startAt.reason });
  const resolved = await resolveSender(tenantId, request, deps);
  if (!resolved.ok) return resolved;
  const { content } = request;
  if (content.kind === 'workflow') {
    const workflow = await deps.tenants.getWorkflow(tenantId, content.workflowId);
    if (!workflow)
      return refused({
        status: 404,
        error: 'workflow-not-found',
        message: `workflow ${content.workflowId} not found for tenant ${tenantId}`,
      });
    const { workflowColumns } = await import('../../domain/campaign/workflow-columns');
    // With every column it could have: a workflow refused even then can start with no file at all.
    const columns = workflowColumns(workflow, content.routeId);
    const requirement = columns.startRequirement(columns.allowedVariables);
    if (!requirement.ok)
      return refused({ status: 422, error: 'workflow-cannot-start', message: requirement.reason });
  }
  if (request.mediaUrls !== undefined) {
    const problem = mediaUrlsProblem(
      request.mediaUrls,
      deps.mediaUrlPolicy ?? DEPLOYED_URL_POLICY,
      'mediaUrls',
    );
    if (problem) return refused({ status: 422, error: 'media-not-allowed', message: problem });
    const refusal = mmsRefusal(resolved.value.numbers);
    if (refusal) return refused(refusal);
  }
  return {
    ok: true,
    value: {
      tenantId,
      campaignId: campaignIdFor(tenantId, idempotencyKey, deps.randomId),
      ...(request.name !== undefined ? { name: request.name } : {}),
      sender: resolved.value.sender,
      content,
      ...(request.mediaUrls !== undefined ? { mediaUrls: request.mediaUrls } : {}),
      ...(request.quietHours !== undefined ? { quietHours: request.quietHours } : {}),
      defaultTimeZone: request.timeZone,
      defaultCountry: request.defaultCountry,
      startAt: startAt.startAt.toISOString(),
      createdAt: now.toISOString(),
      ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    },
  };
}

export async function createCampaign(
  command: CreateCampaignCommand,
  deps: CampaignDeps,
): Promise<CampaignOutcome<CreatedCampaign>> {
  const existing = await existingCampaignFor(command, deps);
  if (existing.kind === 'replay') return { ok: true, value: { campaign: existing.campaign, replayed: true } };
  if (existing.kind === 'conflict') return refused(existing.refusal);
  const prepared = await prepareCampaign(command, deps);
  if (!prepared.ok) return prepared;
  const definition = prepared.value;
  const written = await deps.campaigns.create(definition);
  if (!written.created) {
    // Another create with the same key won the race.
    return sameCampaignRequest(written.existing, command.request)
      ? { ok: true, value: { campaign: written.existing, replayed: true } }
      : refused(KEY_REUSED);
  }
  const campaign: CampaignRecord = {
    ...definition,
    state: 'scheduled',
    recipientsComplete: false,
    counters: emptyCampaignCounters(),
    senderClocks: {},
    updatedAt: definition.createdAt,
  };
  return { ok: true, value: { campaign, replayed: false } };
}
