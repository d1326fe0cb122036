/**
 * The one source of truth for queues, the table, functions, their event sources and routes.
 * The CDK stack (lib/) and the local stack (local/) are both built from these definitions, and
 * test/infra/topology-parity.test.ts proves the synthesized template agrees with them.
 * Pure data and pure functions: no aws-cdk-lib import, so the local stack can load it cheaply.
 */
import { stages } from './config';

export type QueueId = 'inbound' | 'outbound' | 'status' | 'webhooks' | 'campaigns' | 'reminders';
export type FunctionId =
  | 'ingest'
  | 'conversation'
  | 'sender'
  | 'status'
  | 'reconcile'
  | 'notifier'
  | 'conversations-api'
  | 'campaign-dispatcher'
  | 'events'
  | 'reminders';

export interface QueueSpec {
  readonly id: QueueId;
  /** Physical name used locally; in AWS CloudFormation names the queue (FIFO names end in `.fifo`). */
  readonly localName: string;
  readonly fifo: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  /** Receives before SQS moves a message to the queue's DLQ. */
  readonly maxReceiveCount: number;
  /**
   * For a queue whose consumer also puts messages back that did not fail (the sender parks a send
   * until its pacing slot): the failed receives after which the consumer moves a message to the
   * DLQ itself. maxReceiveCount is then only a backstop, well above it.
   */
  readonly maxFailures?: number;
  readonly dlqRetentionSeconds: number;
}

export interface EventSourceSpec {
  readonly queue: QueueId;
  readonly batchSize: number;
  /** Lambda's scaling cap for the SQS event source (2..1000); undefined = unbounded. */
  readonly maxConcurrency?: number;
  /**
   * Lambda's MaximumBatchingWindowInSeconds (0..300; standard queues only, SQS FIFO does not
   * support it): a poller holding fewer than batchSize records keeps receiving for up to this long
   * before it invokes, so a trickle arrives as fuller batches: fewer invocations and fewer
   * ReceiveMessage/DeleteMessageBatch requests per record, at the price of up to this much latency.
   * Only for consumers nobody waits on. Undefined: none (invoke as soon as records are available).
   */
  readonly maxBatchingWindowSeconds?: number;
  readonly reportBatchItemFailures: true;
}

/**
 * Lambda's DynamoDB Streams event source on the table's stream (the local stack polls DynamoDB
 * Local's stream the same way). Retried until the record is older than the stream keeps it
 * (24 hours), with the failing batch bisected and each record's failure reported on its own.
 */
export interface TableStreamSourceSpec {
  readonly batchSize: number;
  /** Records gathered for up to this long before an invocation (0..300). */
  readonly maxBatchingWindowSeconds: number;
  /** Concurrent batches per shard (1..10); 1 keeps each item's changes in order. */
  readonly parallelizationFactor: number;
  readonly startingPosition: 'LATEST' | 'TRIM_HORIZON';
  readonly bisectBatchOnError: true;
  readonly reportBatchItemFailures: true;
}

