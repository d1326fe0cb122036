import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CallbackDeliverySettings,
  deliverStatusCallback,
  type StatusCallbackEvent,
  statusCallbackEvent,
} from './callbacks';
import type { FaultDice, FaultSettings } from './faults';
import { MAGIC_VALID_FROM } from './magic-numbers';
import type { MessageStore, SimMessage } from './messages';

export interface LifecycleSettings extends CallbackDeliverySettings {
  /** Time between status changes: queued/accepted -> sent -> delivered/undelivered. */
  stepDelayMs: number;
}

/**
 * Moves each created message through its statuses on a timer and reports them to its
 * StatusCallback. The served resource changes when the status does; callbacks of one message
 * are posted one after another (so the injected order is the order the receiver sees), apart
 * from the status progression, as on Twilio where a slow receiver does not hold up delivery.
 * No callback is sent for the initial status (queued/accepted), as Twilio sends none.
 */
export class MessageLifecycles {
  private readonly pending = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly store: MessageStore,
    private readonly faults: () => FaultSettings,
    private readonly dice: FaultDice,
    private readonly settings: LifecycleSettings,
  ) {}

  start(message: SimMessage, authToken: string): void {
    const run = this.progress(message, authToken).catch((error: unknown) => {
      // Stopping aborts the timers (expected). Anything else is a simulator bug: say so loudly,
      // but do not take the whole local stack down with an unhandled rejection.
      if (!this.stopping.signal.aborted)
        console.error(`twilio-sim: lifecycle of ${message.sid} failed`, error);
    });
    const tracked = run.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Resolves once every started message reached its final status and its callbacks were posted. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Stops timers and in-flight callbacks. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.settled();
  }

  private async progress(message: SimMessage, authToken: string): Promise<void> {
    const faults = this.faults();
    const endsUndelivered = this.dice.roll(faults.undelivered);
    const reorder = this.dice.roll(faults.reorderCallbacks);
    const signal = this.stopping.signal;

    let deliveries = Promise.resolve();
    const post = (event: StatusCallbackEvent) => {
      const duplicate = this.dice.roll(faults.duplicateCallbacks);
      deliveries = deliveries.then(() =>
        deliverStatusCallback({ message, event, authToken, duplicate, settings: this.settings, signal }),
      );
    };
    const eventFor = (current: SimMessage) =>
      current.statusCallback === null ? undefined : statusCallbackEvent(current, current.statusCallback);

    await sleep(this.settings.stepDelayMs, undefined, { signal });
    const sent = this.store.transition(message.sid, 'sent', { from: MAGIC_VALID_FROM });
    if (!sent) return;
    const sentEvent = eventFor(sent);
    if (sentEvent && !reorder) post(sentEvent);

    await sleep(this.settings.stepDelayMs, undefined, { signal });
    const final = endsUndelivered
      ? this.store.transition(message.sid, 'undelivered', { errorCode: faults.undeliveredErrorCode })
      : this.store.transition(message.sid, 'delivered');
    const finalEvent = final && eventFor(final);
    if (finalEvent) post(finalEvent);
    if (sentEvent && reorder) post(sentEvent);
    await deliveries;
  }
}
