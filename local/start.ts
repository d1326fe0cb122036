import { DEMO_TENANT, seedDemoExamples, seedDemoTenant } from './seed';
import { startLocalStack } from './stack';
import { removeLocalEndpoints, writeLocalEndpoints } from './endpoints';

/** `npm start`: the whole pipeline on local stand-ins, the demo tenant seeded. */
function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${name} must be a port number, got "${raw}"`);
    process.exit(2);
  }
  return port;
}

function printLog(functionName: string, line: string): void {
  if (line.includes('"CloudWatchMetrics"')) return;
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    const level = String(record.level ?? 'INFO');
    const keys = ['tenantId', 'messageSid', 'sendId', 'sid', 'webhookId', 'errorCode', 'outcome', 'reason']
      .filter((key) => record[key] !== undefined)
      .map((key) => `${key}=${String(record[key])}`)
      .join(' ');
    console.log(`[${functionName}] ${level} ${String(record.message ?? '')} ${keys}`.trimEnd());
  } catch {
    console.log(`[${functionName}] ${line}`);
  }
}

const port = portFromEnv('PORT', 3000);
const twilioSimPort = portFromEnv('TWILIO_SIM_PORT', 3001);
const quiet = process.env.LOG_FUNCTIONS === 'false';

const stack = await startLocalStack({
  port,
  twilioSimPort,
  ...(process.env.PUBLIC_BASE_URL ? { publicBaseUrl: process.env.PUBLIC_BASE_URL } : {}),
  ...(quiet ? {} : { onLog: printLog }),
});
await seedDemoTenant(stack);
const examples = await seedDemoExamples(stack);
await writeLocalEndpoints(stack);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the local stack...`);
  await removeLocalEndpoints();
  await stack.stop();
  console.log('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

console.log(
  [
    `ready api=${stack.apiUrl} twilio-sim=${stack.twilioSimUrl} public-base-url=${stack.publicBaseUrl} console=${stack.consoleUrl}`,
    `  open the console: ${stack.consoleUrl} (a phone, conversations, delivery rate, campaigns, fault switches)`,
    `  inbound webhook: ${stack.publicBaseUrl}/webhooks/twilio/${DEMO_TENANT.tenantId}/inbound`,
    `  status webhook:  ${stack.publicBaseUrl}/webhooks/twilio/${DEMO_TENANT.tenantId}/status`,
    `  text the demo:   curl -s ${stack.twilioSimUrl}/_sim/inbound -H 'content-type: application/json' \\`,
    `                     -d '{"tenantId":"${DEMO_TENANT.tenantId}","from":"+15551234567","to":"${DEMO_TENANT.number}","body":"Where is my package?"}'`,
    `  see the replies: curl -s ${stack.twilioSimUrl}/_sim/messages`,
    `  more examples:   ${examples.map((example) => `${example.number} (${example.workflowId})`).join(', ')}`,
  ].join('\n'),
);
