import type { TwilioSimulator } from '../twilio-sim';

/**
 * Lets soak customers wait for the platform's replies: counts the messages the simulator's API
 * created per recipient as they are created, so waiting never copies the simulator's history.
 */
export class PhoneWatch {
  private readonly received = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly unsubscribe: () => void;

  constructor(simulator: TwilioSimulator) {
    this.unsubscribe = simulator.onMessageCreated((message) => {
      this.received.set(message.to, this.count(message.to) + 1);
      for (const wake of this.waiters.get(message.to) ?? []) wake();
    });
  }

  count(customer: string): number {
    return this.received.get(customer) ?? 0;
  }

  /** Resolves true once `customer` has received more than `seen` messages, false after `timeoutMs`. */
  waitForMore(customer: string, seen: number, timeoutMs: number): Promise<boolean> {
    if (this.count(customer) > seen) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiters = this.waiters.get(customer) ?? new Set<() => void>();
      this.waiters.set(customer, waiters);
      const finish = (arrived: boolean) => {
        clearTimeout(timer);
        waiters.delete(check);
        resolve(arrived);
      };
      const check = () => {
        if (this.count(customer) > seen) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      waiters.add(check);
    });
  }

  close(): void {
    this.unsubscribe();
  }
}
