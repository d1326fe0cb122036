/**
 * The synthesized stack (dev with real esbuild bundles; prod without bundling for its data-protection
 * settings). Topology numbers are compared in topology-parity.test.ts; this file checks the rest.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIMENSIONS, METRIC_SERVICE, METRICS } from '../../lib/metric-catalog';
import { buildApp, environmentFromProcess, REGION_ENV_VARS, RegionError, regionFrom } from '../../lib/app';
import { BUNDLING } from '../../lib/bundling';
import { stageConfig } from '../../lib/config';
import { lambdaApplicationLogLevel } from '../../lib/function-with-log-group';
import { tenantSearch } from '../../lib/monitoring';
import { DLQ_URL_OUTPUT_KEYS, OUTPUT_KEYS, QUEUE_URL_OUTPUT_KEYS, stackName } from '../../lib/stack-contract';
import { pascal } from '../../lib/stateful';
import { type FunctionId, functions, type QueueId, queues, routes, table } from '../../lib/topology';
import { KNOWN_BAD_INPUTS_BODY_RULES } from '../../lib/webhook-firewall';
import {
  actionsOf,
  apiRoutes,
  type CfnTemplate,
  dispose,
  type FunctionProps,
  flatten,
  functionLogicalIds,
  outputRef,
  type PolicyStatementJson,
  props,
  queueLogicalIds,
  referencedId,
  resource,
  resourcesOfStatement,
  resourcesOfType,
  roleStatements,
  type Synthesized,
  synthesize,
  tableLogicalId,
} from './helpers';

const dev = stageConfig('dev');

describe('SmsConversations stack (dev)', () => {
  let synth: Synthesized;
  let template: Template;
  let json: CfnTemplate;
  let functionIds: Record<FunctionId, string>;
  let queueIds: Record<QueueId, { queue: string; dlq: string }>;

  beforeAll(() => {
    synth = synthesize({ stage: 'dev', bundle: true });
    template = synth.template;
    json = synth.json;
    functionIds = functionLogicalIds(json);
    queueIds = queueLogicalIds(json);
  });
  afterAll(() => dispose(synth));

  it('is named after the stage', () => {
    expect(synth.stack.stackName).toBe(stackName('dev'));
    expect(stackName('prod')).toBe('SmsConversations-prod');
  });

  describe('queues', () => {
    it('makes inbound and outbound FIFO with explicit dedup ids, status standard', () => {
      for (const spec of Object.values(queues)) {
        const q = props<Record<string, unknown>>(resource(json, queueIds[spec.id].queue));
        const dlq = props<Record<string, unknown>>(resource(json, queueIds[spec.id].dlq));
        if (spec.fifo) {
          expect(q).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false });
          expect(dlq).toMatchObject({ FifoQueue: true });
        } else {
          expect(q.FifoQueue).toBeUndefined();
          expect(dlq.FifoQueue).toBeUndefined();
        }
        expect(q.VisibilityTimeout).toBe(spec.visibilityTimeoutSeconds);
        expect(q.QueueName).toBeUndefined();
      }
    });

    it('redrives every queue to its own DLQ after maxReceiveCount', () => {
      for (const spec of Object.values(queues)) {
        const q = props<{ RedrivePolicy: { deadLetterTargetArn: unknown; maxReceiveCount: number } }>(
          resource(json, queueIds[spec.id].queue),
        );
        expect(referencedId(q.RedrivePolicy.deadLetterTargetArn)).toBe(queueIds[spec.id].dlq);
        expect(q.RedrivePolicy.maxReceiveCount).toBe(spec.maxReceiveCount);
      }
    });

    it('keeps visibility timeouts at least six times the consumer timeout plus its batching window', () => {
      for (const fn of Object.values(functions)) {
        if (!fn.eventSource) continue;
        expect(queues[fn.eventSource.queue].visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
          6 * fn.timeoutSeconds + (fn.eventSource.maxBatchingWindowSeconds ?? 0),
        );
      }
    });

    it('encrypts every queue with SQS-managed keys and denies non-TLS access', () => {
      for (const [logicalId, q] of resourcesOfType(json, 'AWS::SQS::Queue')) {
        expect(props<Record<string, unknown>>(q).SqsManagedSseEnabled, logicalId).toBe(true);
      }
      const policies = resourcesOfType(json, 'AWS::SQS::QueuePolicy');
      expect(policies).toHaveLength(Object.keys(queues).length * 2);
      for (const [, policy] of policies) {
        expect(JSON.stringify(policy.Properties)).toContain('"aws:SecureTransport":"false"');
      }
    });
  });

  describe('functions', () => {
    it('run Node.js 22 on arm64 with the spec memory and timeout, traced, JSON-logged', () => {
      for (const spec of Object.values(functions)) {
        const fn = props<FunctionProps>(resource(json, functionIds[spec.id]));
        expect(fn).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          MemorySize: spec.memorySizeMb,
          Timeout: spec.timeoutSeconds,
          Handler: 'index.handler',
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: dev.logLevel, SystemLogLevel: 'INFO' },
        });
      }
    });

    it('never let Lambda drop EMF metric lines (no level key = INFO) by filtering above INFO', () => {
      expect(lambdaApplicationLogLevel('DEBUG')).toBe('DEBUG');
      expect(lambdaApplicationLogLevel('INFO')).toBe('INFO');
      expect(lambdaApplicationLogLevel('WARN')).toBe('INFO');
      expect(lambdaApplicationLogLevel('ERROR')).toBe('INFO');
    });

    it('log to their own log group with the stage retention', () => {
      for (const spec of Object.values(functions)) {
        const fn = props<FunctionProps>(resource(json, functionIds[spec.id]));
        const logGroup = resource(json, referencedId(fn.LoggingConfig?.LogGroup));
        expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
        expect(props<{ RetentionInDays: number }>(logGroup).RetentionInDays).toBe(dev.logRetentionDays);
      }
      // No LogRetention custom resource (and so no extra Lambda) is created.
      expect(resourcesOfType(json, 'Custom::LogRetention')).toEqual([]);
      expect(resourcesOfType(json, 'AWS::Lambda::Function')).toHaveLength(Object.keys(functions).length);
    });

    it('ship minified ESM bundles with the require banner and source maps (real esbuild)', () => {
      const outdir = synth.app.outdir;
      for (const spec of Object.values(functions)) {
        const fn = props<FunctionProps>(resource(json, functionIds[spec.id]));
        const key = flatten(fn.Code?.S3Key);
        const hash = /([a-f0-9]{64})\.zip$/.exec(key)?.[1];
        expect(hash, `asset key of ${spec.id}: ${key}`).toBeDefined();
        const bundle = path.join(outdir, `asset.${hash}`, 'index.mjs');
        expect(existsSync(bundle), bundle).toBe(true);
        expect(existsSync(`${bundle}.map`)).toBe(true);
        const code = readFileSync(bundle, 'utf8');
        expect(code.startsWith(BUNDLING.banner)).toBe(true);
        // Self-contained: the SDK v3 clients are bundled, nothing is imported from the runtime.
        expect(code).not.toMatch(/from\s*"@aws-sdk\//);
      }
    });

    it('consume their queue with partial batch failures, batch size, max concurrency and batching window', () => {
      for (const spec of Object.values(functions)) {
        const source = spec.eventSource;
        if (!source) continue;
        template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          FunctionName: { Ref: functionIds[spec.id] },
          EventSourceArn: { 'Fn::GetAtt': [queueIds[source.queue].queue, 'Arn'] },
          BatchSize: source.batchSize,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: source.maxConcurrency },
          MaximumBatchingWindowInSeconds: source.maxBatchingWindowSeconds ?? Match.absent(),
        });
      }
      template.resourceCountIs(
        'AWS::Lambda::EventSourceMapping',
        Object.values(functions).filter((fn) => fn.eventSource || fn.tableStreamSource).length,
      );
    });
  });

  describe('IAM: each role holds exactly what its bindings say', () => {
    const statementsOf = (id: FunctionId): PolicyStatementJson[] => {
      const fn = props<FunctionProps>(resource(json, functionIds[id]));
      return roleStatements(json, referencedId(fn.Role));
    };
    const actions = (id: FunctionId) => statementsOf(id).flatMap(actionsOf);

    it('uses no managed policies (no AWSLambdaBasicExecutionRole)', () => {
      for (const id of Object.keys(functions) as FunctionId[]) {
        const fn = props<FunctionProps>(resource(json, functionIds[id]));
        const role = props<{ ManagedPolicyArns?: unknown[] }>(resource(json, referencedId(fn.Role)));
        expect(role.ManagedPolicyArns, id).toBeUndefined();
      }
    });

    it('grants only Allow statements, logs only to the own log group', () => {
      for (const id of Object.keys(functions) as FunctionId[]) {
        const fn = props<FunctionProps>(resource(json, functionIds[id]));
        const logGroupId = referencedId(fn.LoggingConfig?.LogGroup);
        for (const statement of statementsOf(id)) {
          expect(statement.Effect).toBe('Allow');
          if (actionsOf(statement).some((action) => action.startsWith('logs:'))) {
            expect(resourcesOfStatement(statement).map(referencedId)).toEqual([logGroupId]);
          }
        }
      }
    });

    it('derives every service permission from the bindings', () => {
      for (const spec of Object.values(functions)) {
        const granted = actions(spec.id);
        const has = (prefix: string) => granted.some((action) => action.startsWith(prefix));
        expect(has('secretsmanager:'), `${spec.id} secrets`).toBe(spec.bindings.tenantSecrets !== 'none');
        expect(has('dynamodb:'), `${spec.id} dynamodb`).toBe(spec.bindings.table !== 'none');
        expect(granted.includes('dynamodb:PutItem'), `${spec.id} table writes`).toBe(
          spec.bindings.table === 'readWrite',
        );
        expect(granted.includes('sqs:ReceiveMessage'), `${spec.id} consumes`).toBe(
          spec.eventSource !== undefined,
        );
        // Nothing but these services.
        for (const action of granted) {
          expect(action, spec.id).toMatch(/^(logs|xray|sqs|dynamodb|secretsmanager|bedrock):/);
          expect(action, spec.id).not.toMatch(/\*/);
        }
      }
      expect(actions('conversation').some((a) => a.startsWith('secretsmanager:'))).toBe(false);
      expect(actions('ingest').some((a) => a.startsWith('dynamodb:'))).toBe(false);
    });

    it('lets the conversations API only read tenants, write conversations, keys, campaigns and hand-offs, and send to outbound, campaigns and reminders', () => {
      const statements = statementsOf('conversations-api');
      const services = new Set(statements.flatMap(actionsOf).map((action) => action.split(':')[0]));
      expect([...services].sort()).toEqual(['dynamodb', 'logs', 'sqs', 'xray']);
      const sqsTargets = statements
        .filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')))
        .flatMap(resourcesOfStatement)
        .map(referencedId);
      expect(sqsTargets.sort()).toEqual(
        [queueIds.outbound.queue, queueIds.campaigns.queue, queueIds.reminders.queue].sort(),
      );
      expect(statements.flatMap(actionsOf)).not.toContain('sqs:ReceiveMessage');
      const tableItems = statements.filter((s) => s.Sid === 'TableItems');
      expect(tableItems.flatMap(resourcesOfStatement).map(referencedId)).toEqual([tableLogicalId(json)]);
      expect(tableItems.map((s) => s.Condition)).toEqual([
        {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': ['CONV#*', 'IDEMPOTENCY#*', 'CAMPAIGN#*', 'CAMPAIGNS#*', 'HANDOFFS#*'],
          },
        },
      ]);
      expect(statements.find((s) => s.Sid === 'TableReadOnlyItems')?.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TENANT#*', 'OPTOUT#*'] },
      });
      expect(statements.flatMap(actionsOf)).not.toContain('dynamodb:Scan');
    });

    it('lets the campaign dispatcher consume ticks, start conversations and release recipients, and nothing more', () => {
      const statements = statementsOf('campaign-dispatcher');
      const services = new Set(statements.flatMap(actionsOf).map((action) => action.split(':')[0]));
      expect([...services].sort()).toEqual(['dynamodb', 'logs', 'sqs', 'xray']);
      const targetsOf = (action: string) =>
        statements
          .filter((s) => actionsOf(s).includes(action))
          .flatMap(resourcesOfStatement)
          .map(referencedId)
          .sort();
      // reminders: the first reminder of a start's prompt.
      expect(targetsOf('sqs:SendMessage')).toEqual(
        [queueIds.outbound.queue, queueIds.campaigns.queue, queueIds.reminders.queue].sort(),
      );
      expect(targetsOf('sqs:ReceiveMessage')).toEqual([queueIds.campaigns.queue]);
      const tableItems = statements.filter((s) => s.Sid === 'TableItems');
      expect(tableItems.flatMap(resourcesOfStatement).map(referencedId)).toEqual([tableLogicalId(json)]);
      // Its own campaigns' items, not the tenants' campaign lists (CAMPAIGNS#), which only the API writes.
      expect(tableItems.map((s) => s.Condition)).toEqual([
        { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CONV#*', 'IDEMPOTENCY#*', 'CAMPAIGN#*'] } },
      ]);
      expect(statements.find((s) => s.Sid === 'TableReadOnlyItems')?.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TENANT#*', 'OPTOUT#*'] },
      });
      expect(statements.flatMap(actionsOf)).not.toContain('dynamodb:Scan');
    });

    it('lets each consumer change the visibility of its own queue (retry with backoff)', () => {
      for (const spec of Object.values(functions)) {
        const targets = statementsOf(spec.id)
          .filter((s) => actionsOf(s).includes('sqs:ChangeMessageVisibility'))
          .flatMap(resourcesOfStatement)
          .map(referencedId);
        expect(targets, spec.id).toEqual(spec.eventSource ? [queueIds[spec.eventSource.queue].queue] : []);
      }
    });

    it('sends only to the queues in sendsTo', () => {
      for (const spec of Object.values(functions)) {
        const targets = statementsOf(spec.id)
          .filter((s) => actionsOf(s).includes('sqs:SendMessage'))
          .flatMap(resourcesOfStatement)
          .map(referencedId)
          .sort();
        const deadLetters =
          spec.bindings.deadLettersPermanentFailures && spec.eventSource
            ? [queueIds[spec.eventSource.queue].dlq]
            : [];
        expect(targets, spec.id).toEqual(
          [...spec.bindings.sendsTo.map((queue) => queueIds[queue].queue), ...deadLetters].sort(),
        );
      }
    });

    it('reads only its kind of tenant secret under {prefix}/tenants/*, with GetSecretValue only', () => {
      for (const spec of Object.values(functions)) {
        const secretStatements = statementsOf(spec.id).filter((s) =>
          actionsOf(s).some((a) => a.startsWith('secretsmanager:')),
        );
        if (spec.bindings.tenantSecrets === 'none') {
          expect(secretStatements).toEqual([]);
          continue;
        }
        expect(secretStatements.flatMap(actionsOf)).toEqual(['secretsmanager:GetSecretValue']);
        const kind = spec.bindings.tenantSecrets === 'webhookSigningKeys' ? 'webhook' : 'twilio';
        expect(secretStatements.flatMap(resourcesOfStatement).map(flatten)).toEqual([
          `arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${dev.tenantSecretPrefix}/tenants/*/${kind}*`,
        ]);
      }
    });

    it('lets only the conversation function invoke Bedrock, on the stage’s understanding models only', () => {
      for (const spec of Object.values(functions)) {
        const bedrock = statementsOf(spec.id).filter((s) =>
          actionsOf(s).some((a) => a.startsWith('bedrock:')),
        );
        if (!spec.bindings.understandingModels) {
          expect(bedrock, spec.id).toEqual([]);
          continue;
        }
        expect(bedrock.map((s) => s.Sid)).toEqual(['InvokeUnderstandingModels']);
        expect(bedrock.flatMap(actionsOf)).toEqual(['bedrock:InvokeModel']);
        expect(bedrock.flatMap(resourcesOfStatement).map(flatten)).toEqual(
          dev.understandingModelIds.map(
            (modelId) => `arn:<AWS::Partition>:bedrock:<AWS::Region>::foundation-model/${modelId}`,
          ),
        );
      }
      expect(functions.conversation.bindings.understandingModels).toBe(true);
    });

    it('confines table access to the item prefixes a binding names (dynamodb:LeadingKeys)', () => {
      for (const spec of Object.values(functions)) {
        const tableItems = statementsOf(spec.id).filter((s) => s.Sid === 'TableItems');
        const expected = spec.bindings.tableItemPrefixes
          ? {
              'ForAllValues:StringLike': {
                'dynamodb:LeadingKeys': spec.bindings.tableItemPrefixes.map((p) => `${p}*`),
              },
            }
          : undefined;
        for (const statement of tableItems) expect(statement.Condition, spec.id).toEqual(expected);
      }
      expect(functions.notifier.bindings.tableItemPrefixes).toEqual(['WEBHOOK#']);
    });

    it('lets no function that serves conversations write tenant configuration (TENANT# is read-only)', () => {
      const writes = [
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
      ];
      for (const id of [
        'conversation',
        'sender',
        'conversations-api',
        'status',
        'reconcile',
        'notifier',
      ] as const) {
        const writable = statementsOf(id)
          .filter((s) => actionsOf(s).some((action) => writes.includes(action)))
          .flatMap((s) => {
            const condition = s.Condition as Record<string, Record<string, string[]>> | undefined;
            return condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? ['(any item)'];
          });
        expect(writable, id).not.toContain('TENANT#*');
        expect(writable, id).not.toContain('(any item)');
      }
      const readOnly = statementsOf('conversation').find((s) => s.Sid === 'TableReadOnlyItems');
      expect(readOnly && actionsOf(readOnly).sort()).toEqual([
        'dynamodb:BatchGetItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
      ]);
      expect(readOnly?.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TENANT#*'] },
      });
    });

    it('uses "*" only for X-Ray, which has no resource-level permissions', () => {
      for (const spec of Object.values(functions)) {
        const star = statementsOf(spec.id).filter((s) => resourcesOfStatement(s).includes('*'));
        expect(star.flatMap(actionsOf).sort(), spec.id).toEqual([
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ]);
      }
    });
  });

  describe('webhook API', () => {
    it('serves the topology routes as Lambda proxy integrations of their methods without authorizers or models', () => {
      const actual = apiRoutes(json).map(
        (route) => `${route.method} ${route.path} ${route.authorizationType}`,
      );
      const expected = routes.map(
        (route) => `${route.method} ${route.path} ${route.authorization === 'iam' ? 'AWS_IAM' : 'NONE'}`,
      );
      expect(actual.sort()).toEqual(expected.sort());
      // Twilio's webhooks are open at the gateway (signature checked in ingest); the /v1 API is SigV4 only.
      expect(actual).toContain('POST /v1/tenants/{tenantId}/conversations AWS_IAM');
      for (const [, method] of resourcesOfType(json, 'AWS::ApiGateway::Method')) {
        const p = props<Record<string, unknown>>(method);
        expect(['POST', 'GET']).toContain(p.HttpMethod);
        expect(p.AuthorizerId).toBeUndefined();
        expect(p.RequestModels).toBeUndefined();
        expect(p.RequestValidatorId).toBeUndefined();
      }
      template.resourceCountIs('AWS::ApiGateway::RequestValidator', 0);
      template.resourceCountIs('AWS::ApiGateway::Model', 0);
    });

    it('has the WAF in dev too (its rules: test/infra/firewall.test.ts)', () => {
      expect(dev.waf.enabled).toBe(true);
      expect(resourcesOfType(json, 'AWS::WAFv2::WebACL')).toHaveLength(1);
    });

    it('passes bodies through as text: no binary media types, regional endpoint', () => {
      const [[, api] = []] = resourcesOfType(json, 'AWS::ApiGateway::RestApi');
      const p = props<Record<string, unknown>>(api ?? { Type: '' });
      expect(p.BinaryMediaTypes).toBeUndefined();
      expect(p.EndpointConfiguration).toEqual({ Types: ['REGIONAL'] });
    });

    it('deploys the stage named after config.stage with JSON access logs, throttling and no data traces', () => {
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: dev.stage,
        AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId"') },
        // Plus one entry per route (test/infra/firewall.test.ts), each with the same logging.
        MethodSettings: Match.arrayWith([
          Match.objectLike({
            HttpMethod: '*',
            ResourcePath: '/*',
            LoggingLevel: 'ERROR',
            DataTraceEnabled: false,
            ThrottlingRateLimit: dev.api.rateLimit,
            ThrottlingBurstLimit: dev.api.burstLimit,
          }),
        ]),
      });
      const [[, stage] = []] = resourcesOfType(json, 'AWS::ApiGateway::Stage');
      const format = props<{ AccessLogSetting: { Format: string } }>(stage ?? { Type: '' }).AccessLogSetting
        .Format;
      expect(() => JSON.parse(format)).not.toThrow();
    });

    it('gives the functions the execute-api URL built from the RestApi id, not from the Stage (no cycle)', () => {
      const apiUrl = flatten(json.Outputs?.[OUTPUT_KEYS.apiUrl]?.Value);
      const [[restApiId] = []] = resourcesOfType(json, 'AWS::ApiGateway::RestApi');
      expect(apiUrl).toBe(`https://<${restApiId}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/${dev.stage}`);
      for (const spec of Object.values(functions)) {
        const env = props<FunctionProps>(resource(json, functionIds[spec.id])).Environment?.Variables ?? {};
        if (spec.bindings.publicBaseUrl) expect(flatten(env.PUBLIC_BASE_URL)).toBe(apiUrl);
        else expect(env.PUBLIC_BASE_URL).toBeUndefined();
      }
    });

    it('lets only the deployed stage invoke the route functions, one permission per route', () => {
      const permissions = resourcesOfType(json, 'AWS::Lambda::Permission').filter(
        ([, permission]) =>
          props<{ Principal: unknown }>(permission).Principal === 'apigateway.amazonaws.com',
      );
      expect(permissions).toHaveLength(routes.length);
      const invoked = permissions.map(([, permission]) => {
        const p = props<{ FunctionName: unknown; SourceArn: unknown }>(permission);
        expect(flatten(p.SourceArn)).not.toContain('test-invoke-stage');
        return referencedId(p.FunctionName);
      });
      expect(invoked.sort()).toEqual(routes.map((route) => functionIds[route.function]).sort());
    });
  });

  describe('table', () => {
    it('is pk/sk, on demand, with PITR, TTL and encryption', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: table.partitionKey, KeyType: 'HASH' },
          { AttributeName: table.sortKey, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    });

    it('is disposable in dev (protectData false)', () => {
      const t = resource(json, tableLogicalId(json));
      expect(t.DeletionPolicy).toBe('Delete');
      expect(props<Record<string, unknown>>(t).DeletionProtectionEnabled).toBe(false);
    });
  });

  describe('dashboard', () => {
    let body: string;
    beforeAll(() => {
      const [[, dashboard] = []] = resourcesOfType(json, 'AWS::CloudWatch::Dashboard');
      body = flatten(props<{ DashboardBody: unknown }>(dashboard ?? { Type: '' }).DashboardBody);
    });

    it('is named after the stack', () => {
      template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: stackName('dev') });
    });

    it('searches per-tenant metrics with exactly the {namespace,TenantId,service} dimension set', () => {
      const search = `SEARCH('{${dev.metricsNamespace},TenantId,service} service=\\"${METRIC_SERVICE}\\" MetricName=\\"${METRICS.messagesDelivered}\\"', 'Sum', 300)`;
      expect(body).toContain(search);
      for (const name of [
        METRICS.messagesSent,
        METRICS.messagesUndelivered,
        METRICS.messagesFailed,
        METRICS.twilioApiFailures,
        METRICS.signatureRejected,
      ]) {
        expect(body).toContain(JSON.stringify(tenantSearch(dev.metricsNamespace, name, 'Sum')).slice(1, -1));
      }
      for (const stat of ['p50', 'p90', 'p99']) {
        expect(body).toContain(
          JSON.stringify(tenantSearch(dev.metricsNamespace, METRICS.deliveryLatency, stat)).slice(1, -1),
        );
      }
      expect(tenantSearch(dev.metricsNamespace, METRICS.messagesDelivered, 'Sum')).toBe(
        `SEARCH('{SmsConversations/dev,TenantId,service} service="sms-conversations" MetricName="MessagesDelivered"', 'Sum', 300)`,
      );
    });

    it('computes the delivery rate delivered / (delivered + undelivered + failed) with metric math over SEARCH', () => {
      const outcomes = tenantSearch(
        dev.metricsNamespace,
        [METRICS.messagesDelivered, METRICS.messagesUndelivered, METRICS.messagesFailed],
        'Sum',
      );
      expect(outcomes).toContain(
        '(MetricName="MessagesDelivered" OR MetricName="MessagesUndelivered" OR MetricName="MessagesFailed")',
      );
      expect(body).toContain(JSON.stringify(`SUM(${outcomes})`).slice(1, -1));
      expect(body).toContain(
        JSON.stringify(`SUM(${tenantSearch(dev.metricsNamespace, METRICS.messagesDelivered, 'Sum')})`).slice(
          1,
          -1,
        ),
      );
      expect(body).toContain('FILL(delivered, 0) / outcomes');
      // The per-tenant rate: a Tenant selector populated by SEARCH sets TenantId (the Sender number
      // selector beside it: test/infra/dashboard-sender-numbers.test.ts).
      const variables = (JSON.parse(body) as { variables?: Record<string, unknown>[] }).variables;
      expect(variables?.[0]).toEqual(
        expect.objectContaining({
          type: 'property',
          property: DIMENSIONS.tenant,
          defaultValue: '__FIRST',
          search: `{${dev.metricsNamespace},TenantId,service} service="${METRIC_SERVICE}" MetricName="${METRICS.messagesSent}"`,
          populateFrom: DIMENSIONS.tenant,
        }),
      );
    });

    it('shows DLQ depth and age for every DLQ and errors/throttles/duration for every function', () => {
      for (const ids of Object.values(queueIds)) {
        expect(body).toContain(`"ApproximateNumberOfMessagesVisible","QueueName","<${ids.dlq}.QueueName>"`);
        expect(body).toContain(`"ApproximateAgeOfOldestMessage","QueueName","<${ids.dlq}.QueueName>"`);
      }
      for (const id of Object.values(functionIds)) {
        for (const metric of ['Errors', 'Throttles', 'Duration']) {
          expect(body).toContain(`"AWS/Lambda","${metric}","FunctionName","<${id}>"`);
        }
      }
    });
  });

  describe('alarms', () => {
    type AlarmProps = {
      AlarmName: string;
      Threshold: number;
      ComparisonOperator: string;
      TreatMissingData?: string;
      AlarmActions?: unknown[];
      OKActions?: unknown[];
      MetricName?: string;
      Dimensions?: { Name: string; Value: unknown }[];
      Metrics?: { Id: string; Expression?: string; ReturnData?: boolean }[];
    };
    const alarms = () =>
      Object.fromEntries(
        resourcesOfType(json, 'AWS::CloudWatch::Alarm').map(([, alarm]) => {
          const p = props<AlarmProps>(alarm);
          return [p.AlarmName, p];
        }),
      );
    const alarm = (suffix: string): AlarmProps => {
      const found = alarms()[`${stackName('dev')}-${suffix}`];
      if (!found) throw new Error(`No alarm ${suffix}; have ${Object.keys(alarms()).join(', ')}`);
      return found;
    };

    it('all notify the encrypted alarm topic on ALARM and OK, and ignore missing data', () => {
      const topic = outputRef(json, OUTPUT_KEYS.alarmTopicArn);
      for (const p of Object.values(alarms())) {
        expect(p.AlarmActions?.map(referencedId), p.AlarmName).toEqual([topic]);
        expect(p.OKActions?.map(referencedId), p.AlarmName).toEqual([topic]);
        expect(p.TreatMissingData, p.AlarmName).toBe('notBreaching');
      }
      const t = props<{ KmsMasterKeyId: unknown }>(resource(json, topic));
      expect(resource(json, referencedId(t.KmsMasterKeyId)).Type).toBe('AWS::KMS::Key');
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    it('watch depth and age of every DLQ with the configured thresholds', () => {
      for (const spec of Object.values(queues)) {
        const name = spec.id.charAt(0).toUpperCase() + spec.id.slice(1);
        const depth = alarm(`${name}DlqDepth`);
        expect(depth).toMatchObject({
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Threshold: dev.alarms.dlqMessagesAtLeast,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
        expect(depth.Dimensions?.map((d) => flatten(d.Value))).toEqual([
          `<${queueIds[spec.id].dlq}.QueueName>`,
        ]);
        expect(alarm(`${name}DlqAge`)).toMatchObject({
          MetricName: 'ApproximateAgeOfOldestMessage',
          Threshold: dev.alarms.dlqOldestMessageSeconds,
        });
      }
    });

    it('alarm on the all-tenant delivery rate with metric math (no SEARCH: alarms cannot use it)', () => {
      const rate = alarm('DeliveryRate');
      expect(rate).toMatchObject({
        Threshold: dev.alarms.deliveryRateBelow,
        ComparisonOperator: 'LessThanThreshold',
      });
      const expressions = (rate.Metrics ?? []).map((m) => m.Expression).filter(Boolean);
      expect(expressions).toContain('IF(outcomes > 0, FILL(delivered, 0) / outcomes)');
      expect(expressions).toContain('FILL(delivered, 0) + FILL(undelivered, 0) + FILL(failed, 0)');
      expect(JSON.stringify(rate.Metrics)).not.toContain('SEARCH');
      expect(JSON.stringify(rate.Metrics)).toContain(`${METRICS.messagesDelivered}AllTenants`);
    });

    it('count all-tenant totals for alarms with metric filters over the EMF records', () => {
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: `{ ($.service = "${METRIC_SERVICE}") && ($.${METRICS.messagesDelivered} >= 0) }`,
        MetricTransformations: [
          {
            MetricNamespace: dev.metricsNamespace,
            MetricName: `${METRICS.messagesDelivered}AllTenants`,
            MetricValue: `$.${METRICS.messagesDelivered}`,
          },
        ],
      });
    });

    it('alarm on signature rejections and Twilio API failures with the configured thresholds', () => {
      expect(alarm('SignatureRejections')).toMatchObject({
        MetricName: `${METRICS.signatureRejected}AllTenants`,
        Threshold: dev.alarms.signatureRejectionsPer5Min,
      });
      expect(alarm('TwilioApiFailures')).toMatchObject({
        MetricName: `${METRICS.twilioApiFailures}AllTenants`,
        Threshold: dev.alarms.twilioApiFailuresPer5Min,
      });
    });

    it('alarm on errors and throttles of every function', () => {
      for (const spec of Object.values(functions)) {
        const name = pascal(spec.id);
        expect(alarm(`${name}Errors`)).toMatchObject({
          MetricName: 'Errors',
          Threshold: dev.alarms.lambdaErrorsAtLeast,
        });
        expect(alarm(`${name}Throttles`)).toMatchObject({
          MetricName: 'Throttles',
          Threshold: dev.alarms.lambdaThrottlesAtLeast,
        });
      }
    });
  });

  it('outputs everything the CLI reads, under the stable keys', () => {
    expect(Object.keys(json.Outputs ?? {}).sort()).toEqual(Object.values(OUTPUT_KEYS).sort());
    expect(json.Outputs?.[OUTPUT_KEYS.tenantSecretPrefix]?.Value).toBe(dev.tenantSecretPrefix);
    const [[dashboardId] = []] = resourcesOfType(json, 'AWS::CloudWatch::Dashboard');
    expect(outputRef(json, OUTPUT_KEYS.dashboardName)).toBe(dashboardId);
    for (const spec of Object.values(queues)) {
      expect(outputRef(json, QUEUE_URL_OUTPUT_KEYS[spec.id])).toBe(queueIds[spec.id].queue);
      expect(outputRef(json, DLQ_URL_OUTPUT_KEYS[spec.id])).toBe(queueIds[spec.id].dlq);
    }
  });
});

