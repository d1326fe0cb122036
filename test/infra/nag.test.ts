/**
 * cdk-nag AwsSolutions pack over the app exactly as bin/app.ts builds it: no unsuppressed finding,
 * and every suppression is specific (a real reason; IAM findings only for named resources/policies).
 */
import { rmSync } from 'node:fs';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app';
import {
  actionsOf,
  type CfnTemplate,
  cdkJsonContext,
  dispose,
  type PolicyStatementJson,
  props,
  resource,
  resourcesOfStatement,
  resourcesOfType,
  type Synthesized,
  synthesize,
  TEST_REGION,
} from './helpers';

interface Suppression {
  readonly id: string;
  readonly reason: string;
  readonly applies_to?: unknown[];
}

function suppressions(json: CfnTemplate): { logicalId: string; suppression: Suppression }[] {
  const found: { logicalId: string; suppression: Suppression }[] = [];
  const stackLevel = (json.Metadata?.cdk_nag as { rules_to_suppress?: Suppression[] } | undefined)
    ?.rules_to_suppress;
  for (const suppression of stackLevel ?? []) found.push({ logicalId: '(stack)', suppression });
  for (const [logicalId, res] of Object.entries(json.Resources)) {
    const rules = (res.Metadata?.cdk_nag as { rules_to_suppress?: Suppression[] } | undefined)
      ?.rules_to_suppress;
    for (const suppression of rules ?? []) found.push({ logicalId, suppression });
  }
  return found;
}

function findings(synth: Synthesized) {
  const annotations = Annotations.fromStack(synth.stack);
  const pattern = Match.stringLikeRegexp('AwsSolutions-.*');
  const render = (list: ReturnType<typeof annotations.findError>) =>
    list.map((entry) => `${entry.id}: ${String(entry.entry.data).split('\n')[0]}`);
  return {
    errors: render(annotations.findError('*', pattern)),
    warnings: render(annotations.findWarning('*', pattern)),
  };
}

describe.each(['dev', 'prod'])('cdk-nag AwsSolutions (%s)', (stage) => {
  let synth: Synthesized;

  beforeAll(() => {
    synth = synthesize({ stage, nag: true });
  });
  afterAll(() => dispose(synth));

  it('reports no unsuppressed errors', () => {
    expect(findings(synth).errors).toEqual([]);
  });

  it('reports no unsuppressed warnings', () => {
    expect(findings(synth).warnings).toEqual([]);
  });

  it('gives every suppression a specific reason (>= 20 characters)', () => {
    const all = suppressions(synth.json);
    expect(all.length).toBeGreaterThan(0);
    const short = all.filter(({ suppression }) => suppression.reason.trim().length < 20);
    expect(short).toEqual([]);
  });

  it('has no stack-wide suppressions: each sits on the resource it concerns', () => {
    expect(suppressions(synth.json).filter(({ logicalId }) => logicalId === '(stack)')).toEqual([]);
  });

  it('suppresses IAM findings only for named policies/resources, never blanket', () => {
    const iam = suppressions(synth.json).filter(({ suppression }) =>
      /^AwsSolutions-IAM[45]$/.test(suppression.id),
    );
    expect(iam.length).toBeGreaterThan(0);
    for (const { logicalId, suppression } of iam) {
      expect(suppression.applies_to, `${suppression.id} on ${logicalId} needs appliesTo`).toBeDefined();
      for (const target of suppression.applies_to ?? []) {
        expect(typeof target, `${suppression.id} on ${logicalId}: no regex appliesTo`).toBe('string');
      }
    }
    const wildcards = new Set(
      iam
        .filter(({ suppression }) => suppression.id === 'AwsSolutions-IAM5')
        .flatMap(({ suppression }) => suppression.applies_to ?? []),
    );
    // X-Ray (no resource-level permissions) and the tenant secrets of this stage by kind, nothing else.
    expect([...wildcards].sort()).toEqual(
      [
        'Resource::*',
        `Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:sms-conversations/${stage}/tenants/*/twilio*`,
        `Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:sms-conversations/${stage}/tenants/*/webhook*`,
      ].sort(),
    );
  });
});

