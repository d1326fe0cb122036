import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EnvironmentValues,
  functionEnvironment,
  functions,
  NODE_OPTIONS,
  type QueueId,
  queues,
} from '../../../lib/topology';
import { bundleEntry, REPO_ROOT } from '../../../local/runtime/bundle';
import { LocalFunction } from '../../../local/runtime/local-function';

/**
 * Stack traces in a function's log name the TypeScript file and line: every function's environment
 * (lib/topology.ts functionEnvironment, used by the CDK stack and the local stack) sets
 * NODE_OPTIONS=--enable-source-maps, and Node maps the frames of the bundle through the map shipped
 * beside it (lib/bundling.ts: minified, external map without the sources). Proved on a fixture
 * bundled exactly as the functions are, in a fresh Node process as Lambda runs it and in the local
 * stack's execution environment (a worker thread).
 */
const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/source-maps/throws.ts');
/** `throw new Error(...)` in failDeep, and the call of failDeep in fail. */
const THROW_AT = `${FIXTURE}:4:9`;
const CALL_AT = `${FIXTURE}:8:3`;

const queueIds = Object.keys(queues) as QueueId[];
const values: EnvironmentValues = {
  tableName: 'table',
  tenantSecretPrefix: 'prefix',
  publicBaseUrl: 'https://example.com',
  twilioApiBaseUrl: 'https://api.twilio.com',
  metricsNamespace: 'SmsConversations',
  logLevel: 'INFO',
  stage: 'test',
  queueUrls: Object.fromEntries(queueIds.map((id) => [id, `https://queue/${id}`])) as Record<QueueId, string>,
  dlqUrls: Object.fromEntries(queueIds.map((id) => [id, `https://queue/${id}-dlq`])) as Record<
    QueueId,
    string
  >,
};
/** A function's own environment, as the stacks give it (the fixture logs as `status`). */
const environment = functionEnvironment(functions.status, values);

let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'source-maps-'));
  bundle = (await bundleEntry(FIXTURE, path.join(dir, 'throws.mjs'))).path;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface LoggedError {
  message: string;
  error: { name: string; location: string; message: string; stack: string | string[] };
}

/** The Powertools log line of the fixture's logged error, among a function's output lines. */
function loggedError(lines: readonly string[]): LoggedError {
  const line = lines.find((text) => text.includes('"Fixture failed"'));
  expect(line, lines.join('\n')).toBeDefined();
  return JSON.parse(line as string) as LoggedError;
}

const stackText = (stack: string | string[]) => (Array.isArray(stack) ? stack.join('\n') : stack);

/** Imports the bundle in a fresh Node process with `env` and runs its handler on `event`: stdout and stderr. */
function runInFreshProcess(env: Record<string, string>, event: { action: 'log' | 'throw' }): string[] {
  const script =
    'const m = await import(process.argv[1]); ' +
    'try { await m.handler(JSON.parse(process.argv[2])); } catch (e) { process.stdout.write(`${e.stack}\\n`); }';
  const result = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', script, pathToFileURL(bundle).href, JSON.stringify(event)],
    { env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', ...env }, encoding: 'utf8' },
  );
  expect(result.status, result.stderr).toBe(0);
  return `${result.stdout}${result.stderr}`.split('\n');
}

describe('source-mapped stack traces', () => {
  it('are turned on in every function’s environment', () => {
    expect(NODE_OPTIONS).toBe('--enable-source-maps');
    for (const spec of Object.values(functions))
      expect(functionEnvironment(spec, values).NODE_OPTIONS, spec.id).toBe(NODE_OPTIONS);
  });

  it('name the TypeScript file and line in a logged error, in a fresh process with the function’s environment', () => {
    const logged = loggedError(runInFreshProcess(environment, { action: 'log' }));
    expect(logged.error.location).toBe(`${FIXTURE}:4`);
    const stack = stackText(logged.error.stack);
    expect(stack).toContain(`(${THROW_AT})`);
    expect(stack).toContain(`(${CALL_AT})`);
    expect(stack).not.toContain('throws.mjs');
  });

  it('name the TypeScript file and line of an error the handler throws', () => {
    const stack = runInFreshProcess(environment, { action: 'throw' }).join('\n');
    expect(stack).toMatch(/^Error: boom: from the fixture\n/);
    expect(stack).toContain(`(${THROW_AT})`);
  });

  it('name only the minified bundle without the flag (the control)', () => {
    const { NODE_OPTIONS: _off, ...without } = environment;
    const logged = loggedError(runInFreshProcess(without, { action: 'log' }));
    expect(stackText(logged.error.stack)).not.toContain(FIXTURE);
    expect(stackText(logged.error.stack)).toContain(pathToFileURL(bundle).href);
  });

  it('name the TypeScript file and line in the local stack’s function log and invoke error', async () => {
    const lines: string[] = [];
    const fn = new LocalFunction({
      name: 'status',
      bundlePath: bundle,
      environment,
      timeoutSeconds: 10,
      memorySizeMb: 256,
      onLog: (line) => lines.push(line),
    });
    try {
      const logged = await fn.invoke({ action: 'log' });
      expect(logged.error).toBeUndefined();
      const line = loggedError(lines);
      expect(line.error.location).toBe(`${FIXTURE}:4`);
      expect(stackText(line.error.stack)).toContain(`(${THROW_AT})`);

      const thrown = await fn.invoke({ action: 'throw' });
      expect(thrown.error).toMatchObject({ errorType: 'Error', errorMessage: 'boom: from the fixture' });
      expect(thrown.error?.stack).toContain(`(${THROW_AT})`);
      expect(thrown.error?.stack).toContain(`(${CALL_AT})`);
    } finally {
      await fn.close();
    }
  });
});
