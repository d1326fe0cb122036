/**
 * cdk.json adopts every feature flag `cdk init` recommends for the installed aws-cdk-lib, and
 * adopting them changes nothing stateful: the table, queues, alarm topic and its key, and the log
 * groups keep their logical ids and properties, and every role keeps exactly its permissions.
 *
 * What the flags do change (dev and prod alike, synthesized for a region):
 * - `@aws-cdk/core:enablePartitionLiterals`: ARNs spell the partition (`arn:aws:`) instead of
 *   `{"Ref":"AWS::Partition"}` (method integration URIs, Lambda permissions, the WAF association,
 *   the alarm topic's key and topic policies). The method URIs are part of the API Deployment's
 *   logical id hash, so the API gets a new Deployment (a stateless snapshot; the Stage moves to it).
 * - `@aws-cdk/aws-iam:minimizePolicies`: the functions' policies merge statements that differ only
 *   in resources and sort their actions; same permissions.
 * - `@aws-cdk/aws-apigateway:logGroupDestinationArnWithoutWildcard`: the stage's access log
 *   destination is the log group ARN without the trailing `:*`.
 * - `@aws-cdk/core:annotationsInValidationReport`: error annotations (cdk-nag findings) fail the
 *   synthesis itself, in-process too.
 */
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actionsOf,
  type CfnResource,
  type CfnTemplate,
  cdkJsonContext,
  dispose,
  type PolicyStatementJson,
  props,
  referencedId,
  resourcesOfStatement,
  resourcesOfType,
  type Synthesized,
  synthesize,
  TEST_REGION,
} from './helpers';

/** Resources that hold data or must not be replaced. */
const STATEFUL_TYPES = [
  'AWS::DynamoDB::Table',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
  'AWS::SecretsManager::Secret',
  'AWS::IAM::Role',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Account',
  'AWS::WAFv2::WebACL',
];

/**
 * A template value with `arn:${AWS::Partition}:` spelled `arn:aws:` and adjacent strings of a join
 * merged: what enablePartitionLiterals writes for the same ARN in the `aws` partition.
 */
function partitionLiteral(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(partitionLiteral);
  if (!value || typeof value !== 'object') return value;
  const ref = (value as { Ref?: unknown }).Ref;
  if (ref === 'AWS::Partition') return 'aws';
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join && join[0] === '') {
    const parts: unknown[] = [];
    for (const part of join[1].map(partitionLiteral)) {
      const last = parts.at(-1);
      if (typeof part === 'string' && typeof last === 'string') parts[parts.length - 1] = last + part;
      else parts.push(part);
    }
    return parts.length === 1 && typeof parts[0] === 'string' ? parts[0] : { 'Fn::Join': ['', parts] };
  }
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, partitionLiteral(inner)]));
}

/** A stateful resource as CloudFormation compares it: type, properties, policies; not its CDK metadata. */
function comparable(res: CfnResource): unknown {
  return partitionLiteral({
    Type: res.Type,
    Properties: res.Properties,
    DeletionPolicy: res.DeletionPolicy,
    UpdateReplacePolicy: res.UpdateReplacePolicy,
  });
}

/** Every (role, effect, action, resource, condition) a template's IAM policies grant. */
function permissions(json: CfnTemplate): string[] {
  const granted = new Set<string>();
  for (const [, policy] of resourcesOfType(json, 'AWS::IAM::Policy')) {
    const p = props<{ Roles?: unknown[]; PolicyDocument: { Statement: PolicyStatementJson[] } }>(policy);
    for (const role of p.Roles ?? []) {
      for (const statement of p.PolicyDocument.Statement) {
        for (const action of actionsOf(statement)) {
          for (const target of resourcesOfStatement(statement)) {
            granted.add(
              JSON.stringify([
                referencedId(role),
                statement.Effect,
                action,
                partitionLiteral(target),
                statement.Condition ?? null,
              ]),
            );
          }
        }
      }
    }
  }
  return [...granted].sort();
}

describe('cdk.json feature flags', () => {
  it('adopts every flag cdk init recommends for the installed aws-cdk-lib, at its recommended value', () => {
    const context = cdkJsonContext();
    const recommended = Object.entries(CURRENTLY_RECOMMENDED_FLAGS);
    expect(recommended.length).toBeGreaterThanOrEqual(89);
    for (const [flag, value] of recommended) expect(context[flag], flag).toEqual(value);
  });

  describe.each(['dev', 'prod'])('adopted in %s', (stage) => {
    let before: Synthesized;
    let after: Synthesized;

    beforeAll(() => {
      // Through buildApp for a region, as `cdk synth -c region=` does: partition-aware flags act.
      const options = { stage, nag: true, context: { region: TEST_REGION } } as const;
      before = synthesize({ ...options, withoutCdkJsonContext: true });
      after = synthesize(options);
    });
    afterAll(() => {
      dispose(before);
      dispose(after);
    });

    it('keeps every stateful resource: same logical ids, same properties', () => {
      for (const type of STATEFUL_TYPES) {
        const was = new Map(resourcesOfType(before.json, type));
        const is = new Map(resourcesOfType(after.json, type));
        expect([...is.keys()].sort(), type).toEqual([...was.keys()].sort());
        for (const [logicalId, res] of was) {
          expect(comparable(is.get(logicalId) ?? { Type: '' }), logicalId).toEqual(comparable(res));
        }
      }
    });

    it('keeps every role’s permissions exactly', () => {
      expect(permissions(after.json)).toEqual(permissions(before.json));
    });

    it('replaces nothing but the API Deployment (a stateless snapshot)', () => {
      const ids = (json: CfnTemplate) => new Set(Object.keys(json.Resources));
      const beforeIds = ids(before.json);
      const afterIds = ids(after.json);
      const gone = [...beforeIds].filter((id) => !afterIds.has(id));
      const added = [...afterIds].filter((id) => !beforeIds.has(id));
      const types = (json: CfnTemplate, list: string[]) => list.map((id) => json.Resources[id]?.Type);
      expect(types(before.json, gone)).toEqual(['AWS::ApiGateway::Deployment']);
      expect(types(after.json, added)).toEqual(['AWS::ApiGateway::Deployment']);
    });
  });
});
