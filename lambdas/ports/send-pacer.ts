import type { PacingDecision } from '../domain/send-pacing';

export interface PaceRequest {
  /** The sender number (or short code) whose rate is shared by every concurrent sender. */
  readonly from: string;
  readonly segments: number;
  readonly segmentsPerSecond: number;
  readonly maxWaitMs: number;
}

/** Reserves a sender number's next send slot, across all invocations. */
export interface SendPacer {
  reserve(request: PaceRequest): Promise<PacingDecision>;
}
