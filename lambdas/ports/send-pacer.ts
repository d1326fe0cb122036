import type { BookedSlot } from '../domain/send-pacing';

export interface PaceRequest {
  /** The sender number (or short code) whose rate is shared by every concurrent sender. */
  readonly from: string;
  readonly segments: number;
  readonly segmentsPerSecond: number;
}

/** Books a sender number's next send slot, however far ahead, across all invocations. */
export interface SendPacer {
  reserve(request: PaceRequest): Promise<BookedSlot>;
}
