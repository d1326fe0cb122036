import { parseArgs } from 'node:util';
import { isE164 } from '../lambdas/domain/phone';
import { isValidTenantId } from '../lambdas/domain/tenant';
import { CliError } from './cli-error';

type StringOptions = Record<string, { type: 'string' }>;

/** Parses a command's own flags; unknown flags are an error, naming the command. */
export function parseCommand<T extends StringOptions>(
  usage: string,
  args: string[],
  options: T,
  { positionals = 0 } = {},
): { values: { [K in keyof T]?: string }; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: positionals > 0, strict: true });
    if (parsed.positionals.length > positionals)
      throw new CliError(`unexpected ${parsed.positionals.join(' ')}`);
    return { values: parsed.values as { [K in keyof T]?: string }, positionals: parsed.positionals };
  } catch (error) {
    throw new CliError(`${(error as Error).message.split('\n')[0]}; usage: smsctl ${usage}`, 2);
  }
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
