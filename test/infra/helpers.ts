/** Synthesis and template-reading helpers shared by the infra tests. */
import { readFileSync, rmSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';
import { stageConfig } from '../../lib/config';
import { SmsConversationsStack } from '../../lib/sms-conversations-stack';
import { DLQ_URL_OUTPUT_KEYS, OUTPUT_KEYS, QUEUE_URL_OUTPUT_KEYS, stackName } from '../../lib/stack-contract';
import { ENV, type FunctionId, type QueueId, queues } from '../../lib/topology';

export interface SynthOptions {
  readonly stage?: string;
  /** Real esbuild bundles (slower); otherwise CDK skips bundling, which changes nothing in the template but code hashes. */
  readonly bundle?: boolean;
  /**
   * Build through `buildApp` (bin/app.ts) for {@link TEST_REGION} (or `context.region`), as
   * `cdk synth -c region=` does; it also applies the cdk-nag AwsSolutions checks. Otherwise the
   * stack alone, environment-agnostic.
   */
  readonly nag?: boolean;
  /** More context (e.g. `region`), over cdk.json's and the stage. */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Leave out cdk.json's context (its feature flags): the app as a bare `new App()` sees it. */
  readonly withoutCdkJsonContext?: boolean;
}

/** The region the infra tests synthesize `buildApp` for: synth requires one, and none is assumed. */
export const TEST_REGION = 'eu-west-1';

/**
 * cdk.json's `context` (the feature flags and the default stage), which the CDK CLI hands the app:
 * the tests synthesize what `cdk synth` does.
 */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context?: Record<string, unknown> };
  return { ...cdkJson.context };
}

export interface Synthesized {
  readonly app: App;
  readonly stack: SmsConversationsStack;
  readonly template: Template;
  readonly json: CfnTemplate;
}

export function synthesize(options: SynthOptions = {}): Synthesized {
  const stage = options.stage ?? 'dev';
  const context: Record<string, unknown> = {
    ...(options.withoutCdkJsonContext ? {} : cdkJsonContext()),
    stage,
    ...(options.nag ? { region: TEST_REGION } : {}),
    ...options.context,
  };
  // The CLI's `--exclusively`-style switch: an empty list bundles no stack's assets.
  if (!options.bundle) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({ context });
  // An empty process environment: the region comes from the context, never from the test's shell.
  const stack = options.nag
    ? buildApp(app, {})
    : new SmsConversationsStack(app, stackName(stage), { config: stageConfig(stage) });
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() as CfnTemplate };
}

/** Removes the temporary cloud assembly (templates, bundles) of a synthesis. */
export function dispose(synth: Synthesized | undefined): void {
  if (synth) rmSync(synth.app.outdir, { recursive: true, force: true });
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly DependsOn?: string | string[];
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Description?: string }>;
  readonly Metadata?: Record<string, unknown>;
}

export function resourcesOfType(json: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);
}

export function resource(json: CfnTemplate, logicalId: string): CfnResource {
  const found = json.Resources[logicalId];
  if (!found) throw new Error(`No resource ${logicalId} in the template`);
  return found;
}

export function props<T>(res: CfnResource): T {
  return (res.Properties ?? {}) as T;
}

/** The logical id a `{Ref}` or `{Fn::GetAtt}` points at. */
export function referencedId(value: unknown): string {
  if (value && typeof value === 'object') {
    const ref = (value as { Ref?: unknown }).Ref;
    if (typeof ref === 'string') return ref;
    const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  }
  throw new Error(`Not a Ref/GetAtt: ${JSON.stringify(value)}`);
}

/** An output's value must be a plain `{Ref}` (queue URL, table name): the logical id behind it. */
export function outputRef(json: CfnTemplate, key: string): string {
  const output = json.Outputs?.[key];
  if (!output) throw new Error(`No output ${key}`);
  return referencedId(output.Value);
}

/** Queue logical ids by topology id, found through the stable outputs (not through construct paths). */
export function queueLogicalIds(json: CfnTemplate): Record<QueueId, { queue: string; dlq: string }> {
  const ids = (id: QueueId) => ({
    queue: outputRef(json, QUEUE_URL_OUTPUT_KEYS[id]),
    dlq: outputRef(json, DLQ_URL_OUTPUT_KEYS[id]),
  });
  return Object.fromEntries((Object.keys(queues) as QueueId[]).map((id) => [id, ids(id)])) as Record<
    QueueId,
    { queue: string; dlq: string }
  >;
}

export function tableLogicalId(json: CfnTemplate): string {
  return outputRef(json, OUTPUT_KEYS.tableName);
}

