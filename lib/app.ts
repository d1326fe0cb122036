import { type App, Aspects, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stageConfig } from './config';
import { SmsConversationsStack } from './sms-conversations-stack';
import { stackName } from './stack-contract';

/** Context key selecting the stage (`cdk synth -c stage=prod`); cdk.json defaults it to dev. */
export const STAGE_CONTEXT_KEY = 'stage';
export const DEFAULT_STAGE = 'dev';

/** Account/region from the CLI's CDK_DEFAULT_* variables when present, else environment-agnostic. */
export function environmentFromProcess(env: NodeJS.ProcessEnv = process.env): Environment | undefined {
  const account = env.CDK_DEFAULT_ACCOUNT || undefined;
  const region = env.CDK_DEFAULT_REGION || undefined;
  return account || region ? { account, region } : undefined;
}

/** Builds the stage's stack in `app`, with the cdk-nag AwsSolutions checks applied to everything. */
export function buildApp(app: App, env = environmentFromProcess()): SmsConversationsStack {
  const stage = String(app.node.tryGetContext(STAGE_CONTEXT_KEY) ?? DEFAULT_STAGE);
  const config = stageConfig(stage);
  const stack = new SmsConversationsStack(app, stackName(stage), { config, env });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return stack;
}
