/**
 * Stages that share an account and region do not mix: one owner of the account-wide API Gateway
 * settings, and one metrics namespace per stage (EMF metrics, metric filters, dashboard, alarms).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageConfig, stages } from '../../lib/config';
import { ENV } from '../../lib/topology';
import {
  type CfnTemplate,
  dispose,
  type FunctionProps,
  props,
  referencedId,
  resourcesOfType,
  type Synthesized,
  synthesize,
} from './helpers';

const DEPLOYED = ['dev', 'prod'] as const;

/** One synthesis per stage for the whole file, shared by the describes that read it. */
const synths = new Map<string, Synthesized>();
function templateOf(stage: string): CfnTemplate {
  let synth = synths.get(stage);
  if (!synth) {
    synth = synthesize({ stage });
    synths.set(stage, synth);
  }
  return synth.json;
}
afterAll(() => {
  for (const synth of synths.values()) dispose(synth);
});

describe('the account-wide API Gateway settings', () => {
  it('are owned by exactly one deployed stage (prod)', () => {
    const owners = DEPLOYED.filter((stage) => stageConfig(stage).ownsApiGatewayAccountSettings);
    expect(owners).toEqual(['prod']);
    expect(stageConfig('local').ownsApiGatewayAccountSettings).toBe(false);
  });

  describe.each(DEPLOYED)('in the %s template', (stage) => {
    const owns = stageConfig(stage).ownsApiGatewayAccountSettings;
    let json: CfnTemplate;

    beforeAll(() => {
      json = templateOf(stage);
    });

    it(owns ? 'has the one AWS::ApiGateway::Account, retained' : 'has no AWS::ApiGateway::Account', () => {
      const accounts = resourcesOfType(json, 'AWS::ApiGateway::Account');
      expect(accounts).toHaveLength(owns ? 1 : 0);
      for (const [, account] of accounts) {
        expect(account.DeletionPolicy).toBe('Retain');
        expect(account.UpdateReplacePolicy).toBe('Retain');
      }
    });

    it(
      owns
        ? 'creates the CloudWatch Logs role API Gateway assumes, retained'
        : 'creates no role for API Gateway',
      () => {
        const apiGatewayRoles = resourcesOfType(json, 'AWS::IAM::Role').filter(([, role]) =>
          JSON.stringify(
            props<{ AssumeRolePolicyDocument: unknown }>(role).AssumeRolePolicyDocument,
          ).includes('apigateway.amazonaws.com'),
        );
        expect(apiGatewayRoles).toHaveLength(owns ? 1 : 0);
        const [[roleId, role] = []] = apiGatewayRoles;
        if (!owns || !role) return;
        expect(role.DeletionPolicy).toBe('Retain');
        const [[, account] = []] = resourcesOfType(json, 'AWS::ApiGateway::Account');
        expect(
          referencedId(props<{ CloudWatchRoleArn: unknown }>(account ?? { Type: '' }).CloudWatchRoleArn),
        ).toBe(roleId);
      },
    );

    it(
      owns
        ? 'deploys its stage after the account settings (API Gateway refuses stage logging before)'
        : 'still logs its stage (the owner stage set the account role)',
      () => {
        const [[, apiStage] = []] = resourcesOfType(json, 'AWS::ApiGateway::Stage');
        const dependsOn = [apiStage?.DependsOn ?? []].flat();
        const accountIds = resourcesOfType(json, 'AWS::ApiGateway::Account').map(([id]) => id);
        expect(dependsOn.filter((id) => accountIds.includes(id))).toHaveLength(owns ? 1 : 0);
        const stageProps = props<{
          AccessLogSetting?: unknown;
          MethodSettings?: { LoggingLevel?: string }[];
        }>(apiStage ?? { Type: '' });
        expect(stageProps.AccessLogSetting).toBeDefined();
        expect(stageProps.MethodSettings?.every((setting) => setting.LoggingLevel === 'ERROR')).toBe(true);
      },
    );
  });
});

describe('metrics namespaces', () => {
  it('are one per stage, none shared', () => {
    const namespaces = Object.values(stages).map((config) => config.metricsNamespace);
    expect(new Set(namespaces).size).toBe(namespaces.length);
    for (const config of Object.values(stages)) {
      expect(config.metricsNamespace).toBe(`SmsConversations/${config.stage}`);
    }
  });

  describe.each(DEPLOYED)('in the %s template', (stage) => {
    const { metricsNamespace } = stageConfig(stage);
    const others = Object.values(stages)
      .map((config) => config.metricsNamespace)
      .filter((namespace) => namespace !== metricsNamespace);
    let json: CfnTemplate;

    beforeAll(() => {
      json = templateOf(stage);
    });

    it('is what every function publishes its EMF metrics to', () => {
      const functions = resourcesOfType(json, 'AWS::Lambda::Function');
      expect(functions.length).toBeGreaterThan(0);
      for (const [logicalId, fn] of functions) {
        expect(props<FunctionProps>(fn).Environment?.Variables?.[ENV.metricsNamespace], logicalId).toBe(
          metricsNamespace,
        );
      }
    });

    it('is where every metric filter counts and every custom-metric alarm looks', () => {
      const filters = resourcesOfType(json, 'AWS::Logs::MetricFilter');
      expect(filters.length).toBeGreaterThan(0);
      for (const [logicalId, filter] of filters) {
        const transformations = props<{ MetricTransformations: { MetricNamespace: string }[] }>(
          filter,
        ).MetricTransformations;
        for (const { MetricNamespace } of transformations)
          expect(MetricNamespace, logicalId).toBe(metricsNamespace);
      }
      // Alarms on AWS's own metrics (AWS/Lambda, AWS/SQS, …) keep those; the rest read this stage's.
      const alarmNamespaces = new Set<string>();
      for (const [, alarm] of resourcesOfType(json, 'AWS::CloudWatch::Alarm')) {
        const p = props<{
          Namespace?: string;
          Metrics?: { MetricStat?: { Metric?: { Namespace?: string } } }[];
        }>(alarm);
        if (p.Namespace) alarmNamespaces.add(p.Namespace);
        for (const metric of p.Metrics ?? []) {
          const namespace = metric.MetricStat?.Metric?.Namespace;
          if (namespace) alarmNamespaces.add(namespace);
        }
      }
      expect([...alarmNamespaces].filter((namespace) => !namespace.startsWith('AWS/'))).toEqual([
        metricsNamespace,
      ]);
    });

    it('is the only custom namespace the dashboard names (no bare or other stage namespace)', () => {
      const [[, dashboard] = []] = resourcesOfType(json, 'AWS::CloudWatch::Dashboard');
      const body = JSON.stringify(props<{ DashboardBody: unknown }>(dashboard ?? { Type: '' }).DashboardBody);
      expect(body).toContain(`{${metricsNamespace},TenantId,service}`);
      // Neither a bare `SmsConversations` schema nor metric (`"SmsConversations"`, escaped in the body).
      expect(body).not.toMatch(/\{SmsConversations,|SmsConversations\\*"/);
      for (const other of others) expect(body).not.toContain(other);
    });
  });
});
