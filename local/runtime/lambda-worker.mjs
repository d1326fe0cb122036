/**
 * One Lambda execution environment, run as a worker thread by local-function.ts. Plain ESM
 * JavaScript on purpose: a worker starts outside any TypeScript loader (vitest, tsx), and this
 * file must load as-is on Node 20 and 22.
 *
 * Protocol (parent <-> worker):
 *   worker -> { type: 'ready', initDurationMs } | { type: 'initError', error }   once, after INIT
 *   parent -> { type: 'invoke', id, eventJson, context }
 *   worker -> { type: 'result', id, resultJson?, durationMs } | { type: 'error', id, error, durationMs }
 *   parent -> { type: 'crash' }   crash injection: the worker exits (137) once its output is flushed
 * Events and results cross as JSON, as they do in Lambda, so nothing but data leaks either way.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { bundlePath, handlerExport, enableSourceMaps } = workerData;

if (enableSourceMaps) process.setSourceMapsEnabled(true);

/** The shape Lambda's Node runtime reports: errorType is the error's `name`. */
function describeError(error, fallbackType) {
  if (error instanceof Error || (error && typeof error === 'object' && 'message' in error)) {
    return {
      errorType: fallbackType ?? (error.name || 'Error'),
      errorMessage: String(error.message),
      ...(typeof error.stack === 'string' ? { stack: error.stack } : {}),
    };
  }
  return { errorType: fallbackType ?? typeof error, errorMessage: String(error) };
}

/**
 * Resolves once everything written so far to stdout/stderr has reached the parent, so the
 * parent has every log line of an invocation before it learns the invocation ended.
 */
function flushStdio() {
  return Promise.all(
    [process.stdout, process.stderr].map(
      (stream) => new Promise((resolve) => stream.write('', () => resolve())),
    ),
  );
}

/** Async handlers, and the callback style the Node 20/22 runtimes still accept. */
function callHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error, result) => {
      if (settled) return;
      settled = true;
      if (error !== null && error !== undefined) reject(error);
      else resolve(result);
    };
    try {
      const returned = handler(event, context, settle);
      if (returned && typeof returned.then === 'function') {
        returned.then(
          (result) => settle(null, result),
          (error) => settle(error ?? new Error('Handler rejected without a reason')),
        );
      } else if (handler.length < 3) {
        settle(null, returned);
      }
    } catch (error) {
      settle(error);
    }
  });
}

function lambdaContext(context) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    invokedFunctionArn: context.invokedFunctionArn,
    // Lambda passes the memory size as a string.
    memoryLimitInMB: String(context.memoryLimitInMB),
    awsRequestId: context.awsRequestId,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, context.deadlineMs - Date.now()),
  };
}

async function loadHandler() {
  let module;
  try {
    module = await import(pathToFileURL(bundlePath).href);
  } catch (error) {
    const missing = error && typeof error === 'object' && error.code === 'ERR_MODULE_NOT_FOUND';
    const syntax = error instanceof SyntaxError;
    throw Object.assign(new Error(error instanceof Error ? error.message : String(error)), {
      name: missing ? 'Runtime.ImportModuleError' : syntax ? 'Runtime.UserCodeSyntaxError' : error?.name,
      stack: error instanceof Error ? error.stack : undefined,
    });
  }
  const handler = module[handlerExport] ?? module.default?.[handlerExport];
  if (typeof handler !== 'function') {
    throw Object.assign(new Error(`${bundlePath}.${handlerExport} is undefined or not exported`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  return handler;
}

function serializeResult(result) {
  if (result === undefined) return { ok: true };
  try {
    return { ok: true, resultJson: JSON.stringify(result) };
  } catch (error) {
    return { ok: false, error: describeError(error, 'Runtime.MalformedHandlerResponse') };
  }
}

async function invoke(handler, { id, eventJson, context }) {
  // Lambda sets the trace header per invocation in the environment; the SDK and Powertools read it there.
  process.env._X_AMZN_TRACE_ID = context.traceId;
  const started = performance.now();
  let reply;
  try {
    const result = await callHandler(handler, JSON.parse(eventJson), lambdaContext(context));
    const serialized = serializeResult(result);
    reply = serialized.ok
      ? { type: 'result', id, resultJson: serialized.resultJson }
      : { type: 'error', id, error: serialized.error };
  } catch (error) {
    reply = { type: 'error', id, error: describeError(error) };
  }
  reply.durationMs = performance.now() - started;
  await flushStdio();
  parentPort.postMessage(reply);
}

const initStarted = performance.now();
try {
  const handler = await loadHandler();
  parentPort.on('message', (message) => {
    if (message?.type === 'invoke') void invoke(handler, message);
    // Crash injection: die like a killed process. Lines already written are kept, as Lambda keeps
    // them; flushing first matters because a worker's stdout still in transit dies with it.
    if (message?.type === 'crash') void flushStdio().then(() => process.exit(137));
  });
  parentPort.postMessage({ type: 'ready', initDurationMs: performance.now() - initStarted });
} catch (error) {
  await flushStdio();
  parentPort.postMessage({ type: 'initError', error: describeError(error) });
}
