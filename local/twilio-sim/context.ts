import type { AccountDirectory } from './directory';
import type { FaultDice } from './faults';
import type { MessageLifecycles } from './lifecycle';
import type { SimulatorState } from './state';

/** What request handlers share: state, collaborators and settings of one simulator instance. */
export interface SimulatorContext {
  state: SimulatorState;
  directory: AccountDirectory;
  lifecycles: MessageLifecycles;
  dice: FaultDice;
  platformBaseUrl: string;
  webhookTimeoutMs: number;
  /** Aborted when the simulator closes, cancelling outgoing webhooks. */
  signal: AbortSignal;
}
