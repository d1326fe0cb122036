/**
 * The README's deploy commands stay runnable: each `npx cdk …` command of its "Deploy" section is
 * synthesized in-process with the context it passes (cdk.json's context, then its `-c` flags, as the
 * CLI hands them to bin/app.ts; `cdk bootstrap` synthesizes the app too), bootstrap comes before
 * the first deploy, every command names the same region, and the stage that owns the account's API
 * Gateway settings is deployed before the others. (Assets are not bundled here: bundling changes
 * code hashes only, and `npx cdk synth` takes tens of seconds.)
 */
import { readFileSync, rmSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp, REGION_CONTEXT_KEY, STAGE_CONTEXT_KEY } from '../../lib/app';
import { stageConfig } from '../../lib/config';
import { cdkJsonContext } from './helpers';

/** What `$(aws sts get-caller-identity …)` would print: any account id will do for a synth. */
const ACCOUNT_PLACEHOLDER = '123456789012';

interface CdkCommand {
  readonly line: string;
  readonly subcommand: string;
  readonly positional: readonly string[];
  readonly context: Readonly<Record<string, string>>;
  readonly comment: string;
}

/** The README's "## Deploy" section, up to the next `## ` heading. */
function deploySection(): string {
  const readme = readFileSync('README.md', 'utf8');
  const section = /^## Deploy\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
  if (!section) throw new Error('README.md has no "## Deploy" section');
  return section;
}

/** The section's first (top-level) `sh` block, as lines. */
function shellBlock(section: string): string[] {
  const block = /^```sh\n([\s\S]*?)^```/m.exec(section)?.[1];
  if (!block) throw new Error('The Deploy section has no ```sh block');
  return block.split('\n').filter((line) => line.trim() !== '');
}

/** Runs the block's variable assignments and parses its `npx cdk` commands, variables expanded. */
function cdkCommands(lines: readonly string[]): CdkCommand[] {
  const variables: Record<string, string> = {};
  const expand = (text: string) =>
    text.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (_all, name: string) => {
      const value = variables[name];
      if (value === undefined) throw new Error(`$${name} is used before the block sets it`);
      return value;
    });
  const commands: CdkCommand[] = [];
  for (const raw of lines) {
    const hash = raw.search(/\s#\s/);
    const code = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    const comment = hash === -1 ? '' : raw.slice(hash).replace(/^\s*#\s*/, '');
    const assignment = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(code);
    if (assignment?.[1] && assignment[2] !== undefined) {
      const [, name, value] = assignment;
      variables[name] = value.startsWith('$(') ? ACCOUNT_PLACEHOLDER : expand(value);
      continue;
    }
    if (!code.startsWith('npx cdk ')) continue;
    const words = expand(code).split(/\s+/).slice(2);
    const [subcommand = '', ...rest] = words;
    const positional: string[] = [];
    const context: Record<string, string> = {};
    for (let i = 0; i < rest.length; i++) {
      const word = rest[i] ?? '';
      if (word === '-c' || word === '--context') {
        const [key = '', ...value] = (rest[++i] ?? '').split('=');
        context[key] = value.join('=');
      } else if (!word.startsWith('-')) positional.push(word);
    }
    commands.push({ line: raw, subcommand, positional, context, comment });
  }
  return commands;
}

/** Synthesizes the app as the CLI would for a command's `-c` flags: the stack's name and region. */
function synthFor(command: CdkCommand): { stackName: string; region: string; stage: string } {
  const context = { ...cdkJsonContext(), ...command.context, 'aws:cdk:bundling-stacks': [] };
  const app = new App({ context });
  try {
    // An empty process environment: the command itself must name the region.
    const stack = buildApp(app, {});
    // Synthesizes, with cdk-nag: an unsuppressed finding fails here as it fails `cdk synth`.
    const errors = Annotations.fromStack(stack).findError('*', Match.anyValue());
    expect(
      errors.map((entry) => entry.id),
      command.line,
    ).toEqual([]);
    return { stackName: stack.stackName, region: stack.region, stage: stack.config.stage };
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

describe('README Deploy commands', () => {
  const commands = cdkCommands(shellBlock(deploySection()));
  const bootstraps = commands.filter((command) => command.subcommand === 'bootstrap');
  const deploys = commands.filter((command) => command.subcommand === 'deploy');

  it('bootstrap the account and region before the first deploy', () => {
    expect(bootstraps).toHaveLength(1);
    expect(deploys.length).toBeGreaterThan(0);
    const position = (subcommand: string) =>
      commands.findIndex((command) => command.subcommand === subcommand);
    expect(position('bootstrap')).toBeLessThan(position('deploy'));
  });

  it('name one region everywhere, bootstrap’s aws://ACCOUNT/REGION included', () => {
    const regions = new Set(commands.map((command) => command.context[REGION_CONTEXT_KEY]));
    expect(regions.size, 'every cdk command passes the same -c region=').toBe(1);
    const [region] = regions;
    expect(region).toMatch(/^[a-z]{2}(-[a-z]+)+-\d+$/);
    expect(bootstraps[0]?.positional).toEqual([`aws://${ACCOUNT_PLACEHOLDER}/${region}`]);
  });

  it('pass only context the app reads', () => {
    for (const command of commands) {
      for (const key of Object.keys(command.context)) {
        expect([STAGE_CONTEXT_KEY, REGION_CONTEXT_KEY], command.line).toContain(key);
      }
    }
  });

  it('synthesize with their context, each deploy the stack its comment names', () => {
    expect(commands.map((command) => command.subcommand)).toEqual(
      expect.arrayContaining(['bootstrap', 'synth', 'deploy']),
    );
    for (const command of commands) {
      const synthesized = synthFor(command);
      expect(synthesized.region, command.line).toBe(command.context[REGION_CONTEXT_KEY]);
      if (command.subcommand === 'deploy')
        expect(command.comment, command.line).toContain(synthesized.stackName);
    }
  }, 120_000);

  it('deploy the stage that owns the account’s API Gateway settings before any other', () => {
    const stagesInOrder = deploys.map((command) => command.context[STAGE_CONTEXT_KEY] ?? 'dev');
    const owners = stagesInOrder.filter((stage) => stageConfig(stage).ownsApiGatewayAccountSettings);
    expect(owners.length).toBeGreaterThan(0);
    expect(stageConfig(stagesInOrder[0] ?? 'dev').ownsApiGatewayAccountSettings).toBe(true);
  });
});
