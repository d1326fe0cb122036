import { ENV } from '../../lib/topology';
import { DEPLOYED_URL_POLICY, LOCAL_URL_POLICY, type OutboundUrlPolicy } from '../domain/outbound-url-policy';
import { requireEnv } from './env';

/**
 * This stage's outbound URL policy, for a function the topology gives it (`tenantEndpoints`):
 * `true` only in the local stack (lib/config.ts allowLoopbackWebhooks); anything but `true` or
 * `false` is a deploy bug, refused at the cold start.
 */
export function outboundUrlPolicyFromEnv(): OutboundUrlPolicy {
  const allowLoopback = requireEnv(ENV.allowLoopbackWebhooks);
  if (allowLoopback !== 'true' && allowLoopback !== 'false')
    throw new Error(`Environment variable ${ENV.allowLoopbackWebhooks} must be true or false`);
  return allowLoopback === 'true' ? LOCAL_URL_POLICY : DEPLOYED_URL_POLICY;
}
