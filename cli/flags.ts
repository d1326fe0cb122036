import { parseArgs } from 'node:util';
import { isE164 } from '../lambdas/domain/phone';
import { isValidTenantId } from '../lambdas/domain/tenant';
import { CliError } from './cli-error';

/** A flag as `node:util` parseArgs takes it: a string (repeatable with `multiple`) or a boolean. */
export type FlagSpec =
  | { readonly type: 'string'; readonly multiple?: boolean; readonly short?: string }
  | { readonly type: 'boolean'; readonly short?: string };
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** What each flag parses to: a string, every value of a repeated flag, or true for a boolean given. */
export type FlagValues<T extends FlagSpecs> = {
  [K in keyof T]?: T[K] extends { type: 'boolean' }
    ? boolean
    : T[K] extends { multiple: true }
      ? string[]
      : string;
};

interface OptionToken {
  readonly kind: 'option';
  readonly name: string;
  readonly rawName: string;
  readonly value?: string;
  readonly inlineValue?: boolean;
}

/**
 * Why strict parseArgs refused `args`, in smsctl's words: the first offending flag, found in the
 * tokens of a lenient parse (the order in which strict parsing checks them). Node's own message
 * (its wording varies between Node versions) only when no token explains it.
 */
function refusal(error: unknown, args: readonly string[], options: FlagSpecs): string {
  const { tokens } = parseArgs({
    args: [...args],
    options: options as Record<string, FlagSpec>,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const { name, rawName, value, inlineValue } = token as OptionToken;
    const spec = Object.hasOwn(options, name) ? options[name] : undefined;
    if (!spec) return `unknown flag ${rawName}`;
    // A string flag's value may not look like a flag (`--tenant --json`), unless given as --flag=value.
    if (
      spec.type === 'string' &&
      (value === undefined || (!inlineValue && value.length > 1 && value.startsWith('-')))
    )
      return `${rawName} needs a value`;
    if (spec.type === 'boolean' && value !== undefined) return `${rawName} takes no value`;
  }
  return (error as Error).message.split('\n')[0] ?? String(error);
}

function usageError(reason: string, usage: string): CliError {
  return new CliError(`${reason}; usage: smsctl ${usage}`, 2);
}

/**
 * Parses a command's own flags with `node:util` parseArgs, strictly: `--flag value` and
 * `--flag=value`, booleans, repeated flags where the spec says `multiple`. An unknown flag, a
 * missing value or more than `positionals` positional arguments is a usage error (exit 2) that
 * names the command's usage.
 */
export function parseCommand<const T extends FlagSpecs>(
  usage: string,
  args: readonly string[],
  options: T,
  { positionals = 0 } = {},
): { values: FlagValues<T>; positionals: string[] } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...args],
      options: options as Record<string, FlagSpec>,
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw usageError(refusal(error, args, options), usage);
  }
  if (parsed.positionals.length > positionals)
    throw usageError(`unexpected ${parsed.positionals.slice(positionals).join(' ')}`, usage);
  return { values: parsed.values as FlagValues<T>, positionals: parsed.positionals };
}

export function required(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined || value === '')
    throw new CliError(`${flag} is required; usage: smsctl ${usage}`, 2);
  return value;
}

export function tenantId(value: string | undefined, usage: string): string {
  const id = required(value, '--tenant', usage);
  if (!isValidTenantId(id)) throw new CliError(`invalid tenant id "${id}": expected [a-z0-9-]{2,40}`, 2);
  return id;
}

export function phone(value: string | undefined, flag: string, usage: string): string {
  const number = required(value, flag, usage);
  if (!isE164(number)) throw new CliError(`${flag} ${number} is not an E.164 number (e.g. +15005550006)`, 2);
  return number;
}

export function sid(value: string | undefined, prefix: 'AC' | 'MG', flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (!new RegExp(`^${prefix}[0-9a-f]{32}$`).test(value))
    throw new CliError(`${flag} must be ${prefix} followed by 32 hex digits`, 2);
  return value;
}

export function booleanFlag(value: string | undefined, flag: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new CliError(`${flag} must be true or false`, 2);
}

/** A positive number within [min, max], e.g. a send rate. */
export function positiveNumberFlag(
  value: string | undefined,
  flag: string,
  range: { min: number; max: number },
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < range.min || parsed > range.max)
    throw new CliError(`${flag} must be a number from ${range.min} to ${range.max}`, 2);
  return parsed;
}
