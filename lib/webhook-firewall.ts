import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface WebhookFirewallProps {
  /** `arn:…:apigateway:{region}::/restapis/{id}/stages/{stage}` */
  readonly stageArn: string;
  readonly name: string;
  /** Requests one source IP may make in any 5-minute window before it is blocked. */
  readonly requestsPer5MinPerIp: number;
}

/**
 * An AWS WAF web ACL on the REST API stage. Every webhook is already authenticated by its HMAC
 * signature in the ingest function; the firewall keeps floods and known-bad sources from costing
 * Lambda invocations. Rules that inspect the body only count: the body is the customer's text,
 * and blocking it would drop a message (Twilio retries, then gives up), which we never do.
 */
export class WebhookFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: WebhookFirewallProps) {
    super(scope, id);
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      // Sampled requests would keep request bodies (phone numbers, message text) in the WAF console.
      sampledRequestsEnabled: false,
      metricName,
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: props.requestsPer5MinPerIp, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('rate-per-ip'),
        },
        {
          name: 'aws-ip-reputation',
          priority: 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesAmazonIpReputationList' },
          },
          visibilityConfig: visibility('aws-ip-reputation'),
        },
        {
          name: 'aws-known-bad-inputs',
          priority: 2,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: 'AWSManagedRulesKnownBadInputsRuleSet',
              ruleActionOverrides: ['Log4JRCE_BODY', 'JavaDeserializationRCE_BODY'].map((name) => ({
                name,
                actionToUse: { count: {} },
              })),
            },
          },
          visibilityConfig: visibility('aws-known-bad-inputs'),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
