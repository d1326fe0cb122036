/**
 * The webhook firewall (WAF rules and their order), the per-route throttles and the RestApi's
 * tenant-binding resource policy, in the dev and prod templates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageConfig } from '../../lib/config';
import { routes } from '../../lib/topology';
import { routeThrottle, TENANT_PRINCIPAL_TAG, webhookPathPrefix } from '../../lib/webhook-api';
import {
  FIREWALL_RULES,
  KNOWN_BAD_INPUTS_BODY_RULES,
  TWILIO_SIGNATURE_HEADER,
  UNSIGNED_WEBHOOK_BODY,
} from '../../lib/webhook-firewall';
import { type CfnTemplate, dispose, props, resourcesOfType, type Synthesized, synthesize } from './helpers';

interface TextTransformation {
  Priority: number;
  Type: string;
}
interface Statement {
  AndStatement?: { Statements: Statement[] };
  NotStatement?: { Statement: Statement };
  ByteMatchStatement?: {
    FieldToMatch: Record<string, unknown>;
    PositionalConstraint: string;
    SearchString: string;
    TextTransformations: TextTransformation[];
  };
  SizeConstraintStatement?: {
    FieldToMatch: { SingleHeader?: { Name: string } };
    ComparisonOperator: string;
    Size: number;
    TextTransformations: TextTransformation[];
  };
  RateBasedStatement?: {
    Limit: number;
    AggregateKeyType: string;
    CustomKeys?: { UriPath?: { TextTransformations: TextTransformation[] } }[];
    ScopeDownStatement?: Statement;
  };
  ManagedRuleGroupStatement?: {
    Name: string;
    RuleActionOverrides?: { Name: string; ActionToUse: unknown }[];
  };
}
interface AclRule {
  Name: string;
  Priority: number;
  Action?: { Block?: { CustomResponse?: { ResponseCode: number; CustomResponseBodyKey: string } } };
  OverrideAction?: unknown;
  Statement: Statement;
  VisibilityConfig: { SampledRequestsEnabled: boolean; MetricName: string };
}
interface AclProps {
  Rules: AclRule[];
  CustomResponseBodies?: Record<string, { Content: string; ContentType: string }>;
}
interface MethodSetting {
  HttpMethod: string;
  ResourcePath: string;
  ThrottlingRateLimit?: number;
  ThrottlingBurstLimit?: number;
  LoggingLevel?: string;
  DataTraceEnabled?: boolean;
  MetricsEnabled?: boolean;
}
interface ResourcePolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Principal: unknown;
  Action: string;
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** CloudFormation's MethodSetting ResourcePath: `/` then the path with each `/` escaped as `~1`. */
const resourcePath = (path: string) => `/${path.replaceAll('/', '~1')}`;

const ACCOUNT = '111122223333';
const API = 'a1b2c3d4e5';

/**
 * A model of how IAM evaluates this resource policy for one request (the part of IAM these
 * statements use: `*`/`?` globs, case-sensitive ARNs, `${aws:PrincipalTag/…}` substitution, an
 * unresolvable variable making its statement not apply, the Null operator). It is not AWS: it
 * makes the intent executable. The same-account outcome then combines with the caller's identity
 * policy: any Deny wins; `neither` leaves the decision to the identity policy.
 */