export interface FunctionBindings {
  /** Queues the function sends to; each becomes `<QUEUE>_QUEUE_URL` in its environment. */
  readonly sendsTo: readonly QueueId[];
  readonly table: 'none' | 'read' | 'readWrite';
  /** Queries the table's open-messages index (reconcile); no other function reads an index. */
  readonly queriesOpenMessages?: boolean;
  /**
   * `read`: the tenants' Twilio credentials (`{prefix}/tenants/{id}/twilio`). `webhookSigningKeys`:
   * only the tenants' completion-webhook signing keys (`{prefix}/tenants/{id}/webhook`), so the
   * function that calls tenants' endpoints cannot read Twilio tokens and no other can read the keys.
   */
  readonly tenantSecrets: 'none' | 'read' | 'webhookSigningKeys';
  /**
   * Only items whose partition key starts with one of these prefixes (IAM `dynamodb:LeadingKeys`);
   * undefined: any item of the table.
   */
  readonly tableItemPrefixes?: readonly string[];
  /**
   * Items the function reads but may never write (e.g. `TENANT#` configuration for the functions
   * that serve conversations): a second LeadingKeys statement with the read actions only.
   */
  readonly tableReadOnlyPrefixes?: readonly string[];
  /**
   * Moves a record that can never succeed straight to its event-source queue's DLQ, with the reason
   * (`<QUEUE>_DLQ_URL`, SendMessage on that DLQ only), instead of burning the remaining receives.
   */
  readonly deadLettersPermanentFailures?: boolean;
  /** Needs the public base URL (signature checks, StatusCallback URLs). */
  readonly publicBaseUrl: boolean;
  /** Calls the Twilio REST API. */
  readonly twilioApi: boolean;
  /**
   * POSTs to tenants' endpoints (completion webhooks), or takes tenants' URLs that Twilio will fetch
   * (MMS pictures, `mediaUrls`): gets the stage's `allowLoopbackWebhooks` (the outbound URL policy).
   */
  readonly tenantEndpoints?: boolean;
  /**
   * Calls the understanding port (Amazon Bedrock Converse): `bedrock:InvokeModel` on the stage's
   * `understandingModelIds` only (lib/understanding-models.ts).
   */
  readonly understandingModels?: boolean;
}

/** A function run on a timer (EventBridge Scheduler in AWS, a timer in the local stack). */
export interface ScheduleSpec {
  readonly everyMinutes: number;
}

export interface FunctionSpec {
  readonly id: FunctionId;
  readonly entry: string;
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  readonly eventSource?: EventSourceSpec;
  /** Invoked with the table's stream records (lambdas/events): at most one function has one. */
  readonly tableStreamSource?: TableStreamSourceSpec;
  readonly schedule?: ScheduleSpec;
  readonly bindings: FunctionBindings;
}

export interface RouteSpec {
  readonly method: 'POST' | 'GET';
  readonly path: string;
  readonly function: FunctionId;
  /**
   * `iam`: API Gateway lets through only requests signed with SigV4 by a principal allowed
   * `execute-api:Invoke` (the local API checks the signature against the local credentials).
   * Undefined: open at the gateway; the function authenticates (Twilio signatures).
   */
  readonly authorization?: 'iam';
}

export interface IndexSpec {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export interface TableSpec {
  readonly partitionKey: 'pk';
  readonly sortKey: 'sk';
  readonly ttlAttribute: 'expiresAt';
  /** Every item change, old and new item, for the lifecycle events (lambdas/events). */
  readonly stream: 'NEW_AND_OLD_IMAGES';
  /** Sparse index of messages whose status is not final yet (for reconcile); keys only. */
  readonly openMessagesIndex: IndexSpec;
}

export const table: TableSpec = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  stream: 'NEW_AND_OLD_IMAGES',
  openMessagesIndex: { name: 'open-messages', partitionKey: 'openShard', sortKey: 'openSince' },
};

const DAY = 24 * 60 * 60;

