/** Typed per-stage configuration. Pure data: read by the CDK app and by the local stack. */
export interface StageConfig {
  readonly stage: string;
  /** Public base URL Twilio calls (custom domain). Undefined: the API's execute-api URL. */
  readonly publicBaseUrl?: string;
  /** Secrets Manager prefix; tenant secrets live at `{prefix}/tenants/{tenantId}/twilio`. */
  readonly tenantSecretPrefix: string;
  readonly metricsNamespace: string;
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  readonly logRetentionDays: number;
  readonly api: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * AWS WAF on the REST API stage (rate limit per IP, AWS IP reputation, known bad inputs). Costs
   * about $8 a month plus $0.60 per million requests; the signature check is the authentication.
   */
  readonly waf: { readonly enabled: boolean; readonly requestsPer5MinPerIp: number };
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
}

const base = {
  metricsNamespace: 'SmsConversations',
  logLevel: 'INFO',
  api: { rateLimit: 100, burstLimit: 200 },
  numberDefaults: { allowInboundStart: true },
  // Twilio spreads webhooks over many addresses; one address beyond this is not Twilio at work.
  waf: { enabled: false, requestsPer5MinPerIp: 10_000 },
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

export const stages: Readonly<Record<string, StageConfig>> = {
  dev: {
    ...base,
    stage: 'dev',
    tenantSecretPrefix: 'sms-conversations/dev',
    logLevel: 'DEBUG',
    logRetentionDays: 14,
    protectData: false,
  },
  prod: {
    ...base,
    stage: 'prod',
    tenantSecretPrefix: 'sms-conversations/prod',
    waf: { ...base.waf, enabled: true },
    logRetentionDays: 90,
    protectData: true,
  },
  local: {
    ...base,
    stage: 'local',
    tenantSecretPrefix: 'sms-conversations/local',
    logRetentionDays: 1,
    protectData: false,
  },
};

export function stageConfig(stage: string): StageConfig {
  const config = stages[stage];
  if (!config) throw new Error(`Unknown stage "${stage}". Known stages: ${Object.keys(stages).join(', ')}`);
  return config;
}
