import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  attemptTimeoutMs,
  callDeadlineMs,
  FINAL_RESERVE_MS,
  invocationDeadline,
  invocationDeadlineMs,
  MIN_USEFUL_ATTEMPT_MS,
  remainingMs,
  SAFETY_MARGIN_MS,
  setInvocationDeadline,
} from '../../../lambdas/shared/invocation-deadline';

const NOW = 1_700_000_000_000;

afterEach(() => setInvocationDeadline(undefined));

/** The Lambda context as the runtime hands it: only the remaining time matters here. */
function lambdaContext(remainingTimeMs: number): Context {
  const deadline = Date.now() + remainingTimeMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
    memoryLimitInMB: '512',
    awsRequestId: 'req-1',
    logGroupName: '/aws/lambda/fn',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

describe('invocation deadline', () => {
  it('caps nothing beyond the configured timeout when no deadline is set (CLI, tests)', () => {
    expect(invocationDeadlineMs()).toBeUndefined();
    expect(remainingMs(NOW)).toBe(Infinity);
    expect(callDeadlineMs(NOW)).toBe(Infinity);
    expect(attemptTimeoutMs(3_000, callDeadlineMs(NOW), NOW)).toBe(3_000);
    // 0 means "no timeout", as the SDK's requestTimeout.
    expect(attemptTimeoutMs(0, callDeadlineMs(NOW), NOW)).toBe(Infinity);
  });

  it('caps an attempt by the time left before the deadline less the safety margin', () => {
    setInvocationDeadline(NOW + 10_000);
    expect(remainingMs(NOW)).toBe(10_000);
    expect(callDeadlineMs(NOW)).toBe(NOW + 10_000 - SAFETY_MARGIN_MS);
    // Plenty of time: the configured timeout.
    expect(attemptTimeoutMs(3_000, callDeadlineMs(NOW), NOW)).toBe(3_000);
    // 8 s in, 2 s left: the attempt must end with the margin still free.
    const later = NOW + 8_000;
    expect(attemptTimeoutMs(3_000, callDeadlineMs(later), later)).toBe(2_000 - SAFETY_MARGIN_MS);
    // No configured timeout: the deadline still bounds it.
    expect(attemptTimeoutMs(0, callDeadlineMs(later), later)).toBe(2_000 - SAFETY_MARGIN_MS);
  });

  it('gives a call started inside the margin (the bookkeeping after an aborted call) the margin, less the final reserve', () => {
    setInvocationDeadline(NOW + 10_000);
    const inMargin = NOW + 10_000 - SAFETY_MARGIN_MS - MIN_USEFUL_ATTEMPT_MS + 1;
    expect(callDeadlineMs(inMargin)).toBe(NOW + 10_000 - FINAL_RESERVE_MS);
    expect(attemptTimeoutMs(3_000, callDeadlineMs(inMargin), inMargin)).toBe(
      SAFETY_MARGIN_MS + MIN_USEFUL_ATTEMPT_MS - 1 - FINAL_RESERVE_MS,
    );
    // A call's deadline is fixed when it starts: its later attempts do not move into the margin.
    const callStart = NOW + 5_000;
    const endBy = callDeadlineMs(callStart);
    const retryAt = NOW + 10_000 - SAFETY_MARGIN_MS + 100;
    expect(attemptTimeoutMs(3_000, endBy, retryAt)).toBe(0);
  });

  it('allows no time once the deadline has passed', () => {
    setInvocationDeadline(NOW);
    expect(remainingMs(NOW + 5)).toBe(-5);
    expect(attemptTimeoutMs(3_000, callDeadlineMs(NOW + 5), NOW + 5)).toBe(0);
  });

  it('is set from the Lambda context for the handler and cleared after it, also when it throws', async () => {
    let seen: number | undefined;
    const handler = middy(() => {
      seen = remainingMs();
      return Promise.resolve('done');
    }).use(invocationDeadline());
    await expect(handler({}, lambdaContext(30_000))).resolves.toBe('done');
    expect(seen).toBeGreaterThan(25_000);
    expect(seen).toBeLessThanOrEqual(30_000);
    expect(invocationDeadlineMs()).toBeUndefined();

    const failing = middy(() => {
      seen = remainingMs();
      return Promise.reject(new Error('boom'));
    }).use(invocationDeadline());
    await expect(failing({}, lambdaContext(10_000))).rejects.toThrow('boom');
    expect(seen).toBeLessThanOrEqual(10_000);
    expect(invocationDeadlineMs()).toBeUndefined();
  });
});