export const functions: Readonly<Record<FunctionId, FunctionSpec>> = {
  ingest: {
    id: 'ingest',
    entry: 'lambdas/ingest/handler.ts',
    memorySizeMb: 512,
    timeoutSeconds: 10,
    bindings: {
      sendsTo: ['inbound', 'status'],
      table: 'none',
      tenantSecrets: 'read',
      publicBaseUrl: true,
      twilioApi: false,
    },
  },
  conversation: {
    id: 'conversation',
    entry: 'lambdas/conversation/handler.ts',
    memorySizeMb: 512,
    timeoutSeconds: 30,
    eventSource: { queue: 'inbound', batchSize: 10, maxConcurrency: 50, reportBatchItemFailures: true },
    bindings: {
      // reminders: the first reminder timer of a prompt that a route's `reminders` follow up.
      sendsTo: ['outbound', 'webhooks', 'reminders'],
      table: 'readWrite',
      // Writes conversations, transcripts and opt-outs, and a campaign's counters (its conversations'
      // answers, completions, STOPs) and the tenant's list of handed-off conversations; reads numbers
      // and workflows, never writes them.
      // And each tenant's monthly understanding tokens (LLMUSAGE#, an atomic counter).
      tableItemPrefixes: ['CONV#', 'OPTOUT#', 'CAMPAIGN#', 'HANDOFFS#', 'LLMUSAGE#'],
      tableReadOnlyPrefixes: ['TENANT#'],
      tenantSecrets: 'none',
      // A turn that can never succeed (workflow missing or unreadable) goes to the DLQ at once.
      deadLettersPermanentFailures: true,
      understandingModels: true,
      publicBaseUrl: false,
      twilioApi: false,
    },
  },
  sender: {
    id: 'sender',
    entry: 'lambdas/sender/handler.ts',
    memorySizeMb: 512,
    timeoutSeconds: 30,
    eventSource: { queue: 'outbound', batchSize: 10, maxConcurrency: 20, reportBatchItemFailures: true },
    bindings: {
      sendsTo: [],
      table: 'readWrite',
      // Replies' transcript entries (the sends), message items, pacing, opt-outs; a campaign's state
      // (a cancelled one's sends are refused) and counters (what its sends came to).
      tableItemPrefixes: ['CONV#', 'MESSAGE#', 'PACE#', 'OPTOUT#', 'CAMPAIGN#'],
      tenantSecrets: 'read',
      // A send whose failures spend the outbound queue's maxFailures (parks are not failures).
      deadLettersPermanentFailures: true,
      publicBaseUrl: true,
      twilioApi: true,
    },
  },
  reconcile: {
    id: 'reconcile',
    entry: 'lambdas/reconcile/handler.ts',
    memorySizeMb: 512,
    timeoutSeconds: 120,
    schedule: { everyMinutes: 5 },
    bindings: {
      sendsTo: [],
      table: 'readWrite',
      // Message items (the open-messages index is granted apart) and the counters of their campaigns.
      tableItemPrefixes: ['MESSAGE#', 'CAMPAIGN#'],
      queriesOpenMessages: true,
      tenantSecrets: 'read',
      publicBaseUrl: false,
      twilioApi: true,
    },
  },
  status: {
    id: 'status',
    entry: 'lambdas/status/handler.ts',
    memorySizeMb: 512,
    timeoutSeconds: 30,
    // Delivery callbacks only update delivery state and metrics, so they can wait up to 2 s to share
    // a batch. batchSize stays 10 (with a window Lambda would allow more).
    eventSource: {
      queue: 'status',
      batchSize: 10,
      maxConcurrency: 20,
      maxBatchingWindowSeconds: 2,
      reportBatchItemFailures: true,
    },
    bindings: {
      sendsTo: [],
      table: 'readWrite',
      // Message items (transcripts read a reply's status from there) and the counters of their campaigns.
      tableItemPrefixes: ['MESSAGE#', 'CAMPAIGN#'],
      tenantSecrets: 'none',
      publicBaseUrl: false,
      twilioApi: false,
    },
  },
  'conversations-api': {
    id: 'conversations-api',
    entry: 'lambdas/conversations-api/handler.ts',
    memorySizeMb: 512,
    // Synchronous behind API Gateway (29 s integration timeout): a few DynamoDB calls and one SendMessage.
    timeoutSeconds: 10,
    bindings: {
      table: 'readWrite',
      // Writes conversations, idempotency keys, campaigns (creation, recipients, pause/resume/cancel)
      // and hand-offs (a person's reply, a release); reads the tenant's configuration and opt-outs.
      // reminders: the first reminder timer of a start's prompt, or of a prompt a release asks again.
      sendsTo: ['outbound', 'campaigns', 'reminders'],
      tableItemPrefixes: ['CONV#', 'IDEMPOTENCY#', 'CAMPAIGN#', 'CAMPAIGNS#', 'HANDOFFS#'],
      tableReadOnlyPrefixes: ['TENANT#', 'OPTOUT#'],
      tenantSecrets: 'none',
      publicBaseUrl: false,
      twilioApi: false,
      // Checks the pictures a start sends (`mediaUrls`) against the stage's outbound URL policy.
      tenantEndpoints: true,
    },
  },
  /**
   * Releases a running campaign's recipients at its senders' pace: one tick (a `campaigns` message)
   * per campaign at a time, each scheduling the next with an SQS delay.
   */
  'campaign-dispatcher': {
    id: 'campaign-dispatcher',
    entry: 'lambdas/campaign-dispatcher/handler.ts',
    memorySizeMb: 512,
    // A tick releases at most a few hundred recipients: a conditional start and a release each.
    timeoutSeconds: 60,
    eventSource: { queue: 'campaigns', batchSize: 5, maxConcurrency: 5, reportBatchItemFailures: true },
    bindings: {
      // reminders: the first reminder timer of a start's prompt (as the conversations API arms it).
      sendsTo: ['outbound', 'campaigns', 'reminders'],
      table: 'readWrite',
      // Starts conversations (as the conversations API does) and releases campaigns' recipients.
      tableItemPrefixes: ['CONV#', 'IDEMPOTENCY#', 'CAMPAIGN#'],
      tableReadOnlyPrefixes: ['TENANT#', 'OPTOUT#'],
      tenantSecrets: 'none',
      publicBaseUrl: false,
      twilioApi: false,
      // Its starts check the campaign's pictures (`mediaUrls`) against the stage's outbound URL policy.
      tenantEndpoints: true,
    },
  },
  /**
   * Turns the table's changes into the tenants' lifecycle events (lambdas/events): reads each tenant's
   * subscriptions (`TENANT#…`/`EVENTSUB#…`) and queues one delivery per matching subscription on
   * `webhooks.fifo` for the notifier. It never calls a tenant's endpoint itself, so a slow endpoint
   * cannot hold up the stream.
   */
  events: {
    id: 'events',
    entry: 'lambdas/events/handler.ts',
    memorySizeMb: 256,
    timeoutSeconds: 30,
    tableStreamSource: {
      batchSize: 100,
      maxBatchingWindowSeconds: 1,
      parallelizationFactor: 1,
      // A mapping created again (a redeploy) replays what the stream still holds: the notifier's
      // claim on each delivery id drops what was delivered already, and nothing is skipped.
      startingPosition: 'TRIM_HORIZON',
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
    },
    bindings: {
      sendsTo: ['webhooks'],
      table: 'read',
      // The tenants' subscriptions only (reads; smsctl writes them).
      tableItemPrefixes: ['TENANT#'],
      tenantSecrets: 'none',
      publicBaseUrl: false,
      twilioApi: false,
    },
  },
  /**
   * Reminders (a route's `reminders`, lambdas/reminders): a timer on the `reminders` queue that fires
   * checks the conversation still waits on the same prompt in the same silence, commits the reminder
   * (its transcript entry and the state's reminder marker, on the state's version) and queues it on
   * outbound.fifo like any reply, then arms the next timer.
   */
  reminders: {
    id: 'reminders',
    entry: 'lambdas/reminders/handler.ts',
    memorySizeMb: 512,
    timeoutSeconds: 30,
    eventSource: { queue: 'reminders', batchSize: 10, maxConcurrency: 5, reportBatchItemFailures: true },
    bindings: {
      sendsTo: ['outbound', 'reminders'],
      table: 'readWrite',
      // Conversations (the state's marker, the reminder's transcript entry); reads numbers, workflows,
      // the tenant's quiet hours and opt-outs, never writes them.
      tableItemPrefixes: ['CONV#'],
      tableReadOnlyPrefixes: ['TENANT#', 'OPTOUT#'],
      tenantSecrets: 'none',
      publicBaseUrl: false,
      twilioApi: false,
    },
  },
  notifier: {
    id: 'notifier',
    entry: 'lambdas/notifier/handler.ts',
    memorySizeMb: 256,
    // Records are handled in parallel, each POST capped at WEBHOOK_TIMEOUT_MS (5 s).
    timeoutSeconds: 30,
    // Tenants' endpoints, not AWS, are the bottleneck: a modest cap keeps a backlog from flooding them.
    eventSource: { queue: 'webhooks', batchSize: 5, maxConcurrency: 10, reportBatchItemFailures: true },
    bindings: {
      sendsTo: [],
      table: 'readWrite',
      // Only its delivery records (see lambdas/adapters/dynamodb/keys.ts: webhookDelivery).
      tableItemPrefixes: ['WEBHOOK#'],
      tenantSecrets: 'webhookSigningKeys',
      deadLettersPermanentFailures: true,
      publicBaseUrl: false,
      twilioApi: false,
      tenantEndpoints: true,
    },
  },
};

