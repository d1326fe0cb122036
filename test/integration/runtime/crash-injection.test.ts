import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CrashPolicy, randomCrashes } from '../../../local/runtime/crash-policy';
import { LocalFunction } from '../../../local/runtime/local-function';
import { mulberry32 } from '../../../local/soak/prng';
import { FixtureBundles } from './fixture-bundles';

let fixtures: FixtureBundles;
let behaviors: string;
const opened: LocalFunction[] = [];

beforeAll(async () => {
  fixtures = await FixtureBundles.create();
  behaviors = await fixtures.bundle('behaviors');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((fn) => fn.close()));
});

afterAll(async () => {
  await fixtures?.remove();
});

/** Crashes the invocations whose index (0-based) is listed, `delayMs` into them. */
function crashingInvocations(indexes: readonly number[], delayMs: number): CrashPolicy {
  let invocation = 0;
  return { crashDelayMs: () => (indexes.includes(invocation++) ? delayMs : undefined) };
}

function behaviorsFunction(crashes: CrashPolicy, lines: string[] = []): LocalFunction {
  const fn = new LocalFunction({
    name: 'behaviors',
    bundlePath: behaviors,
    timeoutSeconds: 5,
    memorySizeMb: 128,
    crashes,
    onLog: (line) => lines.push(line),
  });
  opened.push(fn);
  return fn;
}

describe('crash injection', () => {
  it('kills an invocation part-way as Runtime.ExitError and replaces the environment', async () => {
    const fn = behaviorsFunction(crashingInvocations([1], 100));
    expect((await fn.invoke({ action: 'echo', value: 1 })).result).toBe(1);

    const crashed = await fn.invoke({ action: 'sleep', ms: 2_000 });
    expect(crashed.error).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: 'Runtime exited with error: signal: killed',
    });
    expect(crashed.durationMs).toBeLessThan(1_500);

    const after = await fn.invoke({ action: 'echo', value: 2 });
    expect(after).toMatchObject({ result: 2, coldStart: true });
    expect(fn.stats()).toMatchObject({ invocations: 3, errors: 1, injectedCrashes: 1 });
  });

  it('does not crash an invocation that finishes before its crash moment', async () => {
    const fn = behaviorsFunction(crashingInvocations([0], 1_000));
    const outcome = await fn.invoke({ action: 'echo', value: 'quick' });
    expect(outcome.result).toBe('quick');
    expect(fn.stats().injectedCrashes).toBe(0);
  });

  it('keeps every line the handler wrote before it was killed, as Lambda keeps its logs', async () => {
    const lines: string[] = [];
    // Cold start included: the crash lands while the handler sleeps after logging.
    const fn = behaviorsFunction(crashingInvocations([1], 150), lines);
    await fn.invoke({ action: 'echo', value: 'warm up' });
    const crashed = await fn.invoke({ action: 'logThenSleep', lines: 50, ms: 2_000 });
    expect(crashed.error?.errorType).toBe('Runtime.ExitError');
    expect(lines.filter((line) => line.includes('"message":"line"'))).toHaveLength(50);
  });

  it('names the invocation that wrote each line and reports the one that was killed', async () => {
    const written: { line: string; requestId: string | undefined }[] = [];
    const killed: string[] = [];
    const fn = new LocalFunction({
      name: 'behaviors',
      bundlePath: behaviors,
      timeoutSeconds: 5,
      memorySizeMb: 128,
      crashes: crashingInvocations([1], 150),
      onLog: (line, _stream, requestId) => written.push({ line, requestId }),
      onKilled: (requestId) => killed.push(requestId),
    });
    opened.push(fn);
    const finished = await fn.invoke({ action: 'logThenSleep', lines: 2, ms: 10 });
    const crashed = await fn.invoke({ action: 'logThenSleep', lines: 3, ms: 2_000 });
    expect(crashed.error?.errorType).toBe('Runtime.ExitError');
    expect(killed).toEqual([crashed.requestId]);
    const linesOf = (requestId: string) =>
      written.filter((entry) => entry.requestId === requestId && entry.line.includes('"message":"line"'));
    expect(linesOf(finished.requestId)).toHaveLength(2);
    expect(linesOf(crashed.requestId)).toHaveLength(3);
  });

  it('draws the same crash plan from the same seed', () => {
    const plan = (seed: number) => {
      const policy = randomCrashes({ rate: 0.3, maxDelayMs: 500, random: mulberry32(seed) });
      return Array.from({ length: 50 }, () => policy.crashDelayMs());
    };
    expect(plan(7)).toEqual(plan(7));
    expect(plan(7)).not.toEqual(plan(8));
    const crashes = plan(7).filter((delay) => delay !== undefined);
    expect(crashes.length).toBeGreaterThan(5);
    expect(crashes.length).toBeLessThan(30);
    for (const delay of crashes) expect(delay).toBeGreaterThanOrEqual(0);
    expect(() => randomCrashes({ rate: 2, maxDelayMs: 1, random: Math.random })).toThrow(/rate/);
  });
});
