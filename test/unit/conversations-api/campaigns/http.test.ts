import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  CAMPAIGN_RESOURCES,
  handleCampaignRequest,
} from '../../../../lambdas/conversations-api/campaigns/http';
import { HANDOFFS_RESOURCE } from '../../../../lambdas/conversations-api/handoffs-http';
import { isStartRoute, START_RESOURCE } from '../../../../lambdas/conversations-api/http';
import { routes } from '../../../../lib/topology';
import { ACME, campaignWorld } from '../../../support/campaign-world';

function event(
  method: 'GET' | 'POST',
  resource: string,
  pathParameters: Record<string, string>,
  body?: unknown,
  extra: Partial<APIGatewayProxyEvent> = {},
): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    resource,
    pathParameters: { tenantId: ACME.tenantId, ...pathParameters },
    headers: {},
    queryStringParameters: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    ...extra,
  } as APIGatewayProxyEvent;
}

describe('campaign routes of the conversations API', () => {
  it('serves every campaign route lib/topology.ts declares, and the start route is told apart', () => {
    const declared = routes
      .filter((route) => route.function === 'conversations-api' && route.path !== START_RESOURCE)
      // The hand-off routes have a handler of their own (handoffs-http.test.ts).
      .filter((route) => !route.path.startsWith(HANDOFFS_RESOURCE))
      .map((route) => route.path);
    expect(new Set(declared)).toEqual(new Set(Object.values(CAMPAIGN_RESOURCES)));
    expect(isStartRoute(event('POST', START_RESOURCE, {}))).toBe(true);
    expect(isStartRoute(event('POST', CAMPAIGN_RESOURCES.campaigns, {}))).toBe(false);
  });

  it('creates (201), replays (200 with Idempotent-Replayed), shows, lists and pauses', async () => {
    const world = await campaignWorld();
    const body = { from: ACME.number, body: 'hi', name: 'spring' };
    const headers = { 'idempotency-key': 'k-1' };
    const created = await handleCampaignRequest(
      event('POST', CAMPAIGN_RESOURCES.campaigns, {}, body, { headers }),
      world.deps,
    );
    expect(created.response.statusCode).toBe(201);
    const view = JSON.parse(created.response.body);
    expect(view).toMatchObject({
      tenantId: ACME.tenantId,
      name: 'spring',
      state: 'scheduled',
      recipientsComplete: false,
      from: ACME.number,
      body: 'hi',
      timeZone: 'UTC',
      defaultCountry: 'US',
      progress: { total: 0, pending: 0, deliveryRate: null },
    });
    expect(created.log).toEqual({
      operation: 'create',
      tenantId: ACME.tenantId,
      campaignId: view.campaignId,
      replayed: false,
    });

    const replayed = await handleCampaignRequest(
      event('POST', CAMPAIGN_RESOURCES.campaigns, {}, body, { headers }),
      world.deps,
    );
    expect(replayed.response.statusCode).toBe(200);
    expect(replayed.response.headers).toMatchObject({ 'Idempotent-Replayed': 'true' });
    expect(JSON.parse(replayed.response.body)).toEqual(view);

    const { campaignId } = view as { campaignId: string };
    const shown = await handleCampaignRequest(
      event('GET', CAMPAIGN_RESOURCES.campaign, { campaignId }),
      world.deps,
    );
    expect(shown.response.statusCode).toBe(200);
    expect(JSON.parse(shown.response.body)).toEqual(view);

    const listed = await handleCampaignRequest(
      event('GET', CAMPAIGN_RESOURCES.campaigns, {}, undefined, { queryStringParameters: { limit: '5' } }),
      world.deps,
    );
    expect(JSON.parse(listed.response.body)).toEqual({ campaigns: [view] });

    const paused = await handleCampaignRequest(
      event('POST', CAMPAIGN_RESOURCES.action, { campaignId, action: 'pause' }),
      world.deps,
    );
    expect(paused.response.statusCode).toBe(200);
    expect(JSON.parse(paused.response.body)).toMatchObject({ campaignId, state: 'paused' });
    expect(paused.log).toEqual({ operation: 'pause', tenantId: ACME.tenantId, campaignId });
  });

  it('adds recipients and answers with the report and the campaign', async () => {
    const world = await campaignWorld();
    const created = await handleCampaignRequest(
      event('POST', CAMPAIGN_RESOURCES.campaigns, {}, { from: ACME.number, body: 'hi' }),
      world.deps,
    );
    const { campaignId } = JSON.parse(created.response.body) as { campaignId: string };
    const added = await handleCampaignRequest(
      event(
        'POST',
        CAMPAIGN_RESOURCES.recipients,
        { campaignId },
        {
          recipients: [{ phone: '+14155550100' }, { phone: '12' }, { phone: '+14155550100' }],
          complete: true,
        },
      ),
      world.deps,
    );
    expect(added.response.statusCode).toBe(200);
    expect(JSON.parse(added.response.body)).toMatchObject({
      added: 1,
      duplicates: [3],
      invalid: [{ line: 2, reason: expect.stringMatching(/^not a valid phone number/) }],
      campaign: { campaignId, recipientsComplete: true, progress: { total: 3, pending: 1 } },
    });
  });

  it.each([
    [
      'a bad tenant id',
      event('GET', CAMPAIGN_RESOURCES.campaigns, { tenantId: 'A!' }),
      400,
      'invalid-request',
    ],
    [
      'a body that is not JSON',
      { ...event('POST', CAMPAIGN_RESOURCES.campaigns, {}), body: 'x=1' },
      400,
      'invalid-request',
    ],
    [
      'an invalid create',
      event('POST', CAMPAIGN_RESOURCES.campaigns, {}, { body: 'hi' }),
      400,
      'invalid-request',
    ],
    [
      'a bad Idempotency-Key',
      event(
        'POST',
        CAMPAIGN_RESOURCES.campaigns,
        {},
        { from: ACME.number, body: 'hi' },
        { headers: { 'Idempotency-Key': 'a b' } },
      ),
      400,
      'invalid-request',
    ],
    [
      'an unknown action',
      event('POST', CAMPAIGN_RESOURCES.action, { campaignId: `cmp-${'0'.repeat(32)}`, action: 'restart' }),
      404,
      'not-found',
    ],
    [
      'a campaign id of no campaign',
      event('GET', CAMPAIGN_RESOURCES.campaign, { campaignId: 'cmp-x' }),
      404,
      'campaign-not-found',
    ],
    [
      'recipients for a malformed campaign id',
      event('POST', CAMPAIGN_RESOURCES.recipients, { campaignId: 'nope' }, { complete: true }),
      404,
      'campaign-not-found',
    ],
    [
      'an action on a malformed campaign id',
      event('POST', CAMPAIGN_RESOURCES.action, { campaignId: 'nope', action: 'cancel' }),
      404,
      'campaign-not-found',
    ],
    [
      'a method the route does not serve',
      event('GET', CAMPAIGN_RESOURCES.recipients, { campaignId: 'x' }),
      404,
      'not-found',
    ],
  ])('answers %s with %i', async (_name, request, status, error) => {
    const world = await campaignWorld();
    const { response } = await handleCampaignRequest(request, world.deps);
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body)).toMatchObject({ error });
    expect(await world.campaigns.list(ACME.tenantId, { limit: 10 })).toEqual({ campaigns: [] });
  });
});
