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

export function print(result: CommandResult, flags: GlobalFlags): number {
  if (flags.json) out(JSON.stringify(result.json));
  else for (const line of result.lines) out(line);
  return result.exitCode ?? 0;
}
