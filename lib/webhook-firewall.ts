import { type Duration, Stack } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface WebhookFirewallProps {
  /** `arn:…:apigateway:{region}::/restapis/{id}/stages/{stage}` */
  readonly stageArn: string;
  readonly name: string;
  /**
   * What every Twilio webhook path contains and no other path does, e.g. `/webhooks/twilio/` (the
   * literal start of the open routes of lib/topology.ts, given by the API).
   */
  readonly webhookPathPrefix: string;
  /** Requests one source IP may make in any 5-minute window before it is blocked. */
  readonly requestsPer5MinPerIp: number;
  /** Requests one webhook URI path (one tenant's URL) may get in any 5-minute window, from all sources. */
  readonly requestsPer5MinPerWebhookPath: number;
}

/** Rule names, in evaluation order: the metric names, and what tests and dashboards look for. */
export const FIREWALL_RULES = {
  unsignedWebhook: 'webhook-without-signature',
  ratePerIp: 'rate-per-ip',
  ratePerWebhookPath: 'rate-per-webhook-path',
  ipReputation: 'aws-ip-reputation',
  knownBadInputs: 'aws-known-bad-inputs',
} as const;

/**
 * Every rule of AWS's Known bad inputs managed rule group (AWSManagedRulesKnownBadInputsRuleSet) that
 * inspects the request body, each overridden to Count: the body of a webhook is a customer's text, and
 * a block there drops a message (Twilio retries, then gives up). The group's other rules (headers,
 * query string, URI path, method, host) keep blocking.
 *
 * An override list, not a pinned version: the group is versioned, but its version names
 * (`Version_1.x`) could not be checked against AWS when this was written, and a `Version` that does
 * not exist fails the deploy. Unpinned, the web ACL follows the group's default version, so a body
 * rule AWS adds later blocks until it is named here: before deploying after an AWS Managed Rules
 * changelog entry for this group, compare with
 * `aws wafv2 describe-managed-rule-group --scope REGIONAL --vendor-name AWS --name AWSManagedRulesKnownBadInputsRuleSet --query 'Rules[].Name'`
 * (every `*_BODY` name must be here). To pin as well, pick a name from
 * `aws wafv2 list-available-managed-rule-group-versions --scope REGIONAL --vendor-name AWS --name AWSManagedRulesKnownBadInputsRuleSet`,
 * set it as the statement's `version`, and keep this list.
 * `ReactJSRCE_BODY` is the newest (React Server Components RCE, CVE-2025-55182).
 *
 * The IP reputation group (AWSManagedRulesAmazonIpReputationList) needs neither: it matches source
 * addresses only, and AWS does not version the IP reputation groups.
 */
export const KNOWN_BAD_INPUTS_BODY_RULES = [
  'Log4JRCE_BODY',
  'JavaDeserializationRCE_BODY',
  'ReactJSRCE_BODY',
] as const;

/** The header Twilio signs every webhook with; WAF matches header names case-insensitively. */
export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

/** The body of WAF's 403 to an unsigned webhook: the same JSON the ingest function answers it with. */
export const UNSIGNED_WEBHOOK_BODY = JSON.stringify({ message: 'missing X-Twilio-Signature' });
const UNSIGNED_WEBHOOK_BODY_KEY = 'unsigned-webhook';

/**
 * An AWS WAF web ACL on the REST API stage. Every webhook is already authenticated by its HMAC
 * signature in the ingest function; the firewall keeps floods and known-bad sources from costing
 * Lambda invocations and, above all, from using up the API Gateway throttle that every tenant's
 * webhooks share (a throttled Twilio webhook gets 429, and Twilio does not retry messaging webhooks).
 * Rules that inspect the body only count: the body is the customer's text, and blocking it would
 * drop a message (Twilio retries, then gives up), which we never do.
 *
 * The order makes an attacker pay more than us: a request without a signature header is refused
 * before it is counted anywhere; a flood from a few addresses stops at the per-IP limit; a flood at
 * one tenant's URL from many addresses stops at that URL's limit, and only that tenant is affected.
 */