export interface FunctionProps {
  readonly Runtime?: string;
  readonly Architectures?: string[];
  readonly MemorySize?: number;
  readonly Timeout?: number;
  readonly Handler?: string;
  readonly Role?: unknown;
  readonly TracingConfig?: { Mode?: string };
  readonly LoggingConfig?: {
    LogFormat?: string;
    ApplicationLogLevel?: string;
    SystemLogLevel?: string;
    LogGroup?: unknown;
  };
  readonly Environment?: { Variables?: Record<string, unknown> };
  readonly Code?: { S3Key?: unknown };
}

/** Function logical ids by topology id, recognised by POWERTOOLS_SERVICE_NAME (= the function's id). */
export function functionLogicalIds(json: CfnTemplate): Record<FunctionId, string> {
  const found: Partial<Record<FunctionId, string>> = {};
  for (const [logicalId, res] of resourcesOfType(json, 'AWS::Lambda::Function')) {
    const service = props<FunctionProps>(res).Environment?.Variables?.[ENV.serviceName];
    if (typeof service !== 'string') throw new Error(`Function ${logicalId} has no ${ENV.serviceName}`);
    if (found[service as FunctionId]) throw new Error(`Two functions claim ${service}`);
    found[service as FunctionId] = logicalId;
  }
  return found as Record<FunctionId, string>;
}

/** Renders a CloudFormation string expression (Fn::Join of strings and refs) as one string, refs as `<Id>`. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const join = (value as { 'Fn::Join'?: unknown })['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return (join[1] as unknown[]).map(flatten).join(join[0]);
    }
    const ref = (value as { Ref?: unknown }).Ref;
    if (typeof ref === 'string') return `<${ref}>`;
    const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
  }
  return JSON.stringify(value);
}

export interface PolicyStatementJson {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Sid?: string;
  readonly Condition?: unknown;
}

/** Every statement of the inline policies attached to a role (by the role's logical id). */
export function roleStatements(json: CfnTemplate, roleLogicalId: string): PolicyStatementJson[] {
  const statements: PolicyStatementJson[] = [];
  for (const [, policy] of resourcesOfType(json, 'AWS::IAM::Policy')) {
    const p = props<{ Roles?: unknown[]; PolicyDocument: { Statement: PolicyStatementJson[] } }>(policy);
    if ((p.Roles ?? []).some((role) => referencedId(role) === roleLogicalId)) {
      statements.push(...p.PolicyDocument.Statement);
    }
  }
  const role = props<{ Policies?: { PolicyDocument: { Statement: PolicyStatementJson[] } }[] }>(
    resource(json, roleLogicalId),
  );
  for (const inline of role.Policies ?? []) statements.push(...inline.PolicyDocument.Statement);
  return statements;
}

export function actionsOf(statement: PolicyStatementJson): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOfStatement(statement: PolicyStatementJson): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

export interface ApiRoute {
  readonly method: string;
  readonly path: string;
  /** Logical id of the Lambda function the method integrates. */
  readonly functionLogicalId: string;
  /** `NONE` or `AWS_IAM` (SigV4). */
  readonly authorizationType: string;
}

/** The API's routes, rebuilt from AWS::ApiGateway::Resource parents and AWS::ApiGateway::Method integrations. */
export function apiRoutes(json: CfnTemplate): ApiRoute[] {
  const resources = new Map(resourcesOfType(json, 'AWS::ApiGateway::Resource'));
  const pathOf = (resourceRef: unknown): string => {
    const getAtt = (resourceRef as { 'Fn::GetAtt'?: unknown[] })['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[1] === 'RootResourceId') return '';
    const id = referencedId(resourceRef);
    const res = resources.get(id);
    if (!res) throw new Error(`Unknown API resource ${id}`);
    const p = props<{ ParentId: unknown; PathPart: string }>(res);
    return `${pathOf(p.ParentId)}/${p.PathPart}`;
  };
  return resourcesOfType(json, 'AWS::ApiGateway::Method').map(([logicalId, method]) => {
    const p = props<{
      HttpMethod: string;
      ResourceId: unknown;
      AuthorizationType?: string;
      Integration?: { Type?: string; Uri?: unknown };
    }>(method);
    if (p.Integration?.Type !== 'AWS_PROXY')
      throw new Error(`Method ${logicalId} is not a Lambda proxy integration`);
    const uri = flatten(p.Integration.Uri);
    const match = /<([A-Za-z0-9]+)\.Arn>/.exec(uri);
    if (!match?.[1]) throw new Error(`Method ${logicalId} integrates no function: ${uri}`);
    return {
      method: p.HttpMethod,
      path: pathOf(p.ResourceId) || '/',
      functionLogicalId: match[1],
      authorizationType: p.AuthorizationType ?? 'NONE',
    };
  });
}
