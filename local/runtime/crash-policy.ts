/**
 * Crash injection for local functions: decides, per invocation, whether the execution
 * environment dies part-way through and when. A crash terminates the environment's worker, which
 * Lambda would report as `Runtime.ExitError` (the process was killed): whatever the handler had
 * done by then stays done, the rest never happens, and the caller (the SQS event source) sees a
 * failed invocation. This is how the chaos soak reaches windows such as "Twilio accepted the
 * message, the sender had not recorded it yet".
 */
export interface CrashPolicy {
  /** Milliseconds into the invocation at which to crash it, or undefined to let it run. */
  crashDelayMs(): number | undefined;
}

export interface RandomCrashOptions {
  /** Probability (0..1) that an invocation is planned to crash. */
  readonly rate: number;
  /**
   * The crash moment is drawn uniformly from [0, maxDelayMs); an invocation that finishes sooner
   * is not crashed, so longer invocations are more likely to die, as with real faults.
   */
  readonly maxDelayMs: number;
  /** The source of randomness; seed it for a reproducible sequence of decisions. */
  readonly random: () => number;
}

export const NO_CRASHES: CrashPolicy = { crashDelayMs: () => undefined };

export function randomCrashes(options: RandomCrashOptions): CrashPolicy {
  if (!(options.rate >= 0 && options.rate <= 1)) throw new RangeError('crash rate must be from 0 to 1');
  if (!(options.maxDelayMs > 0)) throw new RangeError('maxDelayMs must be positive');
  return {
    crashDelayMs() {
      // Always draw twice, so one decision never shifts the sequence of the next.
      const crash = options.random() < options.rate;
      const delay = Math.floor(options.random() * options.maxDelayMs);
      return crash ? delay : undefined;
    },
  };
}
