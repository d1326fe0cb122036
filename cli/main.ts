import { parseArgs } from 'node:util';
import { understandingModelCheckFor } from './bedrock-model-listing';
import { CliError } from './cli-error';
import { parseCommand, phone } from './flags';
import { campaignCommand } from './commands/campaign';
import { conversationCommand } from './commands/conversation';
import { conversationExportCommand, customerCommand } from './commands/data-requests';
import { dlqCommand } from './commands/dlq';
import { eventsCommand } from './commands/events';
import { messageCommand } from './commands/message';
import { numberCommand } from './commands/number';
import { poolCommand } from './commands/pool';
import { sendCommand } from './commands/send';
import { tenantCommand } from './commands/tenant';
import { workflowPutCommand } from './commands/workflow-put';
import { type GlobalFlags, out, print } from './output';
import { type PlatformTarget, resolveTarget } from './target';
import { lintCommand, simulateCommand } from './workflow-commands';

const USAGE = `smsctl: operate the SMS conversation platform

Usage:
  smsctl tenant put --tenant ID [--account-sid AC…] [--auth-token -|TOKEN] [--previous-token-grace 24h|0] [--messaging-service-sid MG…|none] [--name N]
                    [--retention-days 1..3650] [--llm-tokens-per-month N] [--quiet-hours HH:MM-HH:MM|none]
                                       create a tenant, or change what is given and keep the rest;
                                       --auth-token - reads the token from standard input; --retention-days
                                       (default 90) is how long the tenant's traffic is kept (DynamoDB TTL);
                                       --llm-tokens-per-month (default 1000000, 0: off) caps the understanding
                                       port's tokens a month, after which the rules answer alone;
                                       --quiet-hours: workflow reminders due then wait for their end
                                       (on the customer's clock)
  smsctl tenant get --tenant ID | tenant list
  smsctl tenant delete --tenant ID --confirm ID [--recovery-window-days 7..30]
                                       remove everything of the tenant (report per kind); its secrets are
                                       scheduled for deletion; safe to run again
  smsctl customer erase --tenant ID --customer E164
                                       remove a customer's conversations, transcripts and messages; an
                                       opt-out stays in force as a hashed suppression
  smsctl tenant webhook-key --tenant ID [--key KEY]   completion webhooks' signing key (generated and shown once without --key)
  smsctl number put --tenant ID --number E164 --workflow WID [--allow-inbound-start true|false] [--segments-per-second N] [--mms true|false] [--language TAG]
  smsctl number list --tenant ID
  smsctl pool put --tenant ID --pool NAME --numbers E164,E164,...
                                       create or replace a pool of the tenant's numbers (each registered
                                       with number put) that campaigns spread over, each at its own rate
  smsctl pool get --tenant ID --pool NAME | pool list --tenant ID | pool delete --tenant ID --pool NAME
  smsctl campaign create --tenant ID (--from E164 | --pool NAME | --messaging-service --from E164) (--workflow WID [--route R] | --body TEXT)
                         [--media URL]... --recipients FILE [--start-at ISO] [--quiet-hours HH:MM-HH:MM]
                         [--time-zone IANA] [--default-country CC] [--name N] [--idempotency-key K] [--strict]
                                       a campaign to every recipient of FILE (CSV with a phone column and one
                                       column per variable, or JSON lines): the file is read whole first (bad rows
                                       are reported by line and skipped; --strict refuses the whole file instead)
  smsctl campaign show|pause|resume|cancel --tenant ID --campaign ID | campaign list --tenant ID [--limit N]
  smsctl workflow put --tenant ID --file F   store a workflow (refused if it has lint errors)
  smsctl workflow lint --file F        check a workflow: schema, template variables, SMS segments
  smsctl workflow simulate --file F [--from E164] [--to E164]
                                       chat with a workflow offline, through the conversation function's
                                       own turn: one message per stdin line (or ":wait 25h" to move the
                                       clock on), one JSON object per line out
  smsctl conversation show --tenant ID --customer E164 [--number E164] [--reveal]
  smsctl conversation list --tenant ID --status handed-off [--reveal]
                                       the conversations handed to a person (fallback.action handoff, AGENT, ...)
  smsctl conversation reply --tenant ID --customer E164 [--to E164] --body TEXT [--idempotency-key K]
                                       a person answers a handed-off conversation (sent like every reply)
  smsctl conversation release --tenant ID --customer E164 [--to E164] (--restart | --resume)
                                       give it back to the bot: from the workflow's start, or at its prompt
  smsctl conversation export --tenant ID [--since ISO] [--customer E164]
                                       the tenant's transcripts with statuses as JSON lines, streamed
  smsctl message show --tenant ID SID [--reveal]
  smsctl send --tenant ID --from E164 --to E164 --body TEXT [--media URL]... [--idempotency-key K]
                                       one message; --media (up to 10, repeatable) sends it as an MMS,
                                       and a message may be pictures only (--media without --body)
  smsctl send --tenant ID --from E164 --to E164 --workflow WID [--route R] [--var k=v]... [--media URL]... [--idempotency-key K]
                                       start a workflow conversation: its first prompt, with the variables
                                       (and the pictures, after the workflow's own)
  smsctl events subscribe --tenant ID --url URL [--types TYPE,TYPE,...|all]
                                       send the tenant's lifecycle events (conversation.*, message.*,
                                       customer.*, campaign.*; a <resource>.* pattern takes a family) to
                                       URL as Standard Webhooks; default all
  smsctl events list --tenant ID | events unsubscribe --tenant ID --subscription sub_…
  smsctl dlq list | dlq redrive [--queue inbound|outbound|status|campaigns|webhooks] [--max N]
Global flags:
  --json         one JSON document on stdout
  --local        against the running local stack (npm start)
  --stack NAME   against a deployed stack (default SmsConversations-dev)
  -h, --help     this help
`;