export class WebhookFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  private readonly webAclName: string;

  /**
   * Requests one rule blocked (AWS/WAFV2 `BlockedRequests`, dimensions WebACL, Rule, Region: the
   * visibility metric names this construct gives the web ACL and each rule).
   */
  metricBlockedRequests(
    rule: (typeof FIREWALL_RULES)[keyof typeof FIREWALL_RULES],
    period: Duration,
  ): cw.Metric {
    return new cw.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: this.webAclName, Rule: rule, Region: Stack.of(this).region },
      statistic: cw.Stats.SUM,
      period,
    });
  }

  constructor(scope: Construct, id: string, props: WebhookFirewallProps) {
    super(scope, id);
    this.webAclName = props.name;
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      // Sampled requests would keep request bodies (phone numbers, message text) in the WAF console.
      sampledRequestsEnabled: false,
      metricName,
    });
    // The URI path WAF inspects is the one the client sent: `/{stage}/webhooks/twilio/…` on the
    // execute-api host (a REST API stage is part of the path there), but `/webhooks/twilio/…` or
    // `/{basePath}/webhooks/twilio/…` when Twilio calls a custom domain (config publicBaseUrl).
    // CONTAINS matches all three, where STARTS_WITH `/{stage}/webhooks/` would miss a custom domain.
    // URL_DECODE first, so `/webhooks/twili%6F/` cannot slip past a match that API Gateway routes.
    const webhookPath: wafv2.CfnWebACL.StatementProperty = {
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'CONTAINS',
        searchString: props.webhookPathPrefix,
        textTransformations: [{ priority: 0, type: 'URL_DECODE' }],
      },
    };
    // "Header present" is a size constraint on the single header, size > 0; a missing header has no
    // size, so NOT(size > 0) matches requests without it. This is AWS's own recipe:
    // https://docs.aws.amazon.com/waf/latest/developerguide/waf-rate-based-example-limit-missing-header.html
    const withoutSignature: wafv2.CfnWebACL.StatementProperty = {
      notStatement: {
        statement: {
          sizeConstraintStatement: {
            // SingleHeader is typed `any` in aws-cdk-lib, so its keys reach CloudFormation as written.
            fieldToMatch: { singleHeader: { Name: TWILIO_SIGNATURE_HEADER } },
            comparisonOperator: 'GT',
            size: 0,
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        },
      },
    };

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      customResponseBodies: {
        [UNSIGNED_WEBHOOK_BODY_KEY]: { contentType: 'APPLICATION_JSON', content: UNSIGNED_WEBHOOK_BODY },
      },
      rules: [
        {
          // Twilio signs every webhook it sends. A request without the header can never pass the
          // ingest check, so it costs us nothing here instead of an invocation and a throttle token.
          // It is not counted by the rate rules below either (a terminating action ends evaluation).
          name: FIREWALL_RULES.unsignedWebhook,
          priority: 0,
          action: {
            block: {
              customResponse: { responseCode: 403, customResponseBodyKey: UNSIGNED_WEBHOOK_BODY_KEY },
            },
          },
          statement: { andStatement: { statements: [webhookPath, withoutSignature] } },
          visibilityConfig: visibility(FIREWALL_RULES.unsignedWebhook),
        },
        {
          name: FIREWALL_RULES.ratePerIp,
          priority: 1,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: props.requestsPer5MinPerIp, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility(FIREWALL_RULES.ratePerIp),
        },
        {
          // One counter per webhook URI path, i.e. per tenant and kind (inbound, status), over all
          // source addresses: a distributed flood at one tenant's URL is blocked at that URL, and the
          // other tenants keep their share of the webhook throttle. API Gateway cannot do this: its
          // method throttle is per stage and method, shared by every tenant. Decoded, so percent-encoded
          // spellings of one path share its counter.
          name: FIREWALL_RULES.ratePerWebhookPath,
          priority: 2,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: props.requestsPer5MinPerWebhookPath,
              aggregateKeyType: 'CUSTOM_KEYS',
              customKeys: [{ uriPath: { textTransformations: [{ priority: 0, type: 'URL_DECODE' }] } }],
              scopeDownStatement: webhookPath,
            },
          },
          visibilityConfig: visibility(FIREWALL_RULES.ratePerWebhookPath),
        },
        {
          name: FIREWALL_RULES.ipReputation,
          priority: 3,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesAmazonIpReputationList' },
          },
          visibilityConfig: visibility(FIREWALL_RULES.ipReputation),
        },
        {
          name: FIREWALL_RULES.knownBadInputs,
          priority: 4,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: 'AWSManagedRulesKnownBadInputsRuleSet',
              ruleActionOverrides: KNOWN_BAD_INPUTS_BODY_RULES.map((name) => ({
                name,
                actionToUse: { count: {} },
              })),
            },
          },
          visibilityConfig: visibility(FIREWALL_RULES.knownBadInputs),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
