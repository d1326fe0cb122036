import { describe, expect, it } from 'vitest';
import { parseSoakOptions } from '../../../local/soak/options';
import { mulberry32, streamFor } from '../../../local/soak/prng';

describe('soak options', () => {
  it('defaults everything, the crash rate to half the fault rate', () => {
    expect(parseSoakOptions([])).toEqual({
      ok: true,
      options: {
        turns: 200,
        faultRate: 0.1,
        crashRate: 0.05,
        seed: 1,
        customers: 40,
        replyTimeoutMs: 8_000,
        timeLimitSeconds: 800,
        visibilityTimeoutSeconds: 8,
      },
    });
  });

  it('reads the issue’s command line', () => {
    const parsed = parseSoakOptions(['--turns', '2000', '--fault-rate', '0.2', '--seed', '7']);
    expect(parsed).toMatchObject({
      ok: true,
      options: { turns: 2000, faultRate: 0.2, crashRate: 0.1, seed: 7, timeLimitSeconds: 2600 },
    });
    expect(parseSoakOptions(['--crash-rate', '0', '--fault-rate=0.3'])).toMatchObject({
      ok: true,
      options: { crashRate: 0, faultRate: 0.3 },
    });
  });

  it.each([
    { argv: ['--turns', 'many'], reason: /--turns must be a number, got "many"/ },
    { argv: ['--turns', '0'], reason: /--turns must be a whole number from 1/ },
    { argv: ['--turns', '1.5'], reason: /--turns must be a whole number/ },
    { argv: ['--fault-rate', '1.5'], reason: /--fault-rate must be from 0 to 1, got 1.5/ },
    { argv: ['--crash-rate=-0.1'], reason: /--crash-rate must be from 0 to 1/ },
    { argv: ['--seed', ''], reason: /--seed must be a number/ },
    { argv: ['--turnz', '5'], reason: /turnz/ },
    { argv: ['--turns'], reason: /--turns/ },
    { argv: ['extra'], reason: /extra/ },
  ])('refuses $argv with a reason naming the flag', ({ argv, reason }) => {
    const parsed = parseSoakOptions(argv);
    expect(parsed.ok).toBe(false);
    if (parsed.ok === false) expect(parsed.reason).toMatch(reason);
  });

  it('answers --help', () => {
    expect(parseSoakOptions(['--help'])).toEqual({ ok: 'help' });
  });
});

describe('soak randomness', () => {
  it('repeats a stream from its seed, and labels give independent streams', () => {
    const draw = (random: () => number) => Array.from({ length: 5 }, random);
    expect(draw(mulberry32(42))).toEqual(draw(mulberry32(42)));
    expect(draw(streamFor(1, 'sender'))).toEqual(draw(streamFor(1, 'sender')));
    expect(draw(streamFor(1, 'sender'))).not.toEqual(draw(streamFor(1, 'status')));
    for (const value of draw(mulberry32(0))) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});
