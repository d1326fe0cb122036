import {
  LOCAL_URL_POLICY,
  MAX_OUTBOUND_URL_LENGTH,
  type OutboundUrlPolicy,
  outboundUrlProblem,
} from '../outbound-url-policy';

/**
 * Where a completion webhook may be sent: the outbound URL policy (../outbound-url-policy.ts).
 * Without a policy this is the stage-agnostic check of the workflow schema, which allows what the
 * most permissive stage allows (loopback, for the local stack); each stage narrows it where it
 * knows itself: `smsctl workflow put` for the target's stage, the notifier for its own.
 */
export const MAX_WEBHOOK_URL_LENGTH = MAX_OUTBOUND_URL_LENGTH;

/** Why `raw` cannot be a webhook URL, phrased as the fix; undefined when it can. */
export function webhookUrlProblem(
  raw: string,
  policy: OutboundUrlPolicy = LOCAL_URL_POLICY,
): string | undefined {
  return outboundUrlProblem(raw, policy);
}
