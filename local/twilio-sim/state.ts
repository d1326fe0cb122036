import type { AuthPrincipal } from './auth';
import { type FaultSettings, NO_FAULTS } from './faults';
import type { FormParams } from './form';
import { MessageStore } from './messages';
import type { InboundWebhookRecord } from './phone';

/** A REST API request as the simulator received and answered it. */
export interface ApiRequestRecord {
  at: string;
  method: string;
  path: string;
  query: FormParams;
  /** Form body parameters (POST). */
  params: FormParams;
  principal: AuthPrincipal | null;
  /** Basic auth user name presented, also when it was rejected (never the secret). */
  authUsername: string | null;
  /** null while the answer is still pending (e.g. a slowed response). */
  responseStatus: number | null;
  /** Fault injected into this response, if any. */
  fault: 'api429' | 'api500' | null;
  slowedMs: number;
}

/** Everything the simulator remembers; `/_sim/state` clears it (faults are reset separately). */
export class SimulatorState {
  readonly messages = new MessageStore();
  readonly inboundWebhooks: InboundWebhookRecord[] = [];
  readonly apiRequests: ApiRequestRecord[] = [];
  faults: FaultSettings = { ...NO_FAULTS };

  clear(): void {
    this.messages.clear();
    this.inboundWebhooks.length = 0;
    this.apiRequests.length = 0;
  }
}