/**
 * Lambda guidance: the visibility timeout is at least six times the consumer's timeout, plus its
 * batching window (records gathered at the window's start are in flight for all of it).
 */
function minVisibilityTimeoutSeconds(consumer: FunctionSpec): number {
  return consumer.timeoutSeconds * 6 + (consumer.eventSource?.maxBatchingWindowSeconds ?? 0);
}

function visibilityFor(consumer: FunctionId): number {
  return minVisibilityTimeoutSeconds(functions[consumer]);
}

export const queues: Readonly<Record<QueueId, QueueSpec>> = {
  inbound: {
    id: 'inbound',
    localName: 'inbound.fifo',
    fifo: true,
    visibilityTimeoutSeconds: visibilityFor('conversation'),
    retentionSeconds: 4 * DAY,
    maxReceiveCount: 5,
    dlqRetentionSeconds: 14 * DAY,
  },
  outbound: {
    id: 'outbound',
    localName: 'outbound.fifo',
    fifo: true,
    visibilityTimeoutSeconds: visibilityFor('sender'),
    retentionSeconds: 4 * DAY,
    maxFailures: 8,
    // A backstop only: a send parked for its pacing slot comes back without having failed, as
    // often as its number's backlog needs (a slot is at most 12 hours of invisibility away).
    maxReceiveCount: 40,
    dlqRetentionSeconds: 14 * DAY,
  },
  status: {
    id: 'status',
    localName: 'status',
    fifo: false,
    visibilityTimeoutSeconds: visibilityFor('status'),
    retentionSeconds: 4 * DAY,
    maxReceiveCount: 5,
    dlqRetentionSeconds: 14 * DAY,
  },
  /**
   * Campaign ticks (CampaignTickMessage): standard, one tick per campaign in flight at a time, each
   * delayed (SQS DelaySeconds, at most 15 minutes) until the next release is due. A duplicate
   * delivery is harmless: a recipient is released once (a conditional delete of its due item).
   */
  campaigns: {
    id: 'campaigns',
    localName: 'campaigns',
    fifo: false,
    visibilityTimeoutSeconds: visibilityFor('campaign-dispatcher'),
    retentionSeconds: 4 * DAY,
    maxReceiveCount: 5,
    dlqRetentionSeconds: 14 * DAY,
  },
  /**
   * Reminder timers (ReminderTimerMessage): standard, each delayed until its reminder is due (SQS
   * DelaySeconds, at most 15 minutes: a timer due later is received early and put back with the
   * rest of its delay, a hop). Never deleted to cancel: a timer whose silence ended is dropped when
   * it fires. A duplicate is harmless: a reminder is committed once (the state's version) and sent
   * once (its send id).
   */
  reminders: {
    id: 'reminders',
    localName: 'reminders',
    fifo: false,
    visibilityTimeoutSeconds: visibilityFor('reminders'),
    retentionSeconds: 4 * DAY,
    maxReceiveCount: 5,
    dlqRetentionSeconds: 14 * DAY,
  },
  /**
   * Completion webhooks and lifecycle events to tenants' endpoints. FIFO so that each destination
   * lane is a message group (lambdas/domain/events/lanes.ts): SQS hands out one message of a group
   * at a time, so a tenant whose endpoint never answers occupies at most its own lanes, for one
   * attempt's deadline (5 s) at a time, and its backlog waits in its own groups instead of in front
   * of other tenants' deliveries. A duplicate is harmless (the notifier claims each webhook id once
   * in DynamoDB). Retries back off from 5 s to 15 min (WEBHOOK_BACKOFF): 10 receives wait at most
   * ~36 min in all.
   */
  webhooks: {
    id: 'webhooks',
    localName: 'webhooks.fifo',
    fifo: true,
    visibilityTimeoutSeconds: visibilityFor('notifier'),
    retentionSeconds: 4 * DAY,
    maxReceiveCount: 10,
    dlqRetentionSeconds: 14 * DAY,
  },
};