function evaluate(
  statements: readonly ResourcePolicyStatement[],
  request: { method: string; path: string; stage: string; tags?: Record<string, string> },
): 'allow' | 'deny' | 'neither' {
  const arn = `arn:aws:execute-api:us-east-1:${ACCOUNT}:${API}/${request.stage}/${request.method}${request.path}`;
  const tags = request.tags ?? {};
  const resolve = (pattern: string): string | undefined => {
    let unresolved = false;
    const resolved = pattern.replace(/\$\{aws:PrincipalTag\/([^}]+)\}/g, (_all, key: string) => {
      const value = tags[key];
      if (value === undefined) unresolved = true;
      return value ?? '';
    });
    return unresolved
      ? undefined
      : resolved.replace(/^execute-api:\//, `arn:aws:execute-api:us-east-1:${ACCOUNT}:${API}/`);
  };
  const glob = (pattern: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replaceAll('*', '.*')
        .replaceAll('?', '.')}$`,
    );
  const applies = (statement: ResourcePolicyStatement): boolean => {
    const patterns = [...list(statement.Resource), ...list(statement.NotResource)].map(resolve);
    if (patterns.some((pattern) => pattern === undefined)) return false;
    const matches = patterns.some((pattern) => glob(pattern ?? '').test(arn));
    if (statement.NotResource ? matches : !matches) return false;
    for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
      if (operator !== 'Null') throw new Error(`the model knows no ${operator}`);
      for (const [key, expected] of Object.entries(keys)) {
        const tag = key.replace(/^aws:PrincipalTag\//, '');
        if (String(tags[tag] === undefined) !== expected) return false;
      }
    }
    return true;
  };
  const matching = statements.filter(applies);
  if (matching.some((statement) => statement.Effect === 'Deny')) return 'deny';
  return matching.some((statement) => statement.Effect === 'Allow') ? 'allow' : 'neither';
}

describe.each(['dev', 'prod'])('webhook firewall, throttles and tenant binding (%s)', (stage) => {
  const config = stageConfig(stage);
  let synth: Synthesized;
  let json: CfnTemplate;
  let acl: AclProps;
  let rules: Map<string, AclRule>;

  beforeAll(() => {
    synth = synthesize({ stage });
    json = synth.json;
    const acls = resourcesOfType(json, 'AWS::WAFv2::WebACL');
    expect(acls).toHaveLength(1);
    acl = props<AclProps>(acls[0]?.[1] ?? { Type: '' });
    rules = new Map(acl.Rules.map((rule) => [rule.Name, rule]));
  });
  afterAll(() => dispose(synth));

  describe('WAF', () => {
    it('is on in this stage, and evaluates its rules in the intended order', () => {
      expect(config.waf.enabled).toBe(true);
      const order = [...acl.Rules].sort((a, b) => a.Priority - b.Priority).map((rule) => rule.Name);
      expect(order).toEqual([
        FIREWALL_RULES.unsignedWebhook,
        FIREWALL_RULES.ratePerIp,
        FIREWALL_RULES.ratePerWebhookPath,
        FIREWALL_RULES.ipReputation,
        FIREWALL_RULES.knownBadInputs,
      ]);
    });

    it('matches webhook paths by what every webhook route contains and no IAM route does', () => {
      const prefix = webhookPathPrefix();
      expect(prefix).toBe('/webhooks/twilio/');
      for (const route of routes)
        expect(route.path.includes(prefix), route.path).toBe(route.authorization !== 'iam');
    });

    it('blocks a webhook without an X-Twilio-Signature header with 403 and the ingest function’s JSON', () => {
      const rule = rules.get(FIREWALL_RULES.unsignedWebhook);
      const customResponse = rule?.Action?.Block?.CustomResponse;
      expect(customResponse?.ResponseCode).toBe(403);
      expect(acl.CustomResponseBodies?.[customResponse?.CustomResponseBodyKey ?? '']).toEqual({
        ContentType: 'APPLICATION_JSON',
        Content: UNSIGNED_WEBHOOK_BODY,
      });
      expect(JSON.parse(UNSIGNED_WEBHOOK_BODY)).toEqual({ message: 'missing X-Twilio-Signature' });
      const [onWebhookPath, withoutHeader] = rule?.Statement.AndStatement?.Statements ?? [];
      // CONTAINS: WAF sees `/{stage}/webhooks/twilio/…` on the execute-api host, no stage on a custom domain.
      expect(onWebhookPath?.ByteMatchStatement).toEqual({
        FieldToMatch: { UriPath: {} },
        PositionalConstraint: 'CONTAINS',
        SearchString: webhookPathPrefix(),
        TextTransformations: [{ Priority: 0, Type: 'URL_DECODE' }],
      });
      expect(withoutHeader?.NotStatement?.Statement.SizeConstraintStatement).toEqual({
        FieldToMatch: { SingleHeader: { Name: TWILIO_SIGNATURE_HEADER } },
        ComparisonOperator: 'GT',
        Size: 0,
        TextTransformations: [{ Priority: 0, Type: 'NONE' }],
      });
    });

    it('limits each source IP', () => {
      const rule = rules.get(FIREWALL_RULES.ratePerIp);
      expect(rule?.Action).toEqual({ Block: {} });
      expect(rule?.Statement.RateBasedStatement).toEqual({
        Limit: config.waf.requestsPer5MinPerIp,
        AggregateKeyType: 'IP',
      });
    });

    it('limits each webhook URI path (one tenant’s URL) over all sources, webhook paths only', () => {
      const rule = rules.get(FIREWALL_RULES.ratePerWebhookPath);
      expect(rule?.Action).toEqual({ Block: {} });
      const rate = rule?.Statement.RateBasedStatement;
      expect(rate?.Limit).toBe(config.waf.requestsPer5MinPerWebhookPath);
      expect(rate?.AggregateKeyType).toBe('CUSTOM_KEYS');
      expect(rate?.CustomKeys).toEqual([
        { UriPath: { TextTransformations: [{ Priority: 0, Type: 'URL_DECODE' }] } },
      ]);
      expect(rate?.ScopeDownStatement?.ByteMatchStatement?.SearchString).toBe(webhookPathPrefix());
      // Below the webhook method's throttle: one tenant's flood cannot use up what all tenants share.
      expect(config.waf.requestsPer5MinPerWebhookPath / 300).toBeLessThan(config.api.webhooks.rateLimit);
    });

    it('never blocks on the message body, and keeps no sampled requests', () => {
      const badInputs = rules.get(FIREWALL_RULES.knownBadInputs);
      // Every body rule AWS documents for the group (lib/webhook-firewall.ts says how to check for new ones).
      expect([...KNOWN_BAD_INPUTS_BODY_RULES].sort()).toEqual(
        ['JavaDeserializationRCE_BODY', 'Log4JRCE_BODY', 'ReactJSRCE_BODY'].sort(),
      );
      expect(badInputs?.Statement.ManagedRuleGroupStatement?.RuleActionOverrides).toEqual(
        KNOWN_BAD_INPUTS_BODY_RULES.map((name) => ({ Name: name, ActionToUse: { Count: {} } })),
      );
      // The rest of the group keeps its own actions (the group is not counted as a whole).
      expect(badInputs?.OverrideAction).toEqual({ None: {} });
      expect(JSON.stringify(acl.Rules)).not.toMatch(/"Body"|"JsonBody"/);
      expect(acl.Rules.every((rule) => rule.VisibilityConfig.SampledRequestsEnabled === false)).toBe(true);
      expect(acl.Rules.map((rule) => rule.VisibilityConfig.MetricName)).toEqual(
        acl.Rules.map((rule) => rule.Name),
      );
    });

    it('needs no APIG3 suppression any more (the stage has a web ACL)', () => {
      const suppressed = Object.values(json.Resources).flatMap(
        (res) =>
          (res.Metadata?.cdk_nag as { rules_to_suppress?: { id: string }[] } | undefined)
            ?.rules_to_suppress ?? [],
      );
      expect(suppressed.map((rule) => rule.id)).not.toContain('AwsSolutions-APIG3');
    });

    it('alarms on what it blocks: unsigned webhooks, and any tenant path over its rate', () => {
      const webAclName = (acls: [string, unknown][]) =>
        (acls[0]?.[1] as { Properties: { Name: string } }).Properties.Name;
      const name = webAclName(resourcesOfType(json, 'AWS::WAFv2::WebACL'));
      const alarms = resourcesOfType(json, 'AWS::CloudWatch::Alarm')
        .map(([, alarm]) =>
          props<{
            AlarmName: string;
            Namespace?: string;
            MetricName?: string;
            Threshold: number;
            Dimensions?: { Name: string; Value: unknown }[];
          }>(alarm),
        )
        .filter((alarm) => alarm.Namespace === 'AWS/WAFV2');
      const summary = alarms.map((alarm) => ({
        id: alarm.AlarmName.split('-').slice(-1)[0],
        metric: alarm.MetricName,
        threshold: alarm.Threshold,
        rule: alarm.Dimensions?.find((dimension) => dimension.Name === 'Rule')?.Value,
        webAcl: alarm.Dimensions?.find((dimension) => dimension.Name === 'WebACL')?.Value,
      }));
      expect(summary).toEqual([
        {
          id: 'UnsignedWebhooksBlocked',
          metric: 'BlockedRequests',
          threshold: config.alarms.signatureRejectionsPer5Min,
          rule: FIREWALL_RULES.unsignedWebhook,
          webAcl: name,
        },
        {
          id: 'WebhookPathRateLimited',
          metric: 'BlockedRequests',
          threshold: 1,
          rule: FIREWALL_RULES.ratePerWebhookPath,
          webAcl: name,
        },
      ]);
      // The metric names the rules publish under are the ones alarmed on.
      expect(rules.get(FIREWALL_RULES.unsignedWebhook)?.VisibilityConfig.MetricName).toBe(
        FIREWALL_RULES.unsignedWebhook,
      );
      expect(rules.get(FIREWALL_RULES.ratePerWebhookPath)?.VisibilityConfig.MetricName).toBe(
        FIREWALL_RULES.ratePerWebhookPath,
      );
    });
  });

  describe('throttles', () => {
    let settings: MethodSetting[];
    beforeAll(() => {
      const [[, stageResource] = []] = resourcesOfType(json, 'AWS::ApiGateway::Stage');
      settings = props<{ MethodSettings: MethodSetting[] }>(stageResource ?? { Type: '' }).MethodSettings;
    });

    it('gives every route of the topology its own method throttle, with the stage’s logging', () => {
      expect(settings).toHaveLength(routes.length + 1);
      for (const route of routes) {
        const setting = settings.find(
          (entry) => entry.HttpMethod === route.method && entry.ResourcePath === resourcePath(route.path),
        );
        const throttle = routeThrottle(route, config);
        expect(setting, route.path).toEqual({
          HttpMethod: route.method,
          ResourcePath: resourcePath(route.path),
          ThrottlingRateLimit: throttle.rateLimit,
          ThrottlingBurstLimit: throttle.burstLimit,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          MetricsEnabled: true,
        });
      }
    });

    it('sizes the webhooks and the conversations API apart', () => {
      const byPath = (path: string) => settings.find((entry) => entry.ResourcePath === resourcePath(path));
      const inbound = byPath('/webhooks/twilio/{tenantId}/inbound');
      const status = byPath('/webhooks/twilio/{tenantId}/status');
      const api = byPath('/v1/tenants/{tenantId}/conversations');
      expect(inbound?.ThrottlingRateLimit).toBe(config.api.webhooks.rateLimit);
      expect(status?.ThrottlingBurstLimit).toBe(config.api.webhooks.burstLimit);
      expect(api?.ThrottlingRateLimit).toBe(config.api.conversationsApi.rateLimit);
      expect(api?.ThrottlingBurstLimit).toBe(config.api.conversationsApi.burstLimit);
      expect(api?.ThrottlingRateLimit).not.toBe(inbound?.ThrottlingRateLimit);
      expect(api?.ThrottlingBurstLimit).not.toBe(inbound?.ThrottlingBurstLimit);
    });
  });

  describe('resource policy (tenant binding)', () => {
    let statements: ResourcePolicyStatement[];
    beforeAll(() => {
      const [[, api] = []] = resourcesOfType(json, 'AWS::ApiGateway::RestApi');
      statements = props<{ Policy: { Statement: ResourcePolicyStatement[] } }>(api ?? { Type: '' }).Policy
        .Statement;
    });

    it('allows the webhooks to everyone, and grants nothing on the IAM routes', () => {
      const allows = statements.filter((statement) => statement.Effect === 'Allow');
      expect(allows).toEqual([
        {
          Sid: 'TwilioWebhooks',
          Effect: 'Allow',
          Principal: '*',
          Action: 'execute-api:Invoke',
          Resource: [
            'execute-api:/*/POST/webhooks/twilio/*/inbound',
            'execute-api:/*/POST/webhooks/twilio/*/status',
          ],
        },
      ]);
    });

    it(`denies any other resource unless {tenantId} is the caller's ${TENANT_PRINCIPAL_TAG} tag`, () => {
      const ownTenant = statements.find((statement) => statement.Sid === 'OwnTenantOnly');
      expect(ownTenant).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke' });
      expect(list(ownTenant?.NotResource)).toEqual([
        'execute-api:/*/POST/webhooks/twilio/*/inbound',
        'execute-api:/*/POST/webhooks/twilio/*/status',
        'execute-api:/*/POST/v1/tenants/${aws:PrincipalTag/smsTenant}/conversations',
        'execute-api:/*/GET/v1/tenants/${aws:PrincipalTag/smsTenant}/conversations/handoffs',
        'execute-api:/*/POST/v1/tenants/${aws:PrincipalTag/smsTenant}/conversations/handoffs/*/messages',
        'execute-api:/*/POST/v1/tenants/${aws:PrincipalTag/smsTenant}/conversations/handoffs/*/release',
        'execute-api:/*/POST/v1/tenants/${aws:PrincipalTag/smsTenant}/campaigns',
        'execute-api:/*/GET/v1/tenants/${aws:PrincipalTag/smsTenant}/campaigns',
        'execute-api:/*/GET/v1/tenants/${aws:PrincipalTag/smsTenant}/campaigns/*',
        'execute-api:/*/POST/v1/tenants/${aws:PrincipalTag/smsTenant}/campaigns/*/recipients',
        'execute-api:/*/POST/v1/tenants/${aws:PrincipalTag/smsTenant}/campaigns/*/*',
      ]);
      const untagged = statements.find((statement) => statement.Sid === 'TaggedCallersOnly');
      expect(untagged).toMatchObject({
        Effect: 'Deny',
        Principal: '*',
        Resource: [
          'execute-api:/*/GET/v1/tenants/*/campaigns',
          'execute-api:/*/GET/v1/tenants/*/campaigns/*',
          'execute-api:/*/GET/v1/tenants/*/conversations/handoffs',
          'execute-api:/*/POST/v1/tenants/*/campaigns',
          'execute-api:/*/POST/v1/tenants/*/campaigns/*/*',
          'execute-api:/*/POST/v1/tenants/*/campaigns/*/recipients',
          'execute-api:/*/POST/v1/tenants/*/conversations',
          'execute-api:/*/POST/v1/tenants/*/conversations/handoffs/*/messages',
          'execute-api:/*/POST/v1/tenants/*/conversations/handoffs/*/release',
        ],
        Condition: { Null: { 'aws:PrincipalTag/smsTenant': 'true' } },
      });
    });

    it.each([
      ['Twilio (anonymous) on a webhook', 'allow', { method: 'POST', path: '/webhooks/twilio/acme/inbound' }],
      [
        'Twilio (anonymous) on a status callback',
        'allow',
        { method: 'POST', path: '/webhooks/twilio/acme/status' },
      ],
      [
        'acme on its own tenant',
        'neither',
        { method: 'POST', path: '/v1/tenants/acme/conversations', tags: { smsTenant: 'acme' } },
      ],
      [
        'acme on another tenant',
        'deny',
        { method: 'POST', path: '/v1/tenants/globex/conversations', tags: { smsTenant: 'acme' } },
      ],
      [
        'acme on its tenant spelled in capitals',
        'deny',
        { method: 'POST', path: '/v1/tenants/ACME/conversations', tags: { smsTenant: 'acme' } },
      ],
      [
        'acme on a tenant whose id starts with its own',
        'deny',
        { method: 'POST', path: '/v1/tenants/acme-2/conversations', tags: { smsTenant: 'acme' } },
      ],
      [
        'acme with another method',
        'deny',
        { method: 'GET', path: '/v1/tenants/acme/conversations', tags: { smsTenant: 'acme' } },
      ],
      ['a caller without the tag', 'deny', { method: 'POST', path: '/v1/tenants/acme/conversations' }],
      [
        'acme reading its own campaign',
        'neither',
        { method: 'GET', path: '/v1/tenants/acme/campaigns/cmp-1', tags: { smsTenant: 'acme' } },
      ],
      [
        "acme pausing another tenant's campaign",
        'deny',
        { method: 'POST', path: '/v1/tenants/globex/campaigns/cmp-1/pause', tags: { smsTenant: 'acme' } },
      ],
      [
        "acme listing another tenant's campaigns",
        'deny',
        { method: 'GET', path: '/v1/tenants/globex/campaigns', tags: { smsTenant: 'acme' } },
      ],
      [
        'a caller without the tag on campaigns',
        'deny',
        { method: 'GET', path: '/v1/tenants/acme/campaigns' },
      ],
      [
        'a caller with another tag only',
        'deny',
        { method: 'POST', path: '/v1/tenants/acme/conversations', tags: { team: 'acme' } },
      ],
    ] as const)('(policy model) %s: %s', (_name, outcome, request) => {
      expect(evaluate(statements, { ...request, stage })).toBe(outcome);
    });
  });
});