const LINT_USAGE = 'workflow lint --file F';
const SIMULATE_USAGE = 'workflow simulate --file F [--from E164] [--to E164]';

function fileFlag(file: string | undefined, action: string): string {
  if (!file) throw new CliError(`workflow ${action} needs --file F`);
  return file;
}

async function workflow(
  action: string | undefined,
  args: string[],
  flags: GlobalFlags,
  target: () => Promise<PlatformTarget>,
): Promise<number> {
  switch (action) {
    case 'put':
      return print(await workflowPutCommand(args, target, {}, understandingModelCheckFor(flags)), flags);
    case 'lint': {
      const file = fileFlag(parseCommand(LINT_USAGE, args, { file: { type: 'string' } }).values.file, action);
      const { report, ok } = await lintCommand(file, {}, understandingModelCheckFor(flags));
      if (flags.json) out(JSON.stringify({ ok, ...report }));
      else {
        for (const error of report.errors) out(`error   ${error}`);
        for (const warning of report.warnings) out(`warning ${warning}`);
        for (const reply of report.replies)
          out(
            `segments ${reply.segments} ${reply.encoding.padEnd(5)} ${reply.where}` +
              (reply.media ? ` +${reply.media} picture(s), MMS` : ''),
          );
        out(ok ? `${file}: ok` : `${file}: ${report.errors.length} error(s)`);
      }
      return ok ? 0 : 1;
    }
    case 'simulate': {
      const { values } = parseCommand(SIMULATE_USAGE, args, {
        file: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
      });
      await simulateCommand(fileFlag(values.file, action), process.stdin, out, undefined, {
        ...(values.from ? { from: phone(values.from, '--from', SIMULATE_USAGE) } : {}),
        ...(values.to ? { to: phone(values.to, '--to', SIMULATE_USAGE) } : {}),
      });
      return 0;
    }
    default:
      throw new CliError(`unknown workflow action "${action ?? ''}" (put, lint, simulate)`);
  }
}

/** Flags every command takes, anywhere on the line. */
const GLOBAL_FLAGS = {
  json: { type: 'boolean' },
  local: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  stack: { type: 'string' },
} as const;

type GlobalName = keyof typeof GLOBAL_FLAGS;

/**
 * Splits `smsctl [globals] command action [command args]` with `node:util` parseArgs: the global
 * flags are taken wherever they are (`--stack NAME` or `--stack=NAME`); the command and action are
 * the first two words before any other flag; everything else is the command's, parsed strictly by
 * the command itself (cli/flags.ts parseCommand). After `--`, nothing is a global flag.
 */
export function splitArgs(argv: readonly string[]) {
  const { tokens } = parseArgs({
    args: [...argv],
    options: GLOBAL_FLAGS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const flags = { json: false, local: false, help: false, stack: undefined as string | undefined };
  const words: string[] = [];
  /** Indexes of argv the global flags and the words took. */
  const taken = new Set<number>();
  let commandArgsStarted = false;
  for (const token of tokens) {
    const raw = argv[token.index] as string;
    // A global flag is a whole argument: `-hx` is the command's (unknown) short flags, not -h.
    const global =
      token.kind === 'option' &&
      Object.hasOwn(GLOBAL_FLAGS, token.name) &&
      (raw === token.rawName || raw.startsWith(`${token.rawName}=`));
    if (global) {
      const name = token.name as GlobalName;
      taken.add(token.index);
      if (token.value !== undefined && !token.inlineValue) taken.add(token.index + 1);
      if (name === 'stack') {
        if (!token.value) throw new CliError('--stack needs a stack name', 2);
        flags.stack = token.value;
      } else if (token.value !== undefined) {
        throw new CliError(`${token.rawName} takes no value`, 2);
      } else {
        flags[name] = true;
      }
    } else if (token.kind === 'positional' && !commandArgsStarted && words.length < 2) {
      words.push(token.value);
      taken.add(token.index);
    } else {
      commandArgsStarted = true;
    }
  }
  const commandArgs = argv.filter((_, index) => !taken.has(index));
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
  // Resolved only when a command needs it: lint and simulate run with no platform at all.
  const target = () => resolveTarget(flags);
  switch (command) {
    case 'workflow':
      return workflow(action, commandArgs, flags, target);
    case 'tenant':
      return print(await tenantCommand(action, commandArgs, target), flags);
    case 'number':
      return print(await numberCommand(action, commandArgs, target), flags);
    case 'pool':
      return print(await poolCommand(action, commandArgs, target), flags);
    case 'campaign':
      return print(await campaignCommand(action, commandArgs, target), flags);
    case 'conversation':
      // Streamed JSON lines, never one document: an export is not held in memory.
      if (action === 'export') {
        await conversationExportCommand(commandArgs, target);
        return 0;
      }
      return print(await conversationCommand(action, commandArgs, target), flags);
    case 'customer':
      return print(await customerCommand(action, commandArgs, target), flags);
    case 'message':
      return print(await messageCommand(action, commandArgs, target), flags);
    case 'send':
      // `send` has no action word: what splitArgs took for one is a stray positional.
      return print(await sendCommand(action ? [action, ...commandArgs] : commandArgs, target), flags);
    case 'dlq':
      return print(await dlqCommand(action, commandArgs, target), flags);
    case 'events':
      return print(await eventsCommand(action, commandArgs, target), flags);
    default:
      throw new CliError(`unknown command "${command}"; see smsctl --help`, 2);
  }
}
