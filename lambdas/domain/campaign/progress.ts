// No imports, Node's or otherwise: the console's browser code shares this type (local/console/api-types.ts).

/** A campaign's progress as the API and `smsctl campaign show` report it. */
export interface CampaignProgress {
  readonly total: number;
  readonly skipped: {
    readonly invalid: number;
    readonly duplicate: number;
    readonly optedOut: number;
    readonly conversationActive: number;
    readonly total: number;
  };
  /** Recipients neither skipped nor queued yet (waiting for their turn, their quiet hours, a resume). */
  readonly pending: number;
  readonly queued: number;
  readonly sent: number;
  readonly delivered: number;
  readonly undelivered: number;
  readonly failed: number;
  /** Released, then not sent: the campaign was cancelled before the sender got to them. */
  readonly cancelled: number;
  readonly optedOut: number;
  readonly replied: number;
  readonly completed: number;
  /** delivered / (delivered + undelivered + failed), as the dashboard's delivery rate; null before any outcome. */
  readonly deliveryRate: number | null;
}