describe('SmsConversations stack (prod)', () => {
  let synth: Synthesized;
  let json: CfnTemplate;
  const prod = stageConfig('prod');

  beforeAll(() => {
    synth = synthesize({ stage: 'prod' });
    json = synth.json;
  });
  afterAll(() => dispose(synth));

  it('retains and deletion-protects the table', () => {
    const t = resource(json, tableLogicalId(json));
    expect(t.DeletionPolicy).toBe('Retain');
    expect(t.UpdateReplacePolicy).toBe('Retain');
    expect(props<Record<string, unknown>>(t).DeletionProtectionEnabled).toBe(true);
  });

  it('retains queues and log groups', () => {
    for (const [logicalId, res] of [
      ...resourcesOfType(json, 'AWS::SQS::Queue'),
      ...resourcesOfType(json, 'AWS::Logs::LogGroup'),
    ]) {
      expect(res.DeletionPolicy, logicalId).toBe('Retain');
    }
  });

  it('uses the prod stage name, log level, retention and secret prefix', () => {
    const [[, stage] = []] = resourcesOfType(json, 'AWS::ApiGateway::Stage');
    expect(props<{ StageName: string }>(stage ?? { Type: '' }).StageName).toBe('prod');
    for (const [, fn] of resourcesOfType(json, 'AWS::Lambda::Function')) {
      expect(props<FunctionProps>(fn).LoggingConfig?.ApplicationLogLevel).toBe(prod.logLevel);
    }
    for (const [, logGroup] of resourcesOfType(json, 'AWS::Logs::LogGroup')) {
      expect(props<{ RetentionInDays: number }>(logGroup).RetentionInDays).toBe(prod.logRetentionDays);
    }
    expect(JSON.stringify(json)).toContain(`secret:${prod.tenantSecretPrefix}/tenants/*`);
    expect(JSON.stringify(json)).not.toContain('sms-conversations/dev');
  });

  it('puts a WAF web ACL on the API stage that never blocks on the message body', () => {
    expect(prod.waf.enabled).toBe(true);
    const acls = resourcesOfType(json, 'AWS::WAFv2::WebACL');
    expect(acls).toHaveLength(1);
    const [[aclId, acl] = []] = acls;
    interface AclRule {
      Name: string;
      Action?: unknown;
      Statement: {
        RateBasedStatement?: { Limit: number; AggregateKeyType: string };
        ManagedRuleGroupStatement?: {
          Name: string;
          RuleActionOverrides?: { Name: string; ActionToUse: unknown }[];
        };
      };
      VisibilityConfig: { SampledRequestsEnabled: boolean };
    }
    const aclProps = props<{ Scope: string; DefaultAction: unknown; Rules: AclRule[] }>(acl ?? { Type: '' });
    expect(aclProps.Scope).toBe('REGIONAL');
    expect(aclProps.DefaultAction).toEqual({ Allow: {} });
    const rate = aclProps.Rules.find((rule) => rule.Statement.RateBasedStatement);
    expect(rate?.Statement.RateBasedStatement).toEqual({
      Limit: prod.waf.requestsPer5MinPerIp,
      AggregateKeyType: 'IP',
    });
    expect(rate?.Action).toEqual({ Block: {} });
    const badInputs = aclProps.Rules.find(
      (rule) => rule.Statement.ManagedRuleGroupStatement?.Name === 'AWSManagedRulesKnownBadInputsRuleSet',
    );
    expect(badInputs?.Statement.ManagedRuleGroupStatement?.RuleActionOverrides).toEqual(
      KNOWN_BAD_INPUTS_BODY_RULES.map((name) => ({ Name: name, ActionToUse: { Count: {} } })),
    );
    // Sampled requests would keep bodies (phone numbers, message text) in the console.
    expect(aclProps.Rules.every((rule) => rule.VisibilityConfig.SampledRequestsEnabled === false)).toBe(true);

    const [[, association] = []] = resourcesOfType(json, 'AWS::WAFv2::WebACLAssociation');
    const associationProps = props<{ ResourceArn: unknown; WebACLArn: unknown }>(association ?? { Type: '' });
    expect(associationProps.WebACLArn).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
    expect(JSON.stringify(associationProps.ResourceArn)).toContain('/stages/');
  });
});

