import { parseArgs } from 'node:util';

/** What one soak run does; `npm run soak -- --help` describes each flag. */
export interface SoakOptions {
  /** Customer messages to send in all (each one a turn of some conversation). */
  readonly turns: number;
  /** Probability of each injected fault (API 429/500/slow, duplicate and reordered webhooks, undelivered). */
  readonly faultRate: number;
  /** Probability that a function invocation is planned to crash part-way; default half the fault rate. */
  readonly crashRate: number;
  readonly seed: number;
  /** Customers texting at the same time, each waiting for a reply before its next message. */
  readonly customers: number;
  /** How long a customer waits for a reply before texting again anyway. */
  readonly replyTimeoutMs: number;
  /** Bound on the whole run (traffic, quiescence, redrive, audit); past it the run fails. */
  readonly timeLimitSeconds: number;
  /** Queue visibility timeout for the run: how soon a crashed batch is retried (see LocalStackOptions). */
  readonly visibilityTimeoutSeconds: number;
}

export const SOAK_USAGE = `usage: npm run soak -- [--turns N] [--fault-rate R] [--seed S] [options]
  --turns N             customer messages to send (default 200)
  --fault-rate R        probability of each injected Twilio fault, 0..1 (default 0.1)
  --crash-rate R        probability an invocation is crashed part-way, 0..1 (default fault-rate / 2)
  --seed S              seed of every random choice, an integer (default 1)
  --customers N         customers texting concurrently (default 40)
  --reply-timeout-ms N  how long a customer waits for a reply (default 8000)
  --time-limit-s N      bound on the whole run in seconds (default 600 + turns)
  --visibility-s N      queue visibility timeout during the soak in seconds (default 8)`;

export type SoakOptionsResult = { ok: true; options: SoakOptions } | { ok: false; reason: string };

const FLAGS = {
  turns: { type: 'string' },
  'fault-rate': { type: 'string' },
  'crash-rate': { type: 'string' },
  seed: { type: 'string' },
  customers: { type: 'string' },
  'reply-timeout-ms': { type: 'string' },
  'time-limit-s': { type: 'string' },
  'visibility-s': { type: 'string' },
  help: { type: 'boolean' },
} as const;

type NumberRule = { kind: 'integer'; min: number; max: number } | { kind: 'rate' };

function parseNumber(flag: string, raw: string, rule: NumberRule): number | string {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value))
    return `--${flag} must be a number, got ${JSON.stringify(raw)}`;
  if (rule.kind === 'rate') {
    return value >= 0 && value <= 1 ? value : `--${flag} must be from 0 to 1, got ${raw}`;
  }
  if (!Number.isInteger(value) || value < rule.min || value > rule.max) {
    return `--${flag} must be a whole number from ${rule.min} to ${rule.max}, got ${raw}`;
  }
  return value;
}

/** Parses the command line; a mistake gives a reason that names the flag, never a stack trace. */
export function parseSoakOptions(argv: readonly string[]): SoakOptionsResult | { ok: 'help' } {
  let values: Partial<Record<keyof typeof FLAGS, string | boolean>>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  if (values.help) return { ok: 'help' };

  const numbers: Record<string, number> = {};
  const rules: [keyof typeof FLAGS, NumberRule, number | undefined][] = [
    ['turns', { kind: 'integer', min: 1, max: 1_000_000 }, 200],
    ['fault-rate', { kind: 'rate' }, 0.1],
    ['crash-rate', { kind: 'rate' }, undefined],
    ['seed', { kind: 'integer', min: 0, max: 2 ** 32 - 1 }, 1],
    ['customers', { kind: 'integer', min: 1, max: 1_000 }, 40],
    ['reply-timeout-ms', { kind: 'integer', min: 100, max: 600_000 }, 8_000],
    ['time-limit-s', { kind: 'integer', min: 10, max: 24 * 3_600 }, undefined],
    ['visibility-s', { kind: 'integer', min: 1, max: 43_200 }, 8],
  ];
  for (const [flag, rule, fallback] of rules) {
    const raw = values[flag];
    if (typeof raw !== 'string') {
      if (fallback !== undefined) numbers[flag] = fallback;
      continue;
    }
    const parsed = parseNumber(flag, raw, rule);
    if (typeof parsed === 'string') return { ok: false, reason: parsed };
    numbers[flag] = parsed;
  }
  const turns = numbers.turns ?? 200;
  const faultRate = numbers['fault-rate'] ?? 0.1;
  return {
    ok: true,
    options: {
      turns,
      faultRate,
      crashRate: numbers['crash-rate'] ?? faultRate / 2,
      seed: numbers.seed ?? 1,
      customers: numbers.customers ?? 40,
      replyTimeoutMs: numbers['reply-timeout-ms'] ?? 8_000,
      timeLimitSeconds: numbers['time-limit-s'] ?? 600 + turns,
      visibilityTimeoutSeconds: numbers['visibility-s'] ?? 8,
    },
  };
}
