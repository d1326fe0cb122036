import { CliError } from './cli-error';
import { main } from './main';

/** Runs the CLI: exit code from the command, one-line reason on failure. */
export async function run(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (error) {
    // A usage error is a CliError too (cli/flags.ts turns parseArgs' refusals into them).
    const message = error instanceof CliError ? error.message : String(error);
    process.stderr.write(`smsctl: ${message}\n`);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  }
}
