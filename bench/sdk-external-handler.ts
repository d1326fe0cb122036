/**
 * A reference beside the default baseline, reported but not budgeted: the same handler without the
 * `twilio` package, i.e. what the SDK v3 clients external from the runtime cost on their own
 * (import plus the same first calls). bench/default-baseline-handler.ts adds twilio to this.
 */
import { firstCalls } from './baseline-first-calls';

export const handler = async (event: { from?: string; body?: string }) => {
  const { accountSid } = await firstCalls(event);
  return { statusCode: 200, body: accountSid };
};
