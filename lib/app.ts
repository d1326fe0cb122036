import { type App, Aspects, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stageConfig } from './config';
import { SmsConversationsStack } from './sms-conversations-stack';
import { stackName } from './stack-contract';

/** Context key selecting the stage (`cdk synth -c stage=prod`); cdk.json defaults it to dev. */
export const STAGE_CONTEXT_KEY = 'stage';
export const DEFAULT_STAGE = 'dev';
/** Context key naming the region to deploy to (`cdk deploy -c region=eu-west-1`); no default. */
export const REGION_CONTEXT_KEY = 'region';
/**
 * Environment variables that name the region as explicitly as `-c region=`: the user sets them (the
 * CDK CLI passes them through to the app). Not CDK_DEFAULT_REGION: the CLI always sets that one, to
 * us-east-1 when nothing is configured, so it cannot tell a choice from a fallback.
 */
export const REGION_ENV_VARS = ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const;

/** A region missing or misnamed: bin/app.ts prints its message alone, without a stack trace. */
export class RegionError extends Error {
  override name = 'RegionError';
}

/** `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, …: rejects placeholders such as `REGION`. */
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The region the stack is synthesized for: the `region` context value, else AWS_REGION, else
 * AWS_DEFAULT_REGION. Throws when none is given (or it is not a region name): the stack's region is
 * fixed at synth time (it is in the webhook URL the functions check signatures against, and the
 * CLI deploys to it), so it must never silently be the CLI's us-east-1 fallback.
 */
export function regionFrom(contextValue: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const given = [
    { source: `-c ${REGION_CONTEXT_KEY}=`, value: contextValue },
    ...REGION_ENV_VARS.map((name) => ({ source: `${name}=`, value: env[name] })),
  ].find(({ value }) => value !== undefined && value !== null && String(value).trim() !== '');
  if (!given) {
    throw new RegionError(
      `No region given. Name the region to synthesize and deploy to: \`-c ${REGION_CONTEXT_KEY}=eu-west-1\` ` +
        `(or set ${REGION_ENV_VARS.join(' or ')}). CDK_DEFAULT_REGION is not used: the CDK CLI sets it to ` +
        'us-east-1 when nothing is configured.',
    );
  }
  const region = String(given.value).trim();
  if (!REGION_PATTERN.test(region)) {
    throw new RegionError(`${given.source}${region}: not an AWS region name (e.g. eu-west-1, us-east-1)`);
  }
  return region;
}

/** The stack's environment: the explicit region, and the account of the CLI's credentials when known. */
export function environmentFromProcess(region: string, env: NodeJS.ProcessEnv = process.env): Environment {
  return { account: env.CDK_DEFAULT_ACCOUNT || undefined, region };
}

/**
 * Builds the stage's stack in `app` for the region its context or environment names, with the
 * cdk-nag AwsSolutions checks applied to everything. `env` is the process environment (tests pass
 * their own).
 */
export function buildApp(app: App, env: NodeJS.ProcessEnv = process.env): SmsConversationsStack {
  const stage = String(app.node.tryGetContext(STAGE_CONTEXT_KEY) ?? DEFAULT_STAGE);
  const config = stageConfig(stage);
  const region = regionFrom(app.node.tryGetContext(REGION_CONTEXT_KEY), env);
  const stack = new SmsConversationsStack(app, stackName(stage), {
    config,
    env: environmentFromProcess(region, env),
  });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return stack;
}