export const routes: readonly RouteSpec[] = [
  { method: 'POST', path: '/webhooks/twilio/{tenantId}/inbound', function: 'ingest' },
  { method: 'POST', path: '/webhooks/twilio/{tenantId}/status', function: 'ingest' },
  // Business-initiated conversations and messages (lambdas/conversations-api), for operators' systems.
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/conversations',
    function: 'conversations-api',
    authorization: 'iam',
  },
  // Hand-offs to people (lambdas/conversations-api/handoffs.ts): list, a person's reply, release to the bot.
  {
    method: 'GET',
    path: '/v1/tenants/{tenantId}/conversations/handoffs',
    function: 'conversations-api',
    authorization: 'iam',
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/conversations/handoffs/{customer}/messages',
    function: 'conversations-api',
    authorization: 'iam',
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/conversations/handoffs/{customer}/release',
    function: 'conversations-api',
    authorization: 'iam',
  },
  // Campaigns (lambdas/conversations-api/campaigns): create, add recipients, read, pause/resume/cancel.
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/campaigns',
    function: 'conversations-api',
    authorization: 'iam',
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenantId}/campaigns',
    function: 'conversations-api',
    authorization: 'iam',
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenantId}/campaigns/{campaignId}',
    function: 'conversations-api',
    authorization: 'iam',
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/campaigns/{campaignId}/recipients',
    function: 'conversations-api',
    authorization: 'iam',
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/campaigns/{campaignId}/{action}',
    function: 'conversations-api',
    authorization: 'iam',
  },
];

