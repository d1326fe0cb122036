/**
 * cdk-nag AwsSolutions pack over the app exactly as bin/app.ts builds it: no unsuppressed finding,
 * and every suppression is specific (a real reason; IAM findings only for named resources/policies).
 */
import { rmSync } from 'node:fs';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CfnTemplate, dispose, type Synthesized, synthesize } from './helpers';

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
