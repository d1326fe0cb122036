import { parseArgs } from 'node:util';
import { CliError } from './cli-error';
import { lintCommand, simulateCommand } from './workflow-commands';

const USAGE = `smsctl: operate the SMS conversation platform

Usage:
  smsctl workflow lint --file F        check a workflow: schema, template variables, SMS segments
  smsctl workflow simulate --file F    chat with a workflow offline: one message per stdin line,
                                       one JSON object per line out
Global flags:
  --json         one JSON document on stdout
  --local        against the running local stack (npm start)
  --stack NAME   against a deployed stack (default SmsConversations-dev)
  -h, --help     this help
`;

interface GlobalFlags {
  readonly json: boolean;
  readonly local: boolean;
  readonly stack?: string;
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function workflow(action: string | undefined, args: string[], flags: GlobalFlags): Promise<number> {
  const { values } = parseArgs({ args, options: { file: { type: 'string' } }, allowPositionals: false });
  if (!values.file) throw new CliError(`workflow ${action ?? ''} needs --file F`);
  switch (action) {
    case 'lint': {
      const { report, ok } = await lintCommand(values.file);
      if (flags.json) out(JSON.stringify({ ok, ...report }));
      else {
        for (const error of report.errors) out(`error   ${error}`);
        for (const warning of report.warnings) out(`warning ${warning}`);
        for (const reply of report.replies)
          out(`segments ${reply.segments} ${reply.encoding.padEnd(5)} ${reply.where}`);
        out(ok ? `${values.file}: ok` : `${values.file}: ${report.errors.length} error(s)`);
      }
      return ok ? 0 : 1;
    }
    case 'simulate':
      await simulateCommand(values.file, process.stdin, out);
      return 0;
    default:
      throw new CliError(`unknown workflow action "${action ?? ''}" (lint, simulate)`);
  }
}

const GLOBAL_BOOLEAN_FLAGS = new Set(['--json', '--local', '--help', '-h']);

/** Splits `smsctl [globals] command action [command args]`; globals may appear anywhere. */
export function splitArgs(argv: readonly string[]) {
  const flags = { json: false, local: false, help: false, stack: undefined as string | undefined };
  const words: string[] = [];
  const commandArgs: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (GLOBAL_BOOLEAN_FLAGS.has(arg)) {
      if (arg === '--json') flags.json = true;
      else if (arg === '--local') flags.local = true;
      else flags.help = true;
    } else if (arg === '--stack') {
      flags.stack = argv[++index];
      if (flags.stack === undefined) throw new CliError('--stack needs a stack name', 2);
    } else if (arg.startsWith('--stack=')) {
      flags.stack = arg.slice('--stack='.length);
    } else if (words.length < 2 && !arg.startsWith('-') && commandArgs.length === 0) {
      words.push(arg);
    } else {
      commandArgs.push(arg);
    }
  }
  return { flags, command: words[0], action: words[1], commandArgs };
}

export async function main(argv: string[]): Promise<number> {
  const { flags: parsed, command, action, commandArgs } = splitArgs(argv);
  if (parsed.help || !command) {
    out(USAGE);
    return parsed.help ? 0 : 2;
  }
  const flags: GlobalFlags = {
    json: parsed.json,
    local: parsed.local,
    ...(parsed.stack ? { stack: parsed.stack } : {}),
  };
  switch (command) {
    case 'workflow':
      return workflow(action, commandArgs, flags);
    default:
      throw new CliError(`unknown command "${command}"; see smsctl --help`, 2);
  }
}
