/** Typed per-stage configuration. Pure data: read by the CDK app and by the local stack. */
export interface StageConfig {
  readonly stage: string;
  /** Public base URL Twilio calls (custom domain). Undefined: the API's execute-api URL. */
  readonly publicBaseUrl?: string;
  /** Secrets Manager prefix; tenant secrets live at `{prefix}/tenants/{tenantId}/twilio`. */
  readonly tenantSecretPrefix: string;
  /**
   * CloudWatch namespace of the functions' EMF metrics (POWERTOOLS_METRICS_NAMESPACE), the metric
   * filters, the dashboard and the alarms. One per stage (`SmsConversations/{stage}`), so that stages
   * sharing an account and region never feed each other's alarms or dashboards.
   */
  readonly metricsNamespace: string;
  /**
   * Does this stage's stack own the account's API Gateway settings (the `AWS::ApiGateway::Account`
   * singleton and its CloudWatch Logs role, one per account and region)? True for exactly one
   * deployed stage: that stage must be deployed first in an account and region (API Gateway refuses
   * stage logging until the account has a CloudWatch Logs role), or the account must already have
   * the role set (API Gateway console, Settings, "CloudWatch log role ARN").
   */
  readonly ownsApiGatewayAccountSettings: boolean;
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  readonly logRetentionDays: number;
  readonly api: {
    /** Stage default throttle: API Gateway applies it to each method that has no setting of its own. */
    readonly rateLimit: number;
    readonly burstLimit: number;
    /**
     * Throttle of each Twilio webhook method (inbound, status), shared by every tenant: API Gateway
     * throttles per stage and method, never per path parameter (the WAF's per-path rule is the
     * per-tenant limit).
     */
    readonly webhooks: ThrottleConfig;
    /** Throttle of each IAM-authorized tenant API method (`POST /v1/tenants/{tenantId}/conversations`). */
    readonly conversationsApi: ThrottleConfig;
  };
  /**
   * AWS WAF on the REST API stage (unsigned webhooks, rate limits per IP and per webhook path, AWS IP
   * reputation, known bad inputs). Costs about $5 per web ACL and $1 per rule a month plus $0.60 per
   * million requests; the signature check stays the authentication.
   */
  readonly waf: {
    readonly enabled: boolean;
    readonly requestsPer5MinPerIp: number;
    /**
     * Requests one webhook URI path (one tenant's inbound or status URL) may receive from all sources
     * in any 5-minute window before that path is blocked: a flood aimed at one tenant stops there
     * instead of using up the webhook method's throttle that every tenant shares.
     */
    readonly requestsPer5MinPerWebhookPath: number;
  };
  readonly alarms: {
    /** Alarm when the delivery rate over the period drops below this fraction. */
    readonly deliveryRateBelow: number;
    readonly dlqMessagesAtLeast: number;
    readonly dlqOldestMessageSeconds: number;
    readonly signatureRejectionsPer5Min: number;
    /** Twilio REST API failures (all tenants) per 5 minutes that raise an alarm. */
    readonly twilioApiFailuresPer5Min: number;
    /** Unhandled errors of one function per 5 minutes that raise an alarm. */
    readonly lambdaErrorsAtLeast: number;
    /** Throttled invocations of one function per 5 minutes that raise an alarm. */
    readonly lambdaThrottlesAtLeast: number;
  };
  /** Deletion protection / retain policies for stateful resources. */
  readonly protectData: boolean;
  /** What `smsctl number put` gives a number when its flags say nothing. */
  readonly numberDefaults: {
    /** May customers start a conversation by texting in (`--allow-inbound-start`)? */
    readonly allowInboundStart: boolean;
  };
  /**
   * May completion webhooks go to loopback addresses (127.0.0.0/8, [::1], localhost), over http://
   * too? Only the local stack, whose receivers run on the developer's machine; a deployed notifier
   * sends https:// to public addresses only (lambdas/domain/outbound-url-policy.ts).
   */
  readonly allowLoopbackWebhooks: boolean;
  /**
   * Bedrock models (foundation model ids or cross-Region inference profile ids) that workflows of this
   * stage may name in `understanding.modelId`: the conversation function may `bedrock:InvokeModel`
   * exactly these (lib/understanding-models.ts), and `workflow put` refuses any other. Empty: no
   * workflow may use understanding.
   */
  readonly understandingModelIds: readonly string[];
}

/** The metric namespace of a stage: stages must never publish into each other's. */
export const METRICS_NAMESPACE_PREFIX = 'SmsConversations';
const metricsNamespace = (stage: string) => `${METRICS_NAMESPACE_PREFIX}/${stage}`;

const base = {
  logLevel: 'INFO',
  api: {
    rateLimit: 100,
    burstLimit: 200,
    // Status callbacks arrive two or three per message sent: the webhooks get the most headroom.
    webhooks: { rateLimit: 200, burstLimit: 400 },
    // Tenant back ends starting conversations: machines that retry on 429.
    conversationsApi: { rateLimit: 50, burstLimit: 100 },
  },
  numberDefaults: { allowInboundStart: true },
  allowLoopbackWebhooks: false,
  // Claude 3 Haiku: on demand in most Regions, follows a forced tool choice, about $0.25/$1.25 per
  // million input/output tokens (docs/workflows.md "Understanding").
  understandingModelIds: ['anthropic.claude-3-haiku-20240307-v1:0'],
  // Twilio spreads webhooks over many addresses; one address beyond this is not Twilio at work.
  // One tenant path beyond 50 requests a second on average for 5 minutes is a flood: a tenant sending
  // 10 messages a second gets 20-30 status callbacks a second.
  waf: { enabled: false, requestsPer5MinPerIp: 10_000, requestsPer5MinPerWebhookPath: 15_000 },
  alarms: {
    deliveryRateBelow: 0.9,
    dlqMessagesAtLeast: 1,
    dlqOldestMessageSeconds: 3600,
    signatureRejectionsPer5Min: 20,
    twilioApiFailuresPer5Min: 10,
    lambdaErrorsAtLeast: 1,
    lambdaThrottlesAtLeast: 1,
  },
} as const;

/** API Gateway token bucket: steady requests per second and burst. */
export interface ThrottleConfig {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export const stages: Readonly<Record<string, StageConfig>> = {
  dev: {
    ...base,
    stage: 'dev',
    tenantSecretPrefix: 'sms-conversations/dev',
    metricsNamespace: metricsNamespace('dev'),
    // prod owns the account's API Gateway settings: deploy prod first in a shared account and region.
    ownsApiGatewayAccountSettings: false,
    // The same firewall as prod, so its rules are exercised before they guard production.
    waf: { ...base.waf, enabled: true },
    logLevel: 'DEBUG',
    logRetentionDays: 14,
    protectData: false,
  },
  prod: {
    ...base,
    stage: 'prod',
    tenantSecretPrefix: 'sms-conversations/prod',
    metricsNamespace: metricsNamespace('prod'),
    ownsApiGatewayAccountSettings: true,
    waf: { ...base.waf, enabled: true },
    logRetentionDays: 90,
    protectData: true,
  },
  local: {
    ...base,
    stage: 'local',
    tenantSecretPrefix: 'sms-conversations/local',
    metricsNamespace: metricsNamespace('local'),
    // No API Gateway locally.
    ownsApiGatewayAccountSettings: false,
    allowLoopbackWebhooks: true,
    logRetentionDays: 1,
    protectData: false,
  },
};

export function stageConfig(stage: string): StageConfig {
  const config = stages[stage];
  if (!config) throw new Error(`Unknown stage "${stage}". Known stages: ${Object.keys(stages).join(', ')}`);
  return config;
}
