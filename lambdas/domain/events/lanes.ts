import { createHash } from 'node:crypto';

/**
 * How deliveries to tenants' endpoints are spread over `webhooks.fifo` message groups. SQS hands out
 * one message of a group at a time, so a group is a lane: a destination that never answers holds
 * its own lanes (one attempt each, then its retry delay) and nobody else's. Each destination gets
 * LANES_PER_DESTINATION lanes, picked by what the event is about (a customer, a campaign), so one
 * customer's events reach the endpoint in order while a busy tenant's deliveries still run side
 * by side.
 */
export const LANES_PER_DESTINATION = 4;

/** SQS: MessageGroupId is at most 128 characters of alphanumerics and punctuation. */
function short(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}

/**
 * The message group of one delivery: the tenant, the destination (a subscription id, or the hash of
 * a completion webhook's URL), and the lane of `orderKey` among the destination's lanes.
 */
export function deliveryGroupId(tenantId: string, destination: string, orderKey: string): string {
  const lane = Number.parseInt(short(orderKey).slice(0, 8), 16) % LANES_PER_DESTINATION;
  return `${tenantId}#${short(destination)}#${lane}`;
}

/** The id of a destination (a subscription id, `completion:<url>`) in keys and logs: no URL in it. */
export function destinationIdOf(destination: string): string {
  return `dest_${short(destination)}`;
}

/** A completion webhook's group: its URL is its destination, its customer picks the lane. */
export function completionWebhookGroupId(job: {
  readonly tenantId: string;
  readonly url: string;
  readonly customer: string;
}): string {
  return deliveryGroupId(job.tenantId, `completion:${job.url}`, job.customer);
}
