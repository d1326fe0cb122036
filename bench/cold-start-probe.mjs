/**
 * One cold start in a fresh Node process (bench/cold-start.ts spawns it): import a handler bundle,
 * then invoke it once with its first event, as Lambda's runtime would, and report on fd 3 the wall
 * and CPU (process.cpuUsage: user + system) of the import alone and of import plus the event.
 * Plain JavaScript on purpose: it runs as-is under any Node (the machine's, Node 22), outside tsx.
 *
 * argv[2]: a JSON file { bundleUrl, event, context: { functionName, memoryLimitInMB, timeoutMs, requestId } }.
 * The function's output (its log lines) stays on stdout and stderr, as in Lambda.
 */
import { readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const cpuBefore = process.cpuUsage();
const started = performance.now();
// As Lambda's Node runtime loads a handler: a CommonJS file with require, an ES module with import.
const module = input.bundleUrl.endsWith('.cjs')
  ? createRequire(import.meta.url)(fileURLToPath(input.bundleUrl))
  : await import(input.bundleUrl);
const importWallMs = performance.now() - started;
const importCpu = process.cpuUsage(cpuBefore);

const handler = module.handler ?? module.default?.handler;
const deadline = Date.now() + input.context.timeoutMs;
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: input.context.functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${input.context.functionName}`,
  memoryLimitInMB: String(input.context.memoryLimitInMB),
  awsRequestId: input.context.requestId,
  logGroupName: `/aws/lambda/${input.context.functionName}`,
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
};

let result;
let error;
try {
  result = await handler(input.event, context);
} catch (caught) {
  error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
}
const totalWallMs = performance.now() - started;
const totalCpu = process.cpuUsage(cpuBefore);

writeSync(
  3,
  JSON.stringify({
    importWallMs,
    importCpuMs: (importCpu.user + importCpu.system) / 1000,
    totalWallMs,
    totalCpuMs: (totalCpu.user + totalCpu.system) / 1000,
    result: result ?? null,
    ...(error === undefined ? {} : { error }),
  }),
);
// Idle keep-alive sockets must not hold the process (Lambda freezes it instead).
process.exit(0);