/** Environment variable names, shared by the stacks that set them and the handlers that read them. */
export const ENV = {
  tableName: 'TABLE_NAME',
  tenantSecretPrefix: 'TENANT_SECRET_PREFIX',
  publicBaseUrl: 'PUBLIC_BASE_URL',
  twilioApiBaseUrl: 'TWILIO_API_BASE_URL',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  stage: 'STAGE',
  allowLoopbackWebhooks: 'ALLOW_LOOPBACK_WEBHOOKS',
  nodeOptions: 'NODE_OPTIONS',
  traceEnabled: 'POWERTOOLS_TRACE_ENABLED',
  tracerCaptureResponse: 'POWERTOOLS_TRACER_CAPTURE_RESPONSE',
  tracerCaptureHttpsRequests: 'POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS',
} as const;

/**
 * Stages whose functions run without X-Ray: the local stack has no daemon and hands no trace header
 * (an enabled Tracer there logs "Missing AWS Lambda trace data" at every invocation). Every other
 * stage is deployed with active tracing, and its functions' Tracer (lambdas/shared/observability.ts)
 * records each AWS call and each Twilio call as a subsegment.
 */
export const UNTRACED_STAGES: ReadonlySet<string> = new Set(['local']);

/**
 * Powertools Tracer's settings, the same for every function. Handler responses are not recorded
 * (batch failures and API answers: nothing a trace needs, and they may carry a phone number);
 * neither is every outgoing HTTPS request, whose URLs carry phone numbers (Twilio's list query)
 * and tenants' tokens (completion webhooks): the Twilio call is traced explicitly instead.
 */
export function tracerEnvironment(stage: string): Record<string, string> {
  return {
    [ENV.traceEnabled]: String(!UNTRACED_STAGES.has(stage)),
    [ENV.tracerCaptureResponse]: 'false',
    [ENV.tracerCaptureHttpsRequests]: 'false',
  };
}

