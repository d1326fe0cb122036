/**
 * The default baseline for the cold-start budget: a handler as `cdk init` plus a NodejsFunction
 * would have it. The AWS SDK v3 clients come from the runtime (bundled with `@aws-sdk/*` external,
 * NodejsFunction's default on Node 18+; here they resolve from the repository's node_modules, as
 * the Lambda runtime provides them), the `twilio` client package is bundled (NodejsFunction's
 * defaults: CommonJS, not minified), and the first event makes the same kinds of first calls as
 * the functions (bench/baseline-first-calls.ts) against the same stand-ins.
 */
import twilio from 'twilio';
import { firstCalls } from './baseline-first-calls';

export const handler = async (event: { from?: string; body?: string }) => {
  const { accountSid, authToken } = await firstCalls(event);
  const client = twilio(accountSid, authToken);
  return { statusCode: 200, body: client.accountSid };
};
