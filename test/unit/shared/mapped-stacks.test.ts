import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntry, REPO_ROOT } from '../../../local/runtime/bundle';

/**
 * lambdas/shared/mapped-stacks.ts on a real bundle, built with the Lambda bundling settings
 * (minified, external map without sources) and run in a fresh Node process: stack traces name the
 * TypeScript file, line and function, as `--enable-source-maps` did, without Node parsing the map
 * at load.
 */
const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/mapped-stacks/throws.ts');

let dir: string;
let bundle: string;
let withoutMap: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mapped-stacks-'));
  bundle = (await bundleEntry(FIXTURE, path.join(dir, 'throws.mjs'))).path;
  mkdirSync(path.join(dir, 'alone'));
  withoutMap = path.join(dir, 'alone', 'throws.mjs');
  copyFileSync(bundle, withoutMap);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Calls `fn` of the bundle in a fresh process; returns the stack it threw, or what it logged (stderr). */
function run(file: string, fn: string, nodeOptions = ''): string {
  const script = `const m = await import(process.argv[1]); try { m.${fn}(); } catch (e) { process.stdout.write(e.stack); }`;
  const result = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', script, pathToFileURL(file).href],
    {
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        POWERTOOLS_SERVICE_NAME: 'fixture',
        NODE_OPTIONS: nodeOptions,
      },
      encoding: 'utf8',
    },
  );
  expect(result.status, result.stderr).toBe(0);
  return `${result.stdout}${result.stderr}`;
}

/** `file:line:column` of each frame that names `file`. */
const places = (stack: string, file: string) =>
  stack
    .split('\n')
    .filter((line) => line.includes(file))
    .map((line) => /\(?([^ (]+:\d+:\d+)\)?$/.exec(line)?.[1]);

describe('mapped stack traces', () => {
  it('name the TypeScript file, line and function of each frame in the bundle', () => {
    const lines = run(bundle, 'fail').split('\n');
    expect(lines[0]).toBe('Error: boom: from the fixture');
    expect(lines[1]).toBe(`    at failDeep (${FIXTURE}:4:9)`);
    expect(lines[2]).toMatch(new RegExp(` \\(${FIXTURE}:8:3\\)$`));
  });

  it('name the places node --enable-source-maps names', () => {
    const ours = run(bundle, 'fail');
    const node = run(bundle, 'fail', '--enable-source-maps');
    expect(places(ours, FIXTURE)).toHaveLength(2);
    expect(places(ours, FIXTURE)).toEqual(places(node, FIXTURE));
  });

  it("keep a Node error's header with its code and Node's own frames", () => {
    const lines = run(bundle, 'failInNode').split('\n');
    expect(lines[0]).toMatch(/^RangeError \[ERR_OUT_OF_RANGE\]: The value of "size" is out of range/);
    expect(lines[1]).toMatch(/^ {4}at Function\.alloc \(node:buffer:\d+:\d+\)$/);
    expect(lines[2]).toMatch(new RegExp(` \\(${FIXTURE}:13:10\\)$`));
  });

  it('reach the logger: Powertools reports the original location and stack', () => {
    const line = JSON.parse(run(bundle, 'logFailure')) as {
      error: { location: string; stack: string | string[] };
    };
    expect(line.error.location).toBe(`${FIXTURE}:4`);
    expect(String(line.error.stack)).toContain(`at failDeep (${FIXTURE}:4:9)`);
  });

  it('leave the stack as V8 prints it when no map is beside the bundle', () => {
    const stack = run(withoutMap, 'fail');
    expect(stack).not.toContain(FIXTURE);
    expect(stack.split('\n')[1]).toMatch(new RegExp(`\\(${pathToFileURL(withoutMap).href}:\\d+:\\d+\\)$`));
  });
});
