/** A destination of a tenant's webhooks: one event subscription, or one completion webhook URL. */
export interface DestinationKey {
  readonly tenantId: string;
  /** `dest_` and a hash (lambdas/domain/events/lanes.ts destinationIdOf). */
  readonly destinationId: string;
}

export interface DestinationState {
  /** Until when (epoch ms) deliveries to it wait instead of trying; 0 when it is not cooling down. */
  readonly coolingDownUntil: number;
  /** A failure is on record (a later success clears it). */
  readonly marked: boolean;
}

/**
 * The notifier's memory of destinations that failed: after a timeout, a network error or a 5xx,
 * the destination cools down for the failed attempt's retry delay, and its other deliveries wait
 * that out without connecting, so a dead endpoint costs one attempt's deadline per cool-down, not
 * one per queued delivery.
 */
export interface WebhookDestinations {
  state(key: DestinationKey): Promise<DestinationState>;
  markFailing(key: DestinationKey, at: Date, untilMs: number, reason: string): Promise<void>;
  /**
   * After a cool-down, one delivery probes the destination: it moves `coolingDownUntil` from the
   * value it read to `untilMs` (the probe's deadline) if nobody did first. False: another delivery
   * is probing, wait.
   */
  takeProbe(key: DestinationKey, readUntil: number, untilMs: number): Promise<boolean>;
  clear(key: DestinationKey): Promise<void>;
}
