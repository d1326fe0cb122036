/**
 * Metric names and dimensions, shared by the handlers that emit them (EMF through Powertools
 * Metrics) and the CDK dashboard and alarms that read them. Pure data beside lib/topology.ts, for
 * the same reason: lambdas/ import from lib/, never the other way (test/unit/architecture.test.ts).
 */
export const METRIC_SERVICE = 'sms-conversations';

export const DIMENSIONS = {
  tenant: 'TenantId',
  senderNumber: 'SenderNumber',
  campaign: 'CampaignId',
  errorCode: 'ErrorCode',
} as const;

export const METRICS = {
  inboundReceived: 'InboundMessages',
  signatureRejected: 'SignatureRejected',
  /** Webhooks whose signature matched only the tenant's previous auth token (a rotation in progress). */
  signatureAcceptedWithPreviousToken: 'SignatureAcceptedWithPreviousToken',
  messagesSent: 'MessagesSent',
  messagesDelivered: 'MessagesDelivered',
  messagesUndelivered: 'MessagesUndelivered',
  messagesFailed: 'MessagesFailed',
  deliveryLatency: 'DeliveryLatency',
  twilioApiFailures: 'TwilioApiFailures',
  unknownMessageStatus: 'UnknownMessageStatusCallbacks',
  conversationsStarted: 'ConversationsStarted',
  conversationsCompleted: 'ConversationsCompleted',
  optOuts: 'OptOuts',
  /** Customer messages received before the last one applied (an old one redriven): recorded, not applied. */
  lateMessages: 'LateMessages',
  /** Dimensions {service, TenantId, ErrorCode}: undelivered and failed messages by Twilio error code. */
  deliveryErrors: 'DeliveryErrors',
  reconcileChecked: 'ReconcileChecked',
  reconcileAdvanced: 'ReconcileAdvanced',
  sendsBlockedByOptOut: 'SendsBlockedByOptOut',
  /** Sends put back on the queue because their sender number's backlog exceeded the in-process wait. */
  sendsDeferredByPacing: 'SendsDeferredByPacing',
  /** Completion webhooks answered 2xx by the tenant's endpoint (once per webhook). */
  webhooksDelivered: 'WebhooksDelivered',
  /** Completion webhooks moved to the DLQ (refused by the receiver, no signing key, retries exhausted). */
  webhooksFailed: 'WebhooksFailed',
  /** Attempts that will be retried (5xx, 408, 429, timeouts, network errors). */
  webhookAttemptsFailed: 'WebhookAttemptsFailed',
  /** Milliseconds from sending a webhook to its 2xx answer. */
  webhookLatency: 'WebhookLatency',
  /** Reminders committed and queued (a route's `reminders`), once each; re-queues after a crash not counted. */
  remindersSent: 'RemindersSent',
  /** Reminder timers that fired and sent nothing (the customer answered, opted out, the conversation ended...): reasons in the log. */
  remindersDropped: 'RemindersDropped',
  /** Understanding port (issue #19): tokens a call used, as the provider billed them. */
  understandingInputTokens: 'UnderstandingInputTokens',
  understandingOutputTokens: 'UnderstandingOutputTokens',
  /** Milliseconds a call to the model took (answered or not). */
  understandingLatency: 'UnderstandingLatency',
  /** Proposed values (and routes) the typed extractors accepted, and refused. */
  understandingProposalsAccepted: 'UnderstandingProposalsAccepted',
  understandingProposalsRejected: 'UnderstandingProposalsRejected',
  /** Calls past the workflow's deadline: the rules' answer stood. */
  understandingTimeouts: 'UnderstandingTimeouts',
  /** Calls that failed otherwise (throttled, refused, no tool call): the rules' answer stood. */
  understandingFailures: 'UnderstandingFailures',
  /** Turns that would have asked the model but the tenant's monthly token budget was used up. */
  understandingBudgetExhausted: 'UnderstandingBudgetExhausted',
} as const;

/**
 * The TenantId under which a rejection is counted when the tenant was never looked up (a missing
 * or malformed signature is refused before any secret is read): the id in the path is only a
 * claim, and counting under each claimed id would let anyone create a custom metric per request.
 * Outside the tenant id pattern, so it can never be a real tenant's.
 */
export const UNVERIFIED_TENANT = '(unverified)';

/**
 * Every per-tenant metric is emitted with exactly the dimension set {service, TenantId}
 * (Powertools always adds `service`), so one SEARCH expression finds every tenant.
 */
export const TENANT_DIMENSION_SET = ['service', DIMENSIONS.tenant] as const;

/**
 * The only metrics also published per sender number (and per campaign, when a campaign sent the
 * message): each value of such a dimension costs one custom metric per metric a month, so the set
 * is kept to these four (docs/operations.md, "Metrics per sender number: what they cost").
 */
export const DELIVERY_METRICS = [
  METRICS.messagesSent,
  METRICS.messagesDelivered,
  METRICS.messagesUndelivered,
  METRICS.messagesFailed,
] as const;

/** The set {@link DELIVERY_METRICS} carry per business number, beside {@link TENANT_DIMENSION_SET}. */
export const SENDER_NUMBER_DIMENSION_SET = ['service', DIMENSIONS.tenant, DIMENSIONS.senderNumber] as const;

/** The set {@link DELIVERY_METRICS} carry for a campaign's messages, beside the two above. */
export const CAMPAIGN_DIMENSION_SET = ['service', DIMENSIONS.tenant, DIMENSIONS.campaign] as const;
