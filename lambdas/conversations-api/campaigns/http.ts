import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { isCampaignId } from '../../domain/campaign/campaign';
import { isValidIdempotencyKey } from '../../domain/outbound-request';
import { isValidTenantId } from '../../domain/tenant';
import { header, IDEMPOTENCY_KEY_HEADER, invalid, json, jsonBody, REPLAYED_HEADER } from '../http';
import { controlCampaign, isCampaignAction } from './control';
import { createCampaign } from './create';
import type { CampaignDeps } from './deps';
import { addCampaignRecipients } from './recipients';
import { listCampaigns, showCampaign } from './read';
import { campaignNotFound, type CampaignOutcome, type CampaignRefusal } from './refusal';
import { parseCampaignCreate, parseRecipientsRequest } from './request';
import { campaignView } from './view';

/**
 * The campaign routes of the conversations API (lib/topology.ts), as API Gateway proxies them,
 * after it checked the caller's SigV4 signature and that the path's tenant is the caller's:
 * - `POST /v1/tenants/{tenantId}/campaigns`: create (201; 200 for a replayed Idempotency-Key);
 * - `GET  /v1/tenants/{tenantId}/campaigns`: list, newest first (`?limit=&cursor=`);
 * - `GET  /v1/tenants/{tenantId}/campaigns/{campaignId}`: one, with its progress;
 * - `POST /v1/tenants/{tenantId}/campaigns/{campaignId}/recipients`: add recipients (500 at most);
 * - `POST /v1/tenants/{tenantId}/campaigns/{campaignId}/{action}`: pause, resume or cancel.
 * A campaign that does not exist, or is another tenant's, is 404; so is an unknown action.
 */
export const CAMPAIGN_RESOURCES = {
  campaigns: '/v1/tenants/{tenantId}/campaigns',
  campaign: '/v1/tenants/{tenantId}/campaigns/{campaignId}',
  recipients: '/v1/tenants/{tenantId}/campaigns/{campaignId}/recipients',
  action: '/v1/tenants/{tenantId}/campaigns/{campaignId}/{action}',
} as const;

/** What the function logs about a campaign request: which operation, never numbers or texts. */
export interface CampaignRequestLog {
  readonly operation: 'create' | 'list' | 'show' | 'recipients' | 'pause' | 'resume' | 'cancel' | 'unknown';
  readonly tenantId?: string;
  readonly campaignId?: string;
  readonly error?: string;
  readonly replayed?: boolean;
}

type Handled = { readonly response: APIGatewayProxyResult; readonly log: CampaignRequestLog };

function refusalResponse(refusal: CampaignRefusal): APIGatewayProxyResult {
  return json(refusal.status, { error: refusal.error, message: refusal.message });
}

function answer<T>(
  outcome: CampaignOutcome<T>,
  log: CampaignRequestLog,
  ok: (value: T) => APIGatewayProxyResult,
): Handled {
  if (!outcome.ok)
    return { response: refusalResponse(outcome.refusal), log: { ...log, error: outcome.refusal.error } };
  return { response: ok(outcome.value), log };
}

const NOT_FOUND = json(404, { error: 'not-found', message: 'no such route' });

export async function handleCampaignRequest(
  event: APIGatewayProxyEvent,
  deps: CampaignDeps,
): Promise<Handled> {
  const tenantId = event.pathParameters?.tenantId ?? '';
  const unknown: CampaignRequestLog = { operation: 'unknown' };
  if (!isValidTenantId(tenantId))
    return { response: invalid('tenantId must match [a-z0-9-]{2,40}'), log: unknown };
  const method = event.httpMethod;
  const resource = event.resource;

  if (resource === CAMPAIGN_RESOURCES.campaigns && method === 'POST') {
    const log: CampaignRequestLog = { operation: 'create', tenantId };
    const idempotencyKey = header(event, IDEMPOTENCY_KEY_HEADER);
    if (idempotencyKey !== undefined && !isValidIdempotencyKey(idempotencyKey))
      return {
        response: invalid(`${IDEMPOTENCY_KEY_HEADER} must be 1 to 255 printable ASCII characters`),
        log,
      };
    const body = jsonBody(event);
    if (!body.ok) return { response: invalid('the body must be JSON'), log };
    const parsed = parseCampaignCreate(body.value);
    if (!parsed.ok) return { response: invalid(parsed.reason), log };
    const outcome = await createCampaign(
      { tenantId, request: parsed.value, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) },
      deps,
    );
    return answer(
      outcome,
      {
        ...log,
        ...(outcome.ok
          ? { campaignId: outcome.value.campaign.campaignId, replayed: outcome.value.replayed }
          : {}),
      },
      ({ campaign, replayed }) =>
        json(replayed ? 200 : 201, campaignView(campaign), replayed ? { [REPLAYED_HEADER]: 'true' } : {}),
    );
  }
  if (resource === CAMPAIGN_RESOURCES.campaigns && method === 'GET') {
    const query = event.queryStringParameters ?? {};
    const outcome = await listCampaigns(
      {
        tenantId,
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      },
      deps,
    );
    return answer(outcome, { operation: 'list', tenantId }, (page) =>
      json(200, {
        campaigns: page.campaigns.map(campaignView),
        ...(page.cursor !== undefined ? { cursor: page.cursor } : {}),
      }),
    );
  }

  const campaignId = event.pathParameters?.campaignId ?? '';
  if (resource === CAMPAIGN_RESOURCES.campaign && method === 'GET') {
    const outcome = await showCampaign({ tenantId, campaignId }, deps);
    return answer(outcome, { operation: 'show', tenantId, campaignId }, (campaign) =>
      json(200, campaignView(campaign)),
    );
  }
  if (resource === CAMPAIGN_RESOURCES.recipients && method === 'POST') {
    const log: CampaignRequestLog = { operation: 'recipients', tenantId, campaignId };
    if (!isCampaignId(campaignId))
      return {
        response: refusalResponse(campaignNotFound(tenantId, campaignId)),
        log: { ...log, error: 'campaign-not-found' },
      };
    const body = jsonBody(event);
    if (!body.ok) return { response: invalid('the body must be JSON'), log };
    const parsed = parseRecipientsRequest(body.value);
    if (!parsed.ok) return { response: invalid(parsed.reason), log };
    const outcome = await addCampaignRecipients({ tenantId, campaignId, request: parsed.value }, deps);
    return answer(outcome, log, (added) => json(200, { ...added, campaign: campaignView(added.campaign) }));
  }
  if (resource === CAMPAIGN_RESOURCES.action && method === 'POST') {
    const action = event.pathParameters?.action ?? '';
    if (!isCampaignAction(action)) return { response: NOT_FOUND, log: { ...unknown, tenantId, campaignId } };
    const log: CampaignRequestLog = { operation: action, tenantId, campaignId };
    if (!isCampaignId(campaignId))
      return {
        response: refusalResponse(campaignNotFound(tenantId, campaignId)),
        log: { ...log, error: 'campaign-not-found' },
      };
    const outcome = await controlCampaign({ tenantId, campaignId, action }, deps);
    return answer(outcome, log, ({ campaign }) => json(200, campaignView(campaign)));
  }
  return { response: NOT_FOUND, log: { ...unknown, tenantId } };
}
