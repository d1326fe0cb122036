// Reference for the JSON line's importRatioToNaiveTwilio, no longer a budget (bench/budgets.ts):
// a handler that builds a twilio client the naive way.
import twilio from 'twilio';

const client = twilio(`AC${'0'.repeat(32)}`, '0'.repeat(32));

export const handler = async () => client.accountSid;
