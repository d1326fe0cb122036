/**
 * `npm run soak -- --turns N --fault-rate R --seed S`: the chaos soak. Starts its own local
 * stack, drives N customer turns through it under injected Twilio faults and handler crashes,
 * waits for the pipeline to drain, redrives the DLQs once, audits, and prints one JSON line.
 * Exit status: 0 when nothing was lost, duplicated or mismatched; 1 otherwise; 2 for bad flags.
 */
import { parseSoakOptions, SOAK_USAGE } from './options';
import { runSoak } from './run';

const parsed = parseSoakOptions(process.argv.slice(2));
if (parsed.ok === 'help') {
  console.log(SOAK_USAGE);
  process.exit(0);
}
if (!parsed.ok) {
  console.error(`soak: ${parsed.reason}\n${SOAK_USAGE}`);
  process.exit(2);
}

let exitCode = 1;
try {
  const summary = await runSoak(parsed.options, (message) => console.error(`soak: ${message}`));
  console.log(JSON.stringify(summary));
  exitCode = summary.ok ? 0 : 1;
} catch (error) {
  console.error(`soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}
// Idle keep-alive sockets of the SDK clients would hold the process for minutes after the stack stopped.
process.stdout.write('', () => process.exit(exitCode));