/**
 * Every function's NODE_OPTIONS: stack traces name the TypeScript file and line through the map
 * shipped beside each bundle (lib/bundling.ts, `sourcemap`). Node reads the map at the cold start.
 */
export const NODE_OPTIONS = '--enable-source-maps';

export function queueUrlEnvName(queue: QueueId): string {
  return `${queue.toUpperCase()}_QUEUE_URL`;
}

export function dlqUrlEnvName(queue: QueueId): string {
  return `${queue.toUpperCase()}_DLQ_URL`;
}

export function dlqLocalName(spec: QueueSpec): string {
  return spec.fifo ? spec.localName.replace(/\.fifo$/, '-dlq.fifo') : `${spec.localName}-dlq`;
}

/** Values that differ per deployment; the stacks supply them, the topology decides which a function gets. */
export interface EnvironmentValues {
  readonly tableName: string;
  readonly tenantSecretPrefix: string;
  readonly publicBaseUrl: string;
  readonly twilioApiBaseUrl: string;
  readonly metricsNamespace: string;
  readonly logLevel: string;
  readonly stage: string;
  readonly queueUrls: Readonly<Record<QueueId, string>>;
  readonly dlqUrls: Readonly<Record<QueueId, string>>;
}

/** The exact environment a function receives, in AWS and locally. */
export function functionEnvironment(fn: FunctionSpec, values: EnvironmentValues): Record<string, string> {
  const env: Record<string, string> = {
    [ENV.serviceName]: fn.id,
    [ENV.metricsNamespace]: values.metricsNamespace,
    [ENV.logLevel]: values.logLevel,
    [ENV.stage]: values.stage,
    [ENV.nodeOptions]: NODE_OPTIONS,
    ...tracerEnvironment(values.stage),
  };
  for (const queue of fn.bindings.sendsTo) env[queueUrlEnvName(queue)] = values.queueUrls[queue];
  // A consumer shortens a failed record's visibility to retry it with backoff (ChangeMessageVisibility).
  if (fn.eventSource) env[queueUrlEnvName(fn.eventSource.queue)] = values.queueUrls[fn.eventSource.queue];
  if (fn.eventSource && fn.bindings.deadLettersPermanentFailures) {
    env[dlqUrlEnvName(fn.eventSource.queue)] = values.dlqUrls[fn.eventSource.queue];
  }
  if (fn.bindings.table !== 'none') env[ENV.tableName] = values.tableName;
  if (fn.bindings.tenantSecrets !== 'none') env[ENV.tenantSecretPrefix] = values.tenantSecretPrefix;
  if (fn.bindings.publicBaseUrl) env[ENV.publicBaseUrl] = values.publicBaseUrl;
  if (fn.bindings.twilioApi) env[ENV.twilioApiBaseUrl] = values.twilioApiBaseUrl;
  // From the stage's config, which both stacks name; a stage not in it gets the strict policy.
  if (fn.bindings.tenantEndpoints) {
    env[ENV.allowLoopbackWebhooks] = String(stages[values.stage]?.allowLoopbackWebhooks === true);
  }
  return env;
}

/** SQS attributes of a queue, as CreateQueue takes them (the local stack) and CloudFormation shows them. */
export function queueAttributes(spec: QueueSpec, deadLetterTargetArn: string): Record<string, string> {
  const attributes: Record<string, string> = {
    VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(spec.retentionSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn, maxReceiveCount: spec.maxReceiveCount }),
  };
  if (spec.fifo) {
    attributes.FifoQueue = 'true';
    // Dedup ids are always explicit (MessageSid, turn id): content-based dedup would merge distinct turns.
    attributes.ContentBasedDeduplication = 'false';
  }
  return attributes;
}

export function dlqAttributes(spec: QueueSpec): Record<string, string> {
  const attributes: Record<string, string> = { MessageRetentionPeriod: String(spec.dlqRetentionSeconds) };
  if (spec.fifo) attributes.FifoQueue = 'true';
  return attributes;
}

export const TWILIO_API_BASE_URL_DEFAULT = 'https://api.twilio.com';
