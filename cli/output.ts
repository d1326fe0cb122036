import { terminalSafeJson, visibleText } from '../lambdas/domain/visible-text';

/** What a command hands back: the JSON document for `--json`, lines for people otherwise. */
export interface CommandResult {
  readonly json: unknown;
  readonly lines: readonly string[];
  readonly exitCode?: number;
}

export interface GlobalFlags {
  readonly json: boolean;
  readonly local: boolean;
  readonly stack?: string;
}

export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * Prints a command's result. Lines and JSON can carry customer text (message bodies), so nothing
 * in them reaches the operator's terminal as a control sequence (visibleText, terminalSafeJson).
 */
export function print(result: CommandResult, flags: GlobalFlags): number {
  if (flags.json) out(terminalSafeJson(result.json));
  else for (const line of result.lines) out(visibleText(line));
  return result.exitCode ?? 0;
}