describe.each(['dev', 'prod'])('IAM5 (wildcard) suppressions of the functions (%s)', (stage) => {
  let synth: Synthesized;

  beforeAll(() => {
    synth = synthesize({ stage, nag: true });
  });
  afterAll(() => dispose(synth));

  const iam5 = () =>
    suppressions(synth.json).filter(({ suppression }) => suppression.id === 'AwsSolutions-IAM5');

  it('sit on the roles’ default policies only, never on a whole role', () => {
    const holders = new Set(iam5().map(({ logicalId }) => logicalId));
    expect(holders.size).toBeGreaterThan(0);
    for (const logicalId of holders) {
      expect(resource(synth.json, logicalId).Type, logicalId).toBe('AWS::IAM::Policy');
    }
    for (const [logicalId, role] of resourcesOfType(synth.json, 'AWS::IAM::Role')) {
      const rules = (role.Metadata?.cdk_nag as { rules_to_suppress?: Suppression[] } | undefined)
        ?.rules_to_suppress;
      expect(rules?.filter((rule) => rule.id === 'AwsSolutions-IAM5') ?? [], logicalId).toEqual([]);
    }
  });

  it('cover exactly the wildcards in each policy: X-Ray’s `*` and the tenant secret patterns', () => {
    for (const { logicalId, suppression } of iam5()) {
      const statements = props<{ PolicyDocument: { Statement: PolicyStatementJson[] } }>(
        resource(synth.json, logicalId),
      ).PolicyDocument.Statement;
      const resources = statements.flatMap((statement) =>
        resourcesOfStatement(statement).map((value) => `Resource::${nagRendering(value)}`),
      );
      for (const target of suppression.applies_to ?? [])
        expect(resources, `${logicalId}: ${String(target)}`).toContain(target);
    }
  });

  it('leave only X-Ray on "*": every statement on "*" is xray:PutTraceSegments/PutTelemetryRecords', () => {
    for (const [logicalId, policy] of resourcesOfType(synth.json, 'AWS::IAM::Policy')) {
      const statements = props<{ PolicyDocument: { Statement: PolicyStatementJson[] } }>(policy)
        .PolicyDocument.Statement;
      for (const statement of statements.filter((s) => resourcesOfStatement(s).includes('*'))) {
        expect([...actionsOf(statement)].sort(), logicalId).toEqual([
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ]);
      }
    }
  });

  it('do not cover a wildcard policy added to a function’s role later', () => {
    const app = new App({
      context: { ...cdkJsonContext(), stage, region: TEST_REGION, 'aws:cdk:bundling-stacks': [] },
    });
    const stack = buildApp(app, {});
    const role = stack.stateless.functions.ingest.role;
    new iam.Policy(role, 'Extra', {
      roles: [role],
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })],
    });
    // cdk.json's @aws-cdk/core:annotationsInValidationReport turns error annotations into a failed synth.
    let report = '';
    try {
      Annotations.fromStack(stack);
    } catch (error) {
      report = String(error);
    } finally {
      rmSync(app.outdir, { recursive: true, force: true });
    }
    const flagged = [...report.matchAll(/^\s+(SmsConversations-\S+)/gm)].map((match) => match[1]);
    expect(report).toContain('AwsSolutions-IAM5[Resource::*]');
    expect(flagged).toEqual([`${stack.stackName}/App/Ingest/Role/Extra/Resource`]);
  });
});

/** How cdk-nag renders a policy resource in IAM5 findings: pseudo parameters as `<AWS::…>`, refs as `<Id.Attr>`. */
function nagRendering(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(nagRendering).join(join[0]);
  const ref = (value as { Ref?: string }).Ref;
  if (ref) return `<${ref}>`;
  const getAtt = (value as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
  if (getAtt) return `<${getAtt.join('.')}>`;
  return JSON.stringify(value);
}

describe('cdk-nag control', () => {
  it('does flag a non-compliant resource (the checks really run)', () => {
    const app = new App();
    const stack = new Stack(app, 'NagControl');
    new sqs.Queue(stack, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-SQS.*'));
    rmSync(app.outdir, { recursive: true, force: true });
    expect(errors.map((entry) => String(entry.entry.data).split(':')[0]).sort()).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
  });
});