describe('app (bin/app.ts)', () => {
  /** The stack `buildApp` builds for this context and process environment (no bundling). */
  const buildFor = (context: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => {
    const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
    try {
      const stack = buildApp(app, env);
      return { stackName: stack.stackName, region: stack.region, account: stack.account };
    } finally {
      rmSync(app.outdir, { recursive: true, force: true });
    }
  };

  it('requires the region explicitly, and never takes it from CDK_DEFAULT_REGION alone', () => {
    expect(() => buildFor({ stage: 'dev' })).toThrow(RegionError);
    expect(() => buildFor({ stage: 'dev' })).toThrow(/No region given.*-c region=/);
    // The CLI sets CDK_DEFAULT_REGION to us-east-1 when nothing is configured: not a choice.
    expect(() => buildFor({ stage: 'dev' }, { CDK_DEFAULT_REGION: 'us-east-1' })).toThrow(RegionError);
    expect(() => buildFor({ stage: 'dev', region: 'REGION' })).toThrow(
      /region=REGION: not an AWS region name/,
    );
    expect(() => buildFor({ stage: 'dev', region: ' ' })).toThrow(/No region given/);
  });

  it('takes the region from -c region=, else AWS_REGION, else AWS_DEFAULT_REGION', () => {
    expect(buildFor({ region: 'eu-west-1' }).region).toBe('eu-west-1');
    expect(buildFor({ region: 'eu-west-1' }, { AWS_REGION: 'us-west-2' }).region).toBe('eu-west-1');
    expect(buildFor({}, { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'ap-south-1' }).region).toBe(
      'us-west-2',
    );
    expect(buildFor({}, { AWS_DEFAULT_REGION: 'ap-south-1' }).region).toBe('ap-south-1');
    expect(regionFrom(undefined, { AWS_REGION: 'us-gov-west-1' })).toBe('us-gov-west-1');
    expect(regionFrom('cn-north-1', {})).toBe('cn-north-1');
    expect(REGION_ENV_VARS).not.toContain('CDK_DEFAULT_REGION');
  });

  it('takes the account from CDK_DEFAULT_ACCOUNT only when present', () => {
    expect(environmentFromProcess('eu-west-1', {})).toEqual({ account: undefined, region: 'eu-west-1' });
    expect(
      environmentFromProcess('eu-west-1', {
        CDK_DEFAULT_ACCOUNT: '123456789012',
        CDK_DEFAULT_REGION: 'us-east-1',
      }),
    ).toEqual({ account: '123456789012', region: 'eu-west-1' });
    expect(buildFor({ region: 'eu-west-1' }, { CDK_DEFAULT_ACCOUNT: '123456789012' }).account).toBe(
      '123456789012',
    );
  });

  it('selects the stage from context, defaulting to dev, and rejects unknown stages', () => {
    const region = { region: 'eu-west-1' };
    expect(buildFor(region).stackName).toBe('SmsConversations-dev');
    expect(buildFor({ ...region, stage: 'prod' }).stackName).toBe('SmsConversations-prod');
    expect(() => buildFor({ ...region, stage: 'qa' })).toThrow(/Unknown stage/);
  });
});
